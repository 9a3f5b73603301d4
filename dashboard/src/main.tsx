/** Entry point: reads config.json, then shows the dashboard (or why it cannot start). */
import { render } from 'preact';
import { App } from './components/app';
import { loadRuntimeConfig } from './runtime-config';
import './styles.css';

const root = document.getElementById('app');
if (root !== null) {
  // Preact renders beside foreign nodes: the static "Loading…" placeholder must go first.
  const show = (view: Parameters<typeof render>[0]) => {
    root.replaceChildren();
    render(view, root);
  };
  loadRuntimeConfig().then(
    (config) => show(<App config={config} />),
    (error: unknown) =>
      show(
        <main class="startup-error">
          <h1>stock-alerts</h1>
          <p role="alert">The dashboard could not start: {error instanceof Error ? error.message : String(error)}</p>
        </main>,
      ),
  );
}

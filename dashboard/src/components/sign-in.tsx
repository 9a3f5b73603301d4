/** Sign in with an API key: checked against the API before it is kept (never put in a URL). */
import { useState } from 'preact/hooks';
import { ApiClient, ApiError } from '../api-client';
import type { RuntimeConfig } from '../runtime-config';

export interface SignInProps {
  config: RuntimeConfig;
  /** Why the user is here again (a key the API stopped accepting). */
  notice: string | null;
  onSignedIn(key: string, remember: boolean): void;
}

export function SignIn({ config, notice, onSignedIn }: SignInProps) {
  const [key, setKey] = useState('');
  const [remember, setRemember] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const trimmed = key.trim();
    if (trimmed === '') {
      setError('Enter your API key.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await new ApiClient(config.apiUrl, trimmed).check();
      onSignedIn(trimmed, remember);
    } catch (failure) {
      setBusy(false);
      if (failure instanceof ApiError && (failure.status === 401 || failure.code === 'key_refused')) setError('This key was not accepted: check it, or create one with npm run keys -- create.');
      else setError(failure instanceof Error ? failure.message : String(failure));
    }
  };

  return (
    <main class="sign-in" id="main">
      <h1>stock-alerts</h1>
      <p class="lede">Live prices, your alert rules and the alerts they fire.</p>
      <form onSubmit={(event) => void submit(event)} noValidate aria-describedby={error === null ? undefined : 'sign-in-error'}>
        <h2>Sign in</h2>
        {notice !== null && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
        <div class="field">
          <label for="api-key">API key</label>
          <input
            id="api-key"
            name="api-key"
            type="password"
            autocomplete="current-password"
            spellcheck={false}
            value={key}
            aria-invalid={error !== null}
            aria-describedby="api-key-help"
            onInput={(event) => setKey(event.currentTarget.value)}
            required
          />
          <p id="api-key-help" class="help">
            <code>npm start</code> prints a development key; <code>npm run keys -- create --owner NAME</code> makes one. The key is kept in this browser only.
          </p>
        </div>
        <div class="check">
          <input id="remember" type="checkbox" checked={remember} onChange={(event) => setRemember(event.currentTarget.checked)} />
          <label for="remember">Keep me signed in on this device</label>
        </div>
        {error !== null && (
          <p id="sign-in-error" class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

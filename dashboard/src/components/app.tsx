/** Signed out: the sign-in page; signed in: the dashboard. The key lives in session.ts's storage. */
import { useState } from 'preact/hooks';
import type { RuntimeConfig } from '../runtime-config';
import { clearKey, savedKey, saveKey } from '../session';
import { Dashboard } from './dashboard';
import { SignIn } from './sign-in';

export function App({ config }: { config: RuntimeConfig }) {
  const [key, setKey] = useState<string | null>(() => savedKey());
  const [notice, setNotice] = useState<string | null>(null);

  if (key === null) {
    return (
      <SignIn
        config={config}
        notice={notice}
        onSignedIn={(newKey, remember) => {
          saveKey(newKey, remember);
          setNotice(null);
          setKey(newKey);
        }}
      />
    );
  }
  return (
    <Dashboard
      config={config}
      apiKey={key}
      onSignOut={(reason) => {
        clearKey();
        setNotice(reason ?? null);
        setKey(null);
      }}
    />
  );
}

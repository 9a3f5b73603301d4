/**
 * The API key, kept in the browser's storage and never in a URL: localStorage when the user asks
 * to stay signed in on this device, sessionStorage (gone with the tab) otherwise. Storage can be
 * unavailable (private modes, blocked cookies): then the key lives only in memory.
 */
const STORAGE_KEY = 'stock-alerts.apiKey';

function storage(kind: 'localStorage' | 'sessionStorage'): Storage | undefined {
  try {
    return window[kind];
  } catch {
    // Access denied.
    return undefined;
  }
}

const storages = () => [storage('localStorage'), storage('sessionStorage')].filter((s): s is Storage => s !== undefined);

export function savedKey(): string | null {
  for (const storage of storages()) {
    try {
      const key = storage.getItem(STORAGE_KEY);
      if (key !== null && key !== '') return key;
    } catch {
      // Unreadable: try the next.
    }
  }
  return null;
}

export function saveKey(key: string, remember: boolean): void {
  clearKey();
  const target = storage(remember ? 'localStorage' : 'sessionStorage');
  try {
    target?.setItem(STORAGE_KEY, key);
  } catch {
    // Quota or access: the key stays in memory for this page only.
  }
}

export function clearKey(): void {
  for (const storage of storages()) {
    try {
      storage.removeItem(STORAGE_KEY);
    } catch {
      // Nothing to clear.
    }
  }
}

/** Polling for tests over real sockets: wait until a condition holds, without fixed sleeps. */

type Falsy = undefined | null | false;

/** Resolves with the first truthy value `check` returns (or resolves to); rejects with `what` after `timeoutMs`. */
export async function eventually<T>(check: () => T | Falsy | Promise<T | Falsy>, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * For tests that drive whole processes (`npm start`) over HTTP: polls `probe` every `intervalMs`
 * (200: each probe is a request to a stack) until it gives something other than `undefined`.
 */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Waits `ms` of real time: only to show that something does *not* happen. */
export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

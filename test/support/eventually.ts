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

/** Waits `ms` of real time: only to show that something does *not* happen. */
export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

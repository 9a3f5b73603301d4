/**
 * Retry timing shared by the HTTP senders: exponential backoff with "equal jitter" (half the step
 * fixed, half random) so that retries from many invocations spread out but never bunch at zero.
 * Waits inside one send are small on purpose: a longer outage is the queue's job (redelivery).
 */
export interface BackoffPolicy {
  /** Attempts in one send, the first included. */
  maxAttempts: number;
  /** First backoff step; doubles per attempt. */
  baseDelayMs: number;
  /** Largest single backoff step. */
  maxDelayMs: number;
  /** Total time one send may spend waiting between attempts before handing back to the queue. */
  budgetMs: number;
}

/** The wait before retry number `retry` (1 for the first retry). `random` is in [0, 1). */
export function backoffDelay(policy: BackoffPolicy, retry: number, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(step / 2 + (random() * step) / 2);
}

/**
 * `Retry-After` of an HTTP response in milliseconds: delta-seconds or an HTTP date.
 * @returns undefined when absent or unreadable.
 */
export function parseRetryAfter(header: string | undefined, now: number): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(header)) return Number(header) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

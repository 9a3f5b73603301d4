/**
 * The one backoff of the project, on cockatiel's exponential backoff: "equal jitter" (half of
 * each step fixed, half random), so retries from many callers spread out but never bunch at
 * zero. Every retrying part uses it: the ingest task's re-invocations and reconnects, the
 * notifier's in-send retries, DynamoDB transaction conflicts.
 *
 * Two ways to use it:
 * - {@link backoffDelay}: the wait before retry number n, for state machines that schedule their
 *   own timers (the batcher, the feed connection);
 * - {@link retrying}: run an async call with retries, for plain request/response code.
 */
import { ExponentialBackoff, handleWhen, retry, type GeneratorFn, type IBackoff } from 'cockatiel';

export interface Backoff {
  /** The first step; doubles per retry. */
  initialMs: number;
  /** The largest step. */
  maxMs: number;
}

/** `random` in [0, 1): injectable so tests are deterministic. */
export type Random = () => number;

/** cockatiel generator: step n = min(max, initial·2ⁿ), waited as step/2 + random·step/2. */
function equalJitter(random: Random): GeneratorFn<number> {
  return (attempts = 0, options) => {
    const step = Math.min(options.maxDelay, options.initialDelay * 2 ** Math.min(attempts, 30));
    return [Math.round(step / 2 + (random() * step) / 2), attempts + 1];
  };
}

/** A cockatiel backoff factory for `backoff`. */
export function exponentialBackoff(backoff: Backoff, random: Random = Math.random): ExponentialBackoff<number> {
  return new ExponentialBackoff({ generator: equalJitter(random), initialDelay: backoff.initialMs, maxDelay: backoff.maxMs });
}

/**
 * The wait before retry number `retry` (1 for the first retry): between half and all of
 * min(maxMs, initialMs·2^(retry−1)).
 */
export function backoffDelay(backoff: Backoff, retry: number, random: Random = Math.random): number {
  let next: IBackoff<unknown> = exponentialBackoff(backoff, random).next();
  for (let n = 1; n < Math.max(1, retry); n++) next = next.next(undefined);
  return next.duration;
}

export interface RetryOptions {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  backoff: Backoff;
  /** Whether a thrown error is worth another attempt (others are rethrown at once). */
  retryOn: (error: unknown) => boolean;
  random?: Random;
}

/**
 * Runs `call` until it succeeds, throws an error `retryOn` refuses, or `maxAttempts` are spent
 * (then the last error is thrown).
 * @example await retrying(() => send(), { maxAttempts: 6, backoff: { initialMs: 10, maxMs: 320 }, retryOn: isConflict })
 */
export async function retrying<T>(call: () => Promise<T>, options: RetryOptions): Promise<T> {
  const policy = retry(handleWhen(options.retryOn), {
    maxAttempts: options.maxAttempts - 1,
    backoff: exponentialBackoff(options.backoff, options.random),
  });
  return policy.execute(() => call());
}

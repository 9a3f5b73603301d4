/**
 * Retries inside one send, for the HTTP senders (Telegram, webhooks): a few attempts, waited on
 * the sender's injectable clock with the project's one backoff (core/retry.ts `backoffDelay`), or
 * as long as the far side asked (Retry-After, retry_after), all within a budget. Waits are small on
 * purpose: a longer outage is the queue's job (redelivery).
 */
import { backoffDelay, type Backoff, type Random } from '../../../core/retry';
import type { Clock } from './delivery-clock';
import type { DeliveryLogger } from './delivery-logger';
import { DELIVERED, failure, type DeliveryResult } from './delivery-result';

export interface SendRetry extends Backoff {
  /** Attempts in one send, the first included. */
  maxAttempts: number;
  /** Total time one send may spend waiting between attempts before handing back to the queue. */
  budgetMs: number;
}

/** How one attempt ended. */
export type AttemptOutcome =
  | { kind: 'sent' }
  /** Stop now: not worth another attempt in this send (`retryable`: the queue may try again later). */
  | { kind: 'rejected'; error: string; retryable?: boolean; retryAfterMs?: number }
  /**
   * Worth another attempt, after `retryAfterMs` when the far side said so (else the backoff);
   * `waitsItself`: the next attempt does its own waiting (a rate limiter held off), so no sleep here.
   */
  | { kind: 'transient'; error: string; retryAfterMs?: number; waitsItself?: boolean };

export interface SendRetryOptions {
  retry: SendRetry;
  clock: Clock;
  random?: Random | undefined;
  logger?: DeliveryLogger | undefined;
  /** Names the send in the retry log line: `webhook send will be retried`. */
  what: string;
}

/**
 * Runs `attempt` (given the send's deadline) until it is sent, rejected, out of attempts or out of
 * budget, and answers the delivery result.
 * @example await sendWithRetries({ retry: WEBHOOK_RETRY, clock, what: 'webhook send' }, () => postOnce())
 */
export async function sendWithRetries(options: SendRetryOptions, attempt: (deadline: number) => Promise<AttemptOutcome>): Promise<DeliveryResult> {
  const { retry, clock } = options;
  const deadline = clock.now() + retry.budgetMs;
  for (let n = 1; ; n++) {
    const outcome = await attempt(deadline);
    if (outcome.kind === 'sent') return DELIVERED;
    if (outcome.kind === 'rejected') return failure(outcome.retryable ?? false, outcome.error, outcome.retryAfterMs);
    const waitMs = outcome.retryAfterMs ?? backoffDelay(retry, n, options.random);
    if (n >= retry.maxAttempts || clock.now() + waitMs > deadline) return failure(true, outcome.error, outcome.retryAfterMs);
    options.logger?.warn(`${options.what} will be retried`, { attempt: n, waitMs, error: outcome.error });
    if (outcome.waitsItself !== true) await clock.sleep(waitMs);
  }
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

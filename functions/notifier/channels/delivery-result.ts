/**
 * The outcome of one delivery, as a value: senders never throw for a failed delivery. The notifier
 * turns `retryable` into a redelivery of the queue message (after `retryAfterMs` when given) and
 * anything else into a `failed` delivery on the alert.
 */
import type { DeliverableAlert } from '../../../core/delivery/deliverable-alert';

export type DeliveryResult = { ok: true } | DeliveryFailure;

export interface DeliveryFailure {
  ok: false;
  /** True when the same delivery may succeed later (throttling, 5xx, network); false when it cannot. */
  retryable: boolean;
  /** Why, for the alert's delivery record: never holds a secret. */
  error: string;
  /** The earliest sensible retry, when the far side said so (Telegram retry_after, Retry-After). */
  retryAfterMs?: number;
}

/** One delivery channel: the send for one alert to one destination of that channel. */
export interface ChannelSender<C> {
  send(channel: C, alert: DeliverableAlert): Promise<DeliveryResult>;
}

export const DELIVERED: DeliveryResult = Object.freeze({ ok: true });

export function failure(retryable: boolean, error: string, retryAfterMs?: number): DeliveryFailure {
  return retryAfterMs === undefined ? { ok: false, retryable, error } : { ok: false, retryable, error, retryAfterMs: Math.ceil(retryAfterMs) };
}

/**
 * What the notifier does with one queued delivery: take the lease on it, send it through its
 * channel, record the outcome, and say whether the queue should hand it out again (and when).
 *
 * Attempts are counted on the alert record, not by the queue: after `maxAttempts` a retryable
 * failure becomes `failed` in `GET /alerts` (never silently lost). Retries back off 5 s, 15 s,
 * 45 s … (`retryBaseMs` × 3ⁿ; or as long as the far side asked, e.g. Telegram's retry_after).
 */
import type { DeliverableAlert } from '../../core/delivery/deliverable-alert';
import type { DeliveryMessage } from '../../core/delivery/delivery-message';
import type { Channel, Delivery } from '../../core/rule-model';
import type { DeliveryOutcome, LeaseResult } from '../../storage/deliveries-repository';
import type { DeliveryResult } from './channels/delivery-result';

export interface DeliveryStore {
  lease(owner: string, alertKey: string, index: number): Promise<LeaseResult>;
  finish(owner: string, alertKey: string, index: number, outcome: DeliveryOutcome): Promise<void>;
  read(owner: string, alertKey: string): Promise<DeliverableAlert | null>;
}

export interface Channels {
  send(channel: Channel, alert: DeliverableAlert): Promise<DeliveryResult>;
  /** The alert to the owner's open dashboards, with its deliveries as they stand (as read). */
  pushToDashboards(alert: DeliverableAlert): Promise<DeliveryResult>;
  /** A delivery's new state to the owner's open dashboards; best effort, never throws. */
  pushDeliveryUpdate(owner: string, alertId: string, index: number, delivery: Delivery): Promise<void>;
}

export interface DeliveryEvents {
  /** A delivery reached its channel (or finally failed): for logs and metrics. */
  finished(event: { channel: string; status: 'sent' | 'failed'; ruleId: string; symbol: string; tickToDeliveryMs: number; attempts: number }): void;
  retried(event: { channel: string; ruleId: string; attempts: number; error: string }): void;
}

export interface DeliverDeps {
  store: DeliveryStore;
  channels: Channels;
  events: DeliveryEvents;
  maxAttempts: number;
  /** First step of the backoff between attempts (DELIVERY_RETRY_BASE_MS, 5 s). */
  retryBaseMs: number;
  now: () => number;
}

/** Done with the message, or hand it out again after `delayMs`. */
export type DeliverOutcome = { retry: false } | { retry: true; delayMs: number };

const MAX_ERROR_LENGTH = 500;

export const DEFAULT_RETRY_BASE_MS = 5_000;

/** The wait before the next attempt: `baseMs` × 3^(attempts − 1), at least what was asked, at most 12 h. */
export function retryDelayMs(attempts: number, askedMs: number | undefined, baseMs = DEFAULT_RETRY_BASE_MS): number {
  const backoff = baseMs * 3 ** Math.max(0, attempts - 1);
  return Math.min(Math.max(askedMs ?? 0, backoff), 12 * 60 * 60 * 1000);
}

export async function deliver(deps: DeliverDeps, message: DeliveryMessage): Promise<DeliverOutcome> {
  if (message.kind === 'dashboard') {
    const record = await deps.store.read(message.owner, message.alertKey);
    if (record === null) return { retry: false };
    const result = await deps.channels.pushToDashboards(record);
    return !result.ok && result.retryable ? { retry: true, delayMs: retryDelayMs(1, result.retryAfterMs, deps.retryBaseMs) } : { retry: false };
  }

  const lease = await deps.store.lease(message.owner, message.alertKey, message.index);
  if (lease.status !== 'leased') return { retry: false };
  const { alert } = lease.alert;
  const channel = lease.alert.channels[message.index];
  const attempts = (alert.deliveries[message.index]?.attempts ?? 0) + 1;
  // Recorded first, then told to the open dashboards (which `GET /alerts` would tell as well).
  const finish = async (outcome: DeliveryOutcome) => {
    await deps.store.finish(message.owner, message.alertKey, message.index, outcome);
    if (channel === undefined) return;
    const delivery: Delivery = { channel: channel.type, status: outcome.status, attempts: outcome.attempts, ...(outcome.error === undefined ? {} : { error: outcome.error }) };
    await deps.channels.pushDeliveryUpdate(message.owner, alert.id, message.index, delivery);
  };
  const report = (status: 'sent' | 'failed') =>
    deps.events.finished({
      channel: channel?.type ?? 'unknown',
      status,
      ruleId: alert.ruleId,
      symbol: alert.symbol,
      tickToDeliveryMs: deps.now() - Date.parse(alert.tickAt),
      attempts,
    });

  if (channel === undefined) {
    await finish({ status: 'failed', attempts, error: 'the alert has no channel at this position' });
    report('failed');
    return { retry: false };
  }
  const result = await deps.channels.send(channel, lease.alert);
  if (result.ok) {
    await finish({ status: 'sent', attempts });
    report('sent');
    return { retry: false };
  }
  const error = result.error.slice(0, MAX_ERROR_LENGTH);
  if (result.retryable && attempts < deps.maxAttempts) {
    await finish({ status: 'pending', attempts, error });
    deps.events.retried({ channel: channel.type, ruleId: alert.ruleId, attempts, error });
    return { retry: true, delayMs: retryDelayMs(attempts, result.retryAfterMs, deps.retryBaseMs) };
  }
  await finish({ status: 'failed', attempts, error });
  report('failed');
  return { retry: false };
}

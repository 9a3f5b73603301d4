/**
 * What the notifier does with one queued delivery: take the lease on it, pass its destination's
 * lane, send it through its channel once, record the outcome, and say whether the queue should
 * hand it out again (and when).
 *
 * Each destination (a chat, an address, a URL: core/channels/registry.ts `destinationKey`) is a
 * lane of its own, so one that fails or is slow never delays another:
 * - its circuit breaker (destination-lanes.ts): after DELIVERY_LANE_FAILURES retryable failures
 *   in a row its deliveries go back to the queue at once, without a send, until a probe succeeds;
 * - its pacing (storage/send-pacing-repository.ts, shared by every instance): Telegram's 1 a
 *   second per chat and ~30 a second per bot, the SES account's rate. A slot within
 *   DELIVERY_MAX_PACE_WAIT_MS is waited for; a later one sends the delivery back to the queue to
 *   come back at that slot (a new message whose `slotAt` attribute carries the reserved slot, so
 *   waiting never counts as an attempt nor towards the dead-letter queue's receive count);
 * - its retries: one attempt per send, the queue hands a failed one out again after 1 s, 3 s, 9 s …
 *   (`retryBaseMs` × 3ⁿ, or as long as the far side asked, e.g. Telegram's retry_after), never a
 *   wait inside the invocation that deliveries to other destinations would queue behind.
 * Attempts are counted on the alert record, not by the queue: after `maxAttempts` a retryable
 * failure becomes `failed` in `GET /alerts` (never silently lost).
 */
import type { PaceLane } from '../../core/channels/definition';
import type { DeliverableAlert } from '../../core/delivery/deliverable-alert';
import type { DeliveryMessage } from '../../core/delivery/delivery-message';
import type { Channel, Delivery } from '../../core/rule-model';
import type { DeliveryOutcome, LeaseResult } from '../../storage/deliveries-repository';
import { destinationKey } from '../../core/channels/registry';
import { DEFAULT_RETRY_BASE_MS } from '../shared/delivery-queue-settings';
import { failure, type DeliveryResult } from './channels/delivery-result';
import type { DestinationLanes } from './destination-lanes';

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

/** The pacing lanes shared by every notifier instance (storage/send-pacing-repository.ts). */
export interface Pacer {
  /** The lanes a send on `channel` takes a slot on (none: not paced). */
  lanesOf(channel: Channel): PaceLane[];
  /** Reserves a slot on each lane; answers when the send may go (epoch ms, the latest of them). */
  reserve(lanes: readonly PaceLane[], now: number): Promise<number>;
  /** No slot on `lane` before `until`: the far side asked to wait. */
  holdOff(lane: PaceLane, until: number): Promise<void>;
}

export interface DeliverDeps {
  store: DeliveryStore;
  channels: Channels;
  events: DeliveryEvents;
  /** The destinations' circuit breakers, per notifier instance. */
  lanes: DestinationLanes;
  pacer: Pacer;
  /** A slot further away than this is waited for on the queue, not in the invocation (DELIVERY_MAX_PACE_WAIT_MS). */
  maxPaceWaitMs: number;
  maxAttempts: number;
  /** First step of the backoff between attempts (DELIVERY_RETRY_BASE_MS, 1 s). */
  retryBaseMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

/**
 * Done with the message; hand it out again after `delayMs` (a retry: the attempt is recorded); or
 * put it on the queue again as a new message to arrive after `delayMs`, with its reserved pacing
 * slot, and drop this one (waiting for the slot).
 */
export type DeliverOutcome = { retry: false } | { retry: true; delayMs: number } | { retry: false; requeue: { slotAt: number }; delayMs: number };

/** What the queue says about the message besides its body. */
export interface DeliveryReceipt {
  /** The pacing slot already reserved for it (epoch ms), when the notifier put it back to wait for that slot. */
  slotAt?: number | undefined;
}

const MAX_ERROR_LENGTH = 500;
/** A reserved slot this close is taken as now (the queue's delays are whole seconds, its polls not exact). */
const SLOT_TOLERANCE_MS = 50;

/** The wait before the next attempt: `baseMs` × 3^(attempts − 1), at least what was asked, at most 12 h. */
export function retryDelayMs(attempts: number, askedMs: number | undefined, baseMs = DEFAULT_RETRY_BASE_MS): number {
  const backoff = baseMs * 3 ** Math.max(0, attempts - 1);
  return Math.min(Math.max(askedMs ?? 0, backoff), 12 * 60 * 60 * 1000);
}

export async function deliver(deps: DeliverDeps, message: DeliveryMessage, receipt: DeliveryReceipt = {}): Promise<DeliverOutcome> {
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

  // The breaker first: a destination that keeps failing takes no pacing slot and no send.
  const destination = destinationKey(channel);
  const admission = deps.lanes.admit(destination);
  let result: DeliveryResult;
  if (!admission.go) {
    result = failure(true, `not sent: ${channel.type} destination paused after repeated failures; next try in ${Math.ceil(admission.retryAfterMs / 1000)} s`, admission.retryAfterMs);
  } else {
    const paceLanes = deps.pacer.lanesOf(channel);
    const slotAt = receipt.slotAt ?? (paceLanes.length === 0 ? deps.now() : await deps.pacer.reserve(paceLanes, deps.now()));
    const waitMs = slotAt - deps.now();
    if (waitMs > deps.maxPaceWaitMs) {
      // Back to the queue until the slot, the lease given back and nothing counted: it was never tried.
      deps.lanes.settle(destination, 'skipped');
      const previous = alert.deliveries[message.index];
      await deps.store.finish(message.owner, message.alertKey, message.index, { status: 'pending', attempts: attempts - 1, error: previous?.error });
      return { retry: false, requeue: { slotAt }, delayMs: waitMs };
    }
    if (waitMs > SLOT_TOLERANCE_MS) await deps.sleep(waitMs);
    result = await deps.channels.send(channel, lease.alert);
    deps.lanes.settle(destination, result.ok ? 'sent' : result.retryable ? 'retryable' : 'permanent');
    // Told to wait (a 429): the destination's own lane takes no slot before then, on any instance.
    const own = paceLanes[0];
    if (!result.ok && result.retryAfterMs !== undefined && own !== undefined) await deps.pacer.holdOff(own, deps.now() + result.retryAfterMs);
  }
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

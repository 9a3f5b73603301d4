/**
 * Queues the deliveries of alerts left in the delivery outbox: claimed, but the evaluator died or
 * the queue was down before their deliveries were queued. Runs on a schedule (every minute in
 * AWS, on an interval in the local stack), and from the evaluator itself every few seconds
 * (`OutboxWatch`); alerts younger than `minAgeMs` are left to the evaluator that is queueing them.
 * Queueing an alert twice is harmless: the notifier skips a delivery that is done or under way.
 */
import type { OutboxEntry } from '../../storage/delivery-outbox';
import { deliveriesOf, type DeliveryQueue } from './delivery-queue';

export interface OutboxStore {
  listOutbox(before: Date, limit: number): Promise<OutboxEntry[]>;
  markQueued(owner: string, alertKey: string): Promise<void>;
}

export interface SweepOptions {
  minAgeMs: number;
  limit: number;
}

/** Queues what the outbox holds; returns how many alerts it took out. */
export async function sweepOutbox(store: OutboxStore, queue: DeliveryQueue, now: number, options: SweepOptions): Promise<number> {
  const entries = await store.listOutbox(new Date(now - options.minAgeMs), options.limit);
  for (const entry of entries) {
    const pending = entry.deliveries.flatMap((d, i) => (d.status === 'pending' ? [i] : []));
    const deliveries = deliveriesOf(entry.owner, entry.alertKey, entry.channels, pending, true);
    if (deliveries.length > 0) await queue.enqueue(deliveries);
    await store.markQueued(entry.owner, entry.alertKey);
  }
  return entries.length;
}

/**
 * The evaluator's own look at the outbox, at most once per `everyMs` of wall time per instance.
 * Its case: a batch whose first attempt claimed an alert and then failed (queue down, timeout)
 * is retried, but the retry is judged against the trigger state that attempt wrote and may not
 * fire again (a cooldown now applies), so nothing re-queues that alert. The scheduled sweeper
 * would, within a minute and a half; this does it within seconds while batches flow.
 *
 * @example
 * const watch = new OutboxWatch(store, queue, { everyMs: 5_000, minAgeMs: 5_000, limit: 25 });
 * await watch.sweepIfDue(Date.now()); // 0 until 5 s have passed since the last look
 */
export class OutboxWatch {
  private nextAt = 0;

  constructor(
    private readonly store: OutboxStore,
    private readonly queue: DeliveryQueue,
    private readonly options: SweepOptions & { everyMs: number },
  ) {}

  /** Sweeps if the last look is `everyMs` old; returns how many alerts it queued. */
  async sweepIfDue(now: number): Promise<number> {
    if (now < this.nextAt) return 0;
    // Due again after `everyMs` even if this look fails: a broken outbox must not cost every batch a Query.
    this.nextAt = now + this.options.everyMs;
    return sweepOutbox(this.store, this.queue, now, this.options);
  }
}

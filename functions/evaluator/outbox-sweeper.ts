/**
 * Queues the deliveries of alerts left in the delivery outbox: claimed, but the evaluator died or
 * the queue was down before their deliveries were queued. Runs on a schedule (every minute in
 * AWS, on an interval in the local stack); alerts younger than `minAgeMs` are left to the
 * evaluator that is queueing them.
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

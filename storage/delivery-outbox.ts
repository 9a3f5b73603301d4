/**
 * The delivery outbox: alerts whose deliveries may not be queued yet. A claim writes the alert
 * with the outbox index keys (trigger-state-repository.ts); once its deliveries are on the queues
 * the evaluator removes them. An alert left in the outbox (the evaluator crashed, or the queue was
 * down, between the claim and the queueing) is found by the outbox sweeper, which queues its
 * pending deliveries. Queueing twice is harmless: the notifier skips a delivery already done.
 */
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Channel, Delivery } from '../core/rule-model';
import type { Db } from './dynamodb-client';
import { ALERT_SK_PREFIX, alertKey, DELIVERY_OUTBOX_PARTITION, GSI3PK, GSI3SK, SK } from './item-keys';
import { DELIVERY_OUTBOX_INDEX } from './table-definition';

export interface OutboxEntry {
  owner: string;
  /** Sort key of the alert in its owner's partition. */
  alertKey: string;
  channels: Channel[];
  deliveries: Delivery[];
}

/** Takes an alert out of the outbox: its deliveries are queued. */
export async function markQueued(db: Db, owner: string, key: string): Promise<void> {
  await db.doc.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: alertKey(owner, key),
      UpdateExpression: 'REMOVE #gpk, #gsk',
      ExpressionAttributeNames: { '#gpk': GSI3PK, '#gsk': GSI3SK },
    }),
  );
}

/** Alerts in the outbox that were triggered before `before` (oldest first), at most `limit`. */
export async function listOutbox(db: Db, before: Date, limit: number): Promise<OutboxEntry[]> {
  const { Items = [] } = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      IndexName: DELIVERY_OUTBOX_INDEX.indexName,
      KeyConditionExpression: '#gpk = :outbox AND #gsk < :before',
      ExpressionAttributeNames: { '#gpk': GSI3PK, '#gsk': GSI3SK },
      ExpressionAttributeValues: { ':outbox': DELIVERY_OUTBOX_PARTITION, ':before': `${ALERT_SK_PREFIX}${before.toISOString()}` },
      Limit: limit,
    }),
  );
  return Items.map((item) => ({
    owner: String(item.owner),
    alertKey: String(item[SK]),
    channels: (item.channels ?? []) as Channel[],
    deliveries: (item.deliveries ?? []) as Delivery[],
  }));
}

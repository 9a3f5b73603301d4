/**
 * The notifier's side of an alert record: reading what to deliver, and recording each delivery.
 *
 * A queue may hand the same delivery to two workers (a duplicate message, a redelivery after a
 * timeout). Before sending, a worker takes a *lease* on the delivery: a conditional write that
 * succeeds only while the delivery is `pending` and nobody else holds an unexpired lease. The
 * second worker finds the lease (or the finished delivery) and skips. A worker that dies leaves
 * a lease that expires before the queue hands the message out again.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DeliverableAlert } from '../core/delivery/deliverable-alert';
import type { Channel, DeliveryStatus } from '../core/rule-model';
import { toAlert } from './alerts-repository';
import type { Db } from './dynamodb-client';
import { alertKey, PK } from './item-keys';

function toDeliverable(item: Record<string, unknown>): DeliverableAlert {
  return {
    owner: String(item.owner),
    alert: toAlert(item),
    channels: (item.channels ?? []) as Channel[],
    note: typeof item.note === 'string' ? item.note : null,
  };
}

/** The document path of delivery `index` of an alert item. */
function deliveryPath(index: number): string {
  if (!Number.isInteger(index) || index < 0) throw new RangeError(`a delivery index must be a non-negative integer, got ${index}`);
  return `deliveries[${index}]`;
}

export async function getDeliverableAlert(db: Db, owner: string, key: string): Promise<DeliverableAlert | null> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: alertKey(owner, key), ConsistentRead: true }));
  return Item === undefined ? null : toDeliverable(Item);
}

export type LeaseResult =
  | { status: 'leased'; alert: DeliverableAlert }
  /** The delivery is finished (sent or failed): nothing to do. */
  | { status: 'done' }
  /** Another worker holds the lease: it is being sent right now. */
  | { status: 'busy' }
  /** No such alert or delivery. */
  | { status: 'missing' };

/** Takes the lease on delivery `index` of an alert until `now + leaseMs`. */
export async function leaseDelivery(db: Db, owner: string, key: string, index: number, now: number, leaseMs: number): Promise<LeaseResult> {
  const path = deliveryPath(index);
  try {
    const { Attributes } = await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: alertKey(owner, key),
        UpdateExpression: 'SET leases.#d = :until',
        ConditionExpression:
          'attribute_exists(#pk) AND size(deliveries) > :index AND ' + `${path}.#status = :pending AND (attribute_not_exists(leases.#d) OR leases.#d < :now)`,
        ExpressionAttributeNames: { '#pk': PK, '#d': `d${index}`, '#status': 'status' },
        ExpressionAttributeValues: { ':until': now + leaseMs, ':index': index, ':pending': 'pending', ':now': now },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return { status: 'leased', alert: toDeliverable(Attributes ?? {}) };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  const current = await getDeliverableAlert(db, owner, key);
  const delivery = current?.alert.deliveries[index];
  if (delivery === undefined) return { status: 'missing' };
  return delivery.status === 'pending' ? { status: 'busy' } : { status: 'done' };
}

export interface DeliveryOutcome {
  status: DeliveryStatus;
  attempts: number;
  /** Why the last attempt failed; cleared on success. */
  error?: string | undefined;
}

/** Records the outcome of an attempt and gives the lease back. */
export async function finishDelivery(db: Db, owner: string, key: string, index: number, outcome: DeliveryOutcome): Promise<void> {
  const path = deliveryPath(index);
  const set = [`${path}.#status = :status`, `${path}.attempts = :attempts`, ...(outcome.error === undefined ? [] : [`${path}.#error = :error`])];
  const remove = ['leases.#d', ...(outcome.error === undefined ? [`${path}.#error`] : [])];
  await db.doc.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: alertKey(owner, key),
      UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
      ConditionExpression: 'attribute_exists(#pk) AND size(deliveries) > :index',
      ExpressionAttributeNames: { '#pk': PK, '#d': `d${index}`, '#status': 'status', '#error': 'error' },
      ExpressionAttributeValues: {
        ':status': outcome.status,
        ':attempts': outcome.attempts,
        ':index': index,
        ...(outcome.error === undefined ? {} : { ':error': outcome.error }),
      },
    }),
  );
}

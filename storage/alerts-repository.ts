/**
 * Alert history: one partition per owner, sorted by the time the alert fired, kept for a
 * retention period by DynamoDB's TTL. The evaluator puts alerts, the notifier records each
 * delivery's outcome, and `GET /alerts` lists them newest first.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Alert, DeliveryStatus } from '../core/rule-model';
import type { Db } from './dynamodb-client';
import { ALERT_SK_PREFIX, alertKey, alertPartition, alertSortKey, PK, SK, TTL } from './item-keys';
import { queryPage, type Page } from './query-page';

export const DEFAULT_ALERT_RETENTION_DAYS = 90;

const ALERT_FIELDS = ['id', 'ruleId', 'symbol', 'price', 'condition', 'message', 'tickAt', 'triggeredAt', 'deliveries'] as const satisfies readonly (keyof Alert)[];

/**
 * The key that locates an alert within its owner's history (its sort key). Because it holds
 * `triggeredAt`, a writer that wants retries to be idempotent must derive both `triggeredAt` and
 * `id` from the batch, not from the clock.
 */
export const alertKeyOf = (alert: Pick<Alert, 'triggeredAt' | 'id'>) => alertSortKey(alert.triggeredAt, alert.id);

function toAlert(item: Record<string, unknown>): Alert {
  return Object.fromEntries(ALERT_FIELDS.map((field) => [field, item[field]])) as unknown as Alert;
}

/**
 * Stores an alert unless one with the same key exists (a retried or duplicate evaluation).
 * @returns `'created'`, or `'exists'` when the alert was already stored (nothing is written).
 */
export async function putAlert(db: Db, owner: string, alert: Alert, options: { retentionDays?: number } = {}): Promise<'created' | 'exists'> {
  const retentionSeconds = (options.retentionDays ?? DEFAULT_ALERT_RETENTION_DAYS) * 86_400;
  const key = alertKey(owner, alertKeyOf(alert));
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...alert, ...key, owner, [TTL]: Math.floor(Date.parse(alert.triggeredAt) / 1000) + retentionSeconds },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': PK },
      }),
    );
    return 'created';
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return 'exists';
    throw error;
  }
}

export async function getAlert(db: Db, owner: string, key: string): Promise<Alert | null> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: alertKey(owner, key), ConsistentRead: true }));
  return Item === undefined ? null : toAlert(Item);
}

export interface ListAlertsOptions {
  limit: number;
  cursor?: string | undefined;
  ruleId?: string | undefined;
  symbol?: string | undefined;
  /** ISO time: only alerts triggered at or after it. */
  since?: string | undefined;
}

/** The owner's alerts, newest first, one page at a time. */
export async function listAlerts(db: Db, owner: string, options: ListAlertsOptions): Promise<Page<Alert>> {
  const partition = alertPartition(owner);
  const from = options.since === undefined ? undefined : `${ALERT_SK_PREFIX}${options.since}`;
  const names: Record<string, string> = { '#pk': PK, '#sk': SK };
  const values: Record<string, unknown> = { ':pk': partition };
  if (from === undefined) values[':prefix'] = ALERT_SK_PREFIX;
  else values[':from'] = from;
  const filters: string[] = [];
  for (const field of ['ruleId', 'symbol'] as const) {
    const value = options[field];
    if (value === undefined) continue;
    filters.push(`#${field} = :${field}`);
    names[`#${field}`] = field;
    values[`:${field}`] = value;
  }
  return queryPage(db, {
    partition,
    sortKeyPrefix: ALERT_SK_PREFIX,
    query: {
      KeyConditionExpression: from === undefined ? '#pk = :pk AND begins_with(#sk, :prefix)' : '#pk = :pk AND #sk >= :from',
      ...(filters.length === 0 ? {} : { FilterExpression: filters.join(' AND ') }),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: false,
      ConsistentRead: true,
    },
    limit: options.limit,
    cursor: options.cursor,
    toItem: toAlert,
    beyondRange: (sortKey) => from !== undefined && sortKey < from,
  });
}

export interface DeliveryUpdate {
  status: DeliveryStatus;
  attempts: number;
  /** Why the last attempt failed; omitted (and cleared) on success. */
  error?: string | undefined;
}

/**
 * Records the outcome of delivering alert `key` to its channel number `channelIndex`.
 * @returns false when there is no such alert or channel.
 */
export async function updateDelivery(db: Db, owner: string, key: string, channelIndex: number, update: DeliveryUpdate): Promise<boolean> {
  if (!Number.isInteger(channelIndex) || channelIndex < 0) throw new RangeError(`channelIndex must be a non-negative integer, got ${channelIndex}`);
  const path = `deliveries[${channelIndex}]`;
  const set = [`${path}.#status = :status`, `${path}.attempts = :attempts`, ...(update.error === undefined ? [] : [`${path}.#error = :error`])];
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: alertKey(owner, key),
        UpdateExpression: `SET ${set.join(', ')}${update.error === undefined ? ` REMOVE ${path}.#error` : ''}`,
        ConditionExpression: 'attribute_exists(#pk) AND size(deliveries) > :index',
        ExpressionAttributeNames: { '#pk': PK, '#status': 'status', '#error': 'error' },
        ExpressionAttributeValues: {
          ':status': update.status,
          ':attempts': update.attempts,
          ':index': channelIndex,
          ...(update.error === undefined ? {} : { ':error': update.error }),
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

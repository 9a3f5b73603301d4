/**
 * Alert history: one partition per owner, sorted by the time the alert fired, kept for a
 * retention period by DynamoDB's TTL. The evaluator's claim writes alerts
 * (trigger-state-repository.ts), the notifier records each delivery's outcome
 * (deliveries-repository.ts), and `GET /alerts` lists them newest first.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Alert } from '../core/rule-model';
import type { Db } from './dynamodb-client';
import { ALERT_SK_PREFIX, alertKey, alertPartition, alertSortKey, PK, SK } from './item-keys';
import { queryPage, type Page } from './query-page';

export const DEFAULT_ALERT_RETENTION_DAYS = 90;

const ALERT_FIELDS = ['id', 'ruleId', 'symbol', 'price', 'condition', 'message', 'tickAt', 'triggeredAt', 'deliveries'] as const satisfies readonly (keyof Alert)[];

/**
 * The key that locates an alert within its owner's history (its sort key). Because it holds
 * `triggeredAt`, a writer that wants retries to be idempotent must derive both `triggeredAt` and
 * `id` from the batch, not from the clock.
 */
export const alertKeyOf = (alert: Pick<Alert, 'triggeredAt' | 'id'>) => alertSortKey(alert.triggeredAt, alert.id);

/** The alert resource of a stored alert item: its other attributes (owner, channels, leases, keys) left out. */
export function toAlert(item: Record<string, unknown>): Alert {
  return Object.fromEntries(ALERT_FIELDS.map((field) => [field, item[field]])) as unknown as Alert;
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

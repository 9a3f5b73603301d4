/**
 * Alert history: one partition per owner, sorted by the time the alert fired, kept for a
 * retention period by DynamoDB's TTL. The evaluator's claim writes alerts
 * (trigger-state-repository.ts, with the keys of {@link alertItemKeys}), the notifier records
 * each delivery's outcome (deliveries-repository.ts), and `GET /alerts` lists them newest first:
 * from the owner's partition, or with `ruleId` from the alerts-by-rule index (GSI4), which holds
 * only that rule's alerts, so a rule's history costs what it returns, not the owner's whole history.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Alert } from '../core/rule-model';
import type { Db } from './dynamodb-client';
import { ALERT_SK_PREFIX, alertKey, alertPartition, alertRuleIndexKeys, alertRuleIndexPartition, alertSortKey, GSI4PK, GSI4SK, PK, SK } from './item-keys';
import { ALERTS_BY_RULE_INDEX } from './table-definition';
import { queryPage, type Page } from './query-page';

export const DEFAULT_ALERT_RETENTION_DAYS = 90;

const ALERT_FIELDS = ['id', 'ruleId', 'symbol', 'price', 'condition', 'message', 'tickAt', 'triggeredAt', 'deliveries'] as const satisfies readonly (keyof Alert)[];

/**
 * The key that locates an alert within its owner's history (its sort key). Because it holds
 * `triggeredAt`, a writer that wants retries to be idempotent must derive both `triggeredAt` and
 * `id` from the batch, not from the clock.
 */
export const alertKeyOf = (alert: Pick<Alert, 'triggeredAt' | 'id'>) => alertSortKey(alert.triggeredAt, alert.id);

/**
 * Every key attribute an alert item is written with: its place in the owner's history and in the
 * alerts-by-rule index. Each writer of an alert item spreads these (an item without the index keys
 * would be missing from `GET /alerts?ruleId=`).
 */
export function alertItemKeys(owner: string, alert: Pick<Alert, 'triggeredAt' | 'id' | 'ruleId'>): Record<string, string> {
  const sortKey = alertKeyOf(alert);
  return { ...alertKey(owner, sortKey), ...alertRuleIndexKeys(owner, alert.ruleId, sortKey) };
}

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

/**
 * The owner's alerts, newest first, one page at a time. With `ruleId` the Query runs on the
 * alerts-by-rule index (eventually consistent, as every GSI read: an alert claimed a moment ago
 * may show a moment later); otherwise on the owner's partition, consistently. Both sort by the
 * alert sort key, so a cursor is the same position in either and filters may change between pages.
 */
export async function listAlerts(db: Db, owner: string, options: ListAlertsOptions): Promise<Page<Alert>> {
  const partition = alertPartition(owner);
  const byRule = options.ruleId === undefined ? undefined : alertRuleIndexPartition(owner, options.ruleId);
  const from = options.since === undefined ? undefined : `${ALERT_SK_PREFIX}${options.since}`;
  const names: Record<string, string> = byRule === undefined ? { '#pk': PK, '#sk': SK } : { '#pk': GSI4PK, '#sk': GSI4SK };
  const values: Record<string, unknown> = { ':pk': byRule ?? partition };
  if (from === undefined) values[':prefix'] = ALERT_SK_PREFIX;
  else values[':from'] = from;
  const filters: string[] = [];
  if (options.symbol !== undefined) {
    filters.push('#symbol = :symbol');
    names['#symbol'] = 'symbol';
    values[':symbol'] = options.symbol;
  }
  return queryPage(db, {
    partition: byRule ?? partition,
    sortKeyPrefix: ALERT_SK_PREFIX,
    query: {
      ...(byRule === undefined ? { ConsistentRead: true } : { IndexName: ALERTS_BY_RULE_INDEX.indexName }),
      KeyConditionExpression: from === undefined ? '#pk = :pk AND begins_with(#sk, :prefix)' : '#pk = :pk AND #sk >= :from',
      ...(filters.length === 0 ? {} : { FilterExpression: filters.join(' AND ') }),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: false,
    },
    ...(byRule === undefined ? {} : { startKey: (sortKey: string) => ({ [GSI4PK]: byRule, [GSI4SK]: sortKey, ...alertKey(owner, sortKey) }) }),
    limit: options.limit,
    cursor: options.cursor,
    toItem: toAlert,
    beyondRange: (sortKey) => from !== undefined && sortKey < from,
  });
}

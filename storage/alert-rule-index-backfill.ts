/**
 * One-off backfill of the alerts-by-rule index (GSI4) for alerts written before it existed: they
 * lack `GSI4PK`/`GSI4SK`, so `GET /alerts?ruleId=` does not see them (the unfiltered listing and
 * `?symbol=` still do). An operator runs it once after deploying the index
 * (scripts/backfill-alert-rule-index.ts); it is the only Scan in the project, since finding the
 * items that lack the keys is exactly what no index can answer. Idempotent and safe beside live
 * traffic: each write only adds the two keys, on a condition that the item exists and lacks them.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { updateIfCondition } from './conditional-update';
import type { Db } from './dynamodb-client';
import { ALERT_SK_PREFIX, alertRuleIndexKeys, GSI4PK, GSI4SK, PK, SK } from './item-keys';

const ALERT_PARTITION_PREFIX = 'ALERTS#';

export interface BackfillCounts {
  /** Alert items that lacked the index keys. */
  found: number;
  /** Of them, given the keys by this run. */
  updated: number;
  /** Of them, gone or keyed meanwhile (TTL, another run): nothing written. */
  skipped: number;
}

/** Gives every alert item without the alerts-by-rule index keys its keys; `pageSize` items per Scan page. */
export async function backfillAlertRuleIndex(db: Db, options: { pageSize?: number } = {}): Promise<BackfillCounts> {
  const counts: BackfillCounts = { found: 0, updated: 0, skipped: 0 };
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.doc.send(
      new ScanCommand({
        TableName: db.tableName,
        FilterExpression: 'begins_with(#pk, :alerts) AND begins_with(#sk, :alert) AND attribute_not_exists(#gpk)',
        ExpressionAttributeNames: { '#pk': PK, '#sk': SK, '#gpk': GSI4PK },
        ExpressionAttributeValues: { ':alerts': ALERT_PARTITION_PREFIX, ':alert': ALERT_SK_PREFIX },
        ExclusiveStartKey: startKey,
        Limit: options.pageSize ?? 500,
      }),
    );
    for (const item of page.Items ?? []) {
      counts.found++;
      const pk = String(item[PK]);
      const sk = String(item[SK]);
      const owner = pk.slice(ALERT_PARTITION_PREFIX.length);
      const keys = alertRuleIndexKeys(owner, String(item.ruleId), sk);
      const written = await updateIfCondition(db, {
        TableName: db.tableName,
        Key: { [PK]: pk, [SK]: sk },
        UpdateExpression: 'SET #gpk = :gpk, #gsk = :gsk',
        ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#gpk)',
        ExpressionAttributeNames: { '#pk': PK, '#gpk': GSI4PK, '#gsk': GSI4SK },
        ExpressionAttributeValues: { ':gpk': keys[GSI4PK], ':gsk': keys[GSI4SK] },
      });
      if (written) counts.updated++;
      else counts.skipped++;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return counts;
}

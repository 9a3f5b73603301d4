/**
 * Alert records for the tests that read them (`GET /alerts`, the repositories): a plain DynamoDB
 * put of the item the evaluator's claim writes (storage/trigger-state-repository.ts), for alerts
 * of any rule without claiming them one by one. Tests of the write itself claim through
 * `claimAlert`, as production does.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Alert, Channel } from '../../core/rule-model';
import { alertItemKeys, DEFAULT_ALERT_RETENTION_DAYS } from '../../storage/alerts-repository';
import type { Db } from '../../storage/dynamodb-client';
import { TTL } from '../../storage/item-keys';

/** Stores `alert` in `owner`'s history, with the channels and note it was fired with. */
export async function storeAlert(db: Db, owner: string, alert: Alert, fired: { channels?: Channel[]; note?: string | null } = {}): Promise<void> {
  await db.doc.send(
    new PutCommand({
      TableName: db.tableName,
      Item: {
        ...alert,
        ...alertItemKeys(owner, alert),
        owner,
        channels: fired.channels ?? [],
        note: fired.note ?? null,
        leases: {},
        [TTL]: Math.floor(Date.parse(alert.triggeredAt) / 1000) + DEFAULT_ALERT_RETENTION_DAYS * 86_400,
      },
    }),
  );
}

/**
 * Upgrading a table kept from before the alerts-by-rule index (GSI4), on DynamoDB Local: ensureTable
 * adds the index to the existing table, the alerts written before it are invisible to
 * `?ruleId=` until the one-off backfill gives them the index keys, and a second run changes nothing.
 */
import { DeleteTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertItemKeys, listAlerts } from '../../storage/alerts-repository';
import { backfillAlertRuleIndex } from '../../storage/alert-rule-index-backfill';
import { createDb, type Db } from '../../storage/dynamodb-client';
import { GSI4PK, GSI4SK } from '../../storage/item-keys';
import { ALERTS_BY_RULE_INDEX, TABLE } from '../../storage/table-definition';
import { ensureTable } from '../../storage/table-setup';
import { alert, T0 } from '../support/api-fixtures';
import { storeAlert } from '../support/delivery-alerts';
import { uniqueOwner, uniqueTableName, useDynamoDbTable } from '../support/dynamodb';

const emulator = useDynamoDbTable();
const BEFORE_THE_INDEX = { ...TABLE, globalSecondaryIndexes: TABLE.globalSecondaryIndexes.filter((i) => i.indexName !== ALERTS_BY_RULE_INDEX.indexName) };

let db: Db;
beforeAll(async () => {
  db = createDb({ endpoint: emulator.endpoint, tableName: uniqueTableName() });
  await ensureTable(db, BEFORE_THE_INDEX);
});
afterAll(async () => {
  await db.doc.send(new DeleteTableCommand({ TableName: db.tableName }));
  db.doc.destroy();
});

const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000).toISOString();

/** An alert item as the claim wrote it before the index: no GSI4 keys. */
async function putOldAlert(owner: string, ruleId: string, minutes: number) {
  const old = alert({ ruleId, triggeredAt: at(minutes) });
  const { [GSI4PK]: _pk, [GSI4SK]: _sk, ...baseKeys } = alertItemKeys(owner, old);
  await db.doc.send(new PutCommand({ TableName: db.tableName, Item: { ...old, ...baseKeys, owner, channels: [], note: null, leases: {} } }));
  return old;
}

describe('alerts-by-rule index on a table from before it', () => {
  it('is added to the existing table, and the backfill makes older alerts visible to ?ruleId=', async () => {
    const owner = uniqueOwner();
    const ruleId = '0123456789abcdefABCDEF';
    const old = [await putOldAlert(owner, ruleId, 0), await putOldAlert(owner, ruleId, 1), await putOldAlert(uniqueOwner(), ruleId, 2)];

    await ensureTable(db);
    const { Table } = await db.doc.send(new DescribeTableCommand({ TableName: db.tableName }));
    expect(Table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.IndexStatus]).sort()).toEqual(
      TABLE.globalSecondaryIndexes.map((i) => [i.indexName, 'ACTIVE']),
    );
    const fresh = alert({ ruleId, triggeredAt: at(3) });
    await storeAlert(db, owner, fresh);

    // Before the backfill: the new alert only; the old ones are still in the owner's history.
    expect((await listAlerts(db, owner, { limit: 10, ruleId })).items).toEqual([fresh]);
    expect((await listAlerts(db, owner, { limit: 10 })).items).toHaveLength(3);

    expect(await backfillAlertRuleIndex(db, { pageSize: 1 })).toEqual({ found: 3, updated: 3, skipped: 0 });
    expect((await listAlerts(db, owner, { limit: 10, ruleId })).items).toEqual([fresh, old[1], old[0]]);
    expect(await backfillAlertRuleIndex(db)).toEqual({ found: 0, updated: 0, skipped: 0 });

    await ensureTable(db);
    // DynamoDB Local builds an index added to a table in the background: alone this takes about a
    // second, under a full test run on two cores it has taken over 30 s.
  }, 240_000); // DynamoDB Local builds a new index in the background: minutes on a loaded machine (storage/table-setup.ts)
});

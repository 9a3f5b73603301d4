import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../core/rule-model';
import { alertKeyOf, getAlert, listAlerts } from '../../storage/alerts-repository';
import { InvalidCursorError } from '../../storage/cursor';
import { alertKey } from '../../storage/item-keys';
import { newId } from '../../storage/random-ids';
import { createRule } from '../../storage/rules-repository';
import { claimAlert } from '../../storage/trigger-state-repository';
import { alert, ruleRecord, T0 } from '../support/api-fixtures';
import { storeAlert } from '../support/delivery-alerts';
import { uniqueOwner, useDynamoDbTable } from '../support/dynamodb';

const table = useDynamoDbTable();

const minutesAfterT0 = (minutes: number) => new Date(T0.getTime() + minutes * 60_000).toISOString();

async function allPages(owner: string, options: Omit<Parameters<typeof listAlerts>[2], 'cursor'>): Promise<Alert[][]> {
  const pages: Alert[][] = [];
  let cursor: string | undefined;
  do {
    const page = await listAlerts(table.db, owner, { ...options, cursor });
    pages.push(page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return pages;
}

/** Claims `fired` for a new active rule of `owner`, as the evaluator does: the one production write of an alert. */
async function claim(owner: string, fired: Alert, retentionDays?: number) {
  const rule = ruleRecord(owner);
  await createRule(table.db, rule, { quota: 100, now: T0 });
  const request = { record: rule, firedAt: T0.getTime(), armed: false, consumed: false, fromPos: 1, toPos: 2, now: T0, ...(retentionDays === undefined ? {} : { retentionDays }) };
  return { again: (retried: Alert) => claimAlert(table.db, { ...request, alert: retried }), result: await claimAlert(table.db, { ...request, alert: fired }) };
}

describe('alerts repository', () => {
  it('stores an alert once: a retried claim changes nothing', async () => {
    const owner = uniqueOwner();
    const first = alert();

    const { result, again } = await claim(owner, first);
    expect(result).toEqual({ status: 'claimed' });
    expect(await again({ ...first, price: 999 })).toMatchObject({ status: 'duplicate' });
    expect(await getAlert(table.db, owner, alertKeyOf(first))).toEqual(first);
  });

  it('expires alerts by TTL after the retention period, counted from when they fired', async () => {
    const owner = uniqueOwner();
    const fired = alert();
    await claim(owner, fired, 90);

    const stored = await table.db.doc.send(new GetCommand({ TableName: table.tableName, Key: alertKey(owner, alertKeyOf(fired)) }));
    expect(stored.Item?.ttl).toBe(T0.getTime() / 1000 + 90 * 86_400);
  });

  it('lists alerts newest first, a page at a time, and only the owner’s', async () => {
    const owner = uniqueOwner();
    const alerts = Array.from({ length: 5 }, (_, i) => alert({ triggeredAt: minutesAfterT0(i) }));
    for (const a of alerts) await storeAlert(table.db, owner, a);
    await storeAlert(table.db, uniqueOwner('other'), alert());

    const pages = await allPages(owner, { limit: 2 });

    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual([...alerts].reverse());
  });

  it('filters by rule, symbol and time', async () => {
    const owner = uniqueOwner();
    const ruleId = newId();
    const alerts = [
      alert({ ruleId, triggeredAt: minutesAfterT0(0) }),
      alert({ ruleId, symbol: '700$HK', triggeredAt: minutesAfterT0(1) }),
      alert({ triggeredAt: minutesAfterT0(2) }),
      alert({ ruleId, triggeredAt: minutesAfterT0(3) }),
    ];
    for (const a of alerts) await storeAlert(table.db, owner, a);

    expect((await allPages(owner, { limit: 1, ruleId })).flat()).toEqual([alerts[3], alerts[1], alerts[0]]);
    expect((await allPages(owner, { limit: 10, symbol: '700$HK' })).flat()).toEqual([alerts[1]]);
    expect((await allPages(owner, { limit: 1, since: minutesAfterT0(1) })).flat()).toEqual([alerts[3], alerts[2], alerts[1]]);
    expect((await allPages(owner, { limit: 10, ruleId, since: minutesAfterT0(1), symbol: 'AAPL$US' })).flat()).toEqual([alerts[3]]);
  });

  it('answers an empty page for a cursor older than a later since', async () => {
    const owner = uniqueOwner();
    for (let i = 0; i < 3; i++) await storeAlert(table.db, owner, alert({ triggeredAt: minutesAfterT0(i) }));
    const first = await listAlerts(table.db, owner, { limit: 2 });

    const narrowed = await listAlerts(table.db, owner, { limit: 2, since: minutesAfterT0(2), cursor: first.nextCursor ?? undefined });

    expect(narrowed).toEqual({ items: [], nextCursor: null });
  });

  it('refuses a rules cursor', async () => {
    const rulesCursor = Buffer.from(JSON.stringify({ v: 1, k: 'RULE#abc' })).toString('base64url');
    await expect(listAlerts(table.db, uniqueOwner(), { limit: 2, cursor: rulesCursor })).rejects.toBeInstanceOf(InvalidCursorError);
  });
});

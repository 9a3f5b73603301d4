import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../core/rule-model';
import { alertItemKeys, alertKeyOf, getAlert, listAlerts } from '../../storage/alerts-repository';
import { InvalidCursorError } from '../../storage/cursor';
import { createDb, type Db } from '../../storage/dynamodb-client';
import { alertKey, GSI4PK, GSI4SK } from '../../storage/item-keys';
import { ALERTS_BY_RULE_INDEX } from '../../storage/table-definition';
import { newId } from '../../storage/random-ids';
import { createRule } from '../../storage/rules-repository';
import { claimAlert } from '../../storage/trigger-state-repository';
import { alert, ruleRecord, T0 } from '../support/api-fixtures';
import { storeAlert } from '../support/delivery-alerts';
import { uniqueOwner, useDynamoDbTable } from '../support/dynamodb';

const table = useDynamoDbTable();

const minutesAfterT0 = (minutes: number) => new Date(T0.getTime() + minutes * 60_000).toISOString();

async function allPages(owner: string, options: Omit<Parameters<typeof listAlerts>[2], 'cursor'>, db: Db = table.db): Promise<Alert[][]> {
  const pages: Alert[][] = [];
  let cursor: string | undefined;
  do {
    const page = await listAlerts(db, owner, { ...options, cursor });
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

  describe('by rule (the alerts-by-rule index)', () => {
    interface QueryRead {
      index: string | undefined;
      scanned: number;
      items: Record<string, unknown>[];
    }

    /** A Db on its own client that records every Query it sends: the index, ScannedCount and the items read. */
    function countingDb(): { db: Db; reads: QueryRead[] } {
      const db = createDb({ endpoint: table.endpoint, tableName: table.tableName });
      const reads: QueryRead[] = [];
      db.doc.middlewareStack.add(
        (next, context) => async (args) => {
          const result = await next(args);
          if (context.commandName === 'QueryCommand') {
            const input = args.input as { IndexName?: string };
            const output = result.output as { ScannedCount?: number; Items?: Record<string, unknown>[] };
            reads.push({ index: input.IndexName, scanned: output.ScannedCount ?? 0, items: output.Items ?? [] });
          }
          return result;
        },
        { step: 'initialize', name: 'countQueryReads' },
      );
      return { db, reads };
    }

    /** 5 alerts of one rule among 30 of 3 other rules of the same owner, interleaved in time. */
    async function ruleAmongOthers(owner: string) {
      const ruleId = newId();
      const others = [newId(), newId(), newId()];
      const mine: Alert[] = [];
      for (let i = 0; i < 35; i++) {
        const own = i % 7 === 3;
        const a = alert({ ruleId: own ? ruleId : (others[i % 3] ?? ruleId), triggeredAt: minutesAfterT0(i) });
        if (own) mine.push(a);
        await storeAlert(table.db, owner, a);
      }
      return { ruleId, mine };
    }

    it('reads only the rule’s items from the index, not the owner’s history', async () => {
      const owner = uniqueOwner();
      const { ruleId, mine } = await ruleAmongOthers(owner);
      const { db, reads } = countingDb();
      try {
        const page = await listAlerts(db, owner, { limit: 100, ruleId });

        expect(page).toEqual({ items: [...mine].reverse(), nextCursor: null });
        expect(reads.map((r) => r.index)).toEqual([ALERTS_BY_RULE_INDEX.indexName]);
        expect(reads.reduce((sum, r) => sum + r.scanned, 0)).toBe(mine.length);
        console.log(`GET /alerts?ruleId=: ${reads[0]?.scanned ?? 0} items read for ${mine.length} alerts of the rule among 35 of the owner`);

        reads.length = 0;
        await listAlerts(db, owner, { limit: 100 });
        expect(reads.reduce((sum, r) => sum + r.scanned, 0)).toBe(35);
      } finally {
        db.doc.destroy();
      }
    });

    it('pages by cursor, newest first, each Query reading at most a page and one ahead of the rule’s items', async () => {
      const owner = uniqueOwner();
      const { ruleId, mine } = await ruleAmongOthers(owner);
      const { db, reads } = countingDb();
      try {
        const pages = await allPages(owner, { limit: 2, ruleId }, db);

        expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
        expect(pages.flat()).toEqual([...mine].reverse());
        expect(reads.every((r) => r.index === ALERTS_BY_RULE_INDEX.indexName && r.scanned <= 3)).toBe(true);
        expect(reads.flatMap((r) => r.items).every((item) => item.ruleId === ruleId)).toBe(true);
      } finally {
        db.doc.destroy();
      }
    });

    it('keeps symbol and since on the index and the same cursor across filters', async () => {
      const owner = uniqueOwner();
      const { ruleId, mine } = await ruleAmongOthers(owner);
      await storeAlert(table.db, owner, alert({ ruleId, symbol: '700$HK', triggeredAt: minutesAfterT0(40) }));

      expect((await allPages(owner, { limit: 1, ruleId, symbol: 'AAPL$US', since: minutesAfterT0(10) })).flat()).toEqual(
        mine.filter((a) => a.triggeredAt >= minutesAfterT0(10)).reverse(),
      );
      // A cursor of the unfiltered listing is a position in the rule's listing too (and back).
      const unfiltered = await listAlerts(table.db, owner, { limit: 20 });
      const rest = await listAlerts(table.db, owner, { limit: 10, ruleId, cursor: unfiltered.nextCursor ?? undefined });
      const last = unfiltered.items.at(-1)?.triggeredAt ?? '';
      expect(rest.items).toEqual(mine.filter((a) => a.triggeredAt < last).reverse());
      const firstOfRule = await listAlerts(table.db, owner, { limit: 1, ruleId });
      const after = await listAlerts(table.db, owner, { limit: 1, cursor: firstOfRule.nextCursor ?? undefined });
      expect(after.items[0]?.triggeredAt).toBe(minutesAfterT0(34));
    });

    it('finds an alert the evaluator’s claim wrote', async () => {
      const owner = uniqueOwner();
      const fired = alert();
      await claim(owner, fired);

      expect((await listAlerts(table.db, owner, { limit: 10, ruleId: fired.ruleId })).items).toEqual([fired]);
      expect((await listAlerts(table.db, owner, { limit: 10, ruleId: newId() })).items).toEqual([]);
    });

    it('does not list another owner’s alerts of the same rule id', async () => {
      const owner = uniqueOwner();
      const ruleId = newId();
      await storeAlert(table.db, uniqueOwner('other'), alert({ ruleId }));

      expect(await listAlerts(table.db, owner, { limit: 10, ruleId })).toEqual({ items: [], nextCursor: null });
    });

    it('does not see an alert written without the index keys (before the index existed)', async () => {
      const owner = uniqueOwner();
      const old = alert();
      const keys = alertItemKeys(owner, old);
      const { [GSI4PK]: _pk, [GSI4SK]: _sk, ...baseKeys } = keys;
      await table.db.doc.send(new PutCommand({ TableName: table.tableName, Item: { ...old, ...baseKeys, owner } }));

      expect((await listAlerts(table.db, owner, { limit: 10 })).items).toEqual([old]);
      expect((await listAlerts(table.db, owner, { limit: 10, ruleId: old.ruleId })).items).toEqual([]);
      const direct = await table.db.doc.send(
        new QueryCommand({
          TableName: table.tableName,
          IndexName: ALERTS_BY_RULE_INDEX.indexName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': GSI4PK },
          ExpressionAttributeValues: { ':pk': keys[GSI4PK] },
        }),
      );
      expect(direct.Count).toBe(0);
    });
  });
});

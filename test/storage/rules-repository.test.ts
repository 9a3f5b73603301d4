import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { InvalidCursorError } from '../../storage/cursor';
import { ownerProfileKey, ruleKey } from '../../storage/item-keys';
import { getOwnerProfile } from '../../storage/owners-repository';
import {
  ConcurrentRuleChangeError,
  createRule,
  deleteRule,
  getRule,
  listActiveRulesBySymbol,
  listRules,
  RuleQuotaExceededError,
  updateRule,
  type RuleRecord,
} from '../../storage/rules-repository';
import { listWatchedSymbols } from '../../storage/symbols-repository';
import { ruleRecord, T0 } from '../support/api-fixtures';
import { uniqueOwner, useDynamoDbTable } from '../support/dynamodb';

const table = useDynamoDbTable();
const QUOTA = { quota: 1000, now: T0 };

/** A symbol no other test touches, so counters start at zero. */
const uniqueSymbol = () => `T${Math.random().toString(36).slice(2, 8).toUpperCase()}$US`;

async function activeCount(symbol: string): Promise<number> {
  const watched = await listWatchedSymbols(table.db);
  return watched.find((w) => w.symbol === symbol)?.activeRules ?? 0;
}

describe('rules repository', () => {
  it('stores a rule and reads it back for its owner only', async () => {
    const owner = uniqueOwner();
    const rule = ruleRecord(owner);
    await createRule(table.db, rule, QUOTA);

    expect(await getRule(table.db, owner, rule.id)).toEqual(rule);
    expect(await getRule(table.db, uniqueOwner('other'), rule.id)).toBeNull();
  });

  it('lists the owner’s rules a page at a time, nextCursor null exactly on the last page', async () => {
    const owner = uniqueOwner();
    const rules = Array.from({ length: 5 }, () => ruleRecord(owner));
    for (const rule of rules) await createRule(table.db, rule, QUOTA);
    await createRule(table.db, ruleRecord(uniqueOwner('other')), QUOTA);

    const pages: RuleRecord[][] = [];
    let cursor: string | undefined;
    do {
      const page = await listRules(table.db, owner, { limit: 2, cursor });
      pages.push(page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);

    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat().map((r) => r.id)).toEqual(rules.map((r) => r.id).sort());
  });

  it('fills filtered pages across reads and filters by symbol', async () => {
    const owner = uniqueOwner();
    const symbol = uniqueSymbol();
    for (let i = 0; i < 6; i++) await createRule(table.db, ruleRecord(owner, { symbol: i % 2 === 0 ? symbol : 'MSFT$US' }), QUOTA);

    const first = await listRules(table.db, owner, { limit: 2, symbol });
    const second = await listRules(table.db, owner, { limit: 2, symbol, cursor: first.nextCursor ?? undefined });

    expect(first.items).toHaveLength(2);
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    expect([...first.items, ...second.items].every((r) => r.symbol === symbol)).toBe(true);
  });

  it('refuses a cursor it did not issue for this listing', async () => {
    const foreign = Buffer.from(JSON.stringify({ v: 1, k: 'ALERT#2026' })).toString('base64url');
    await expect(listRules(table.db, uniqueOwner(), { limit: 2, cursor: foreign })).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(listRules(table.db, uniqueOwner(), { limit: 2, cursor: 'not a cursor' })).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('refuses a rule past the owner’s quota and writes nothing', async () => {
    const owner = uniqueOwner();
    const symbol = uniqueSymbol();
    await createRule(table.db, ruleRecord(owner, { symbol }), { quota: 2, now: T0 });
    await createRule(table.db, ruleRecord(owner, { symbol }), { quota: 2, now: T0 });

    const third = ruleRecord(owner, { symbol });
    await expect(createRule(table.db, third, { quota: 2, now: T0 })).rejects.toEqual(new RuleQuotaExceededError(2));

    expect(await getRule(table.db, owner, third.id)).toBeNull();
    expect((await getOwnerProfile(table.db, owner))?.ruleCount).toBe(2);
    expect(await activeCount(symbol)).toBe(2);
  });

  it('never lets concurrent creates exceed the quota', async () => {
    const owner = uniqueOwner();
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, () => createRule(table.db, ruleRecord(owner), { quota: 5, now: T0 })),
    );

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason)).toEqual(
      Array.from({ length: 7 }, () => new RuleQuotaExceededError(5)),
    );
    expect((await listRules(table.db, owner, { limit: 100 })).items).toHaveLength(5);
    expect((await getOwnerProfile(table.db, owner))?.ruleCount).toBe(5);
  });

  it('keeps the watched-symbol count exact through create, pause, symbol change, resume and delete', async () => {
    const owner = uniqueOwner();
    const [a, b] = [uniqueSymbol(), uniqueSymbol()];
    const rule = ruleRecord(owner, { symbol: a });
    await createRule(table.db, rule, QUOTA);
    await createRule(table.db, ruleRecord(owner, { symbol: a, status: 'paused' }), QUOTA);
    expect([await activeCount(a), await activeCount(b)]).toEqual([1, 0]);

    const paused = { ...rule, status: 'paused' as const, version: 2 };
    await updateRule(table.db, rule, paused, T0);
    expect([await activeCount(a), await activeCount(b)]).toEqual([0, 0]);

    const moved = { ...paused, symbol: b, version: 3 };
    await updateRule(table.db, paused, moved, T0);
    expect([await activeCount(a), await activeCount(b)]).toEqual([0, 0]);

    const resumed = { ...moved, status: 'active' as const, version: 4 };
    await updateRule(table.db, moved, resumed, T0);
    expect([await activeCount(a), await activeCount(b)]).toEqual([0, 1]);

    const movedBack = { ...resumed, symbol: a, version: 5 };
    await updateRule(table.db, resumed, movedBack, T0);
    expect([await activeCount(a), await activeCount(b)]).toEqual([1, 0]);

    await deleteRule(table.db, movedBack, T0);
    expect([await activeCount(a), await activeCount(b)]).toEqual([0, 0]);
    expect(await listWatchedSymbols(table.db)).not.toContainEqual(expect.objectContaining({ symbol: a }));
    expect((await getOwnerProfile(table.db, owner))?.ruleCount).toBe(1);
  });

  it('moves a symbol’s rules version on every write to an active rule of it, and only then', async () => {
    const owner = uniqueOwner();
    const symbol = uniqueSymbol();
    const version = async () => (await listWatchedSymbols(table.db)).find((w) => w.symbol === symbol)?.rulesVersion;
    const rule = ruleRecord(owner, { symbol });
    await createRule(table.db, rule, QUOTA);
    expect(await version()).toBe(1);

    const noted = { ...rule, note: 'x', version: 2 };
    await updateRule(table.db, rule, noted, T0);
    expect(await version()).toBe(2);

    const paused = ruleRecord(owner, { symbol, status: 'paused' });
    await createRule(table.db, paused, QUOTA);
    await updateRule(table.db, paused, { ...paused, note: 'y', version: 2 }, T0);
    expect(await version()).toBe(2);

    await deleteRule(table.db, noted, T0);
    expect(await version()).toBeUndefined();
  });

  it('lists the active rules of a symbol for every owner from the sparse index', async () => {
    const symbol = uniqueSymbol();
    const active = [ruleRecord(uniqueOwner(), { symbol }), ruleRecord(uniqueOwner(), { symbol })];
    for (const rule of active) await createRule(table.db, rule, QUOTA);
    const paused = ruleRecord(uniqueOwner(), { symbol, status: 'paused' });
    await createRule(table.db, paused, QUOTA);
    await createRule(table.db, ruleRecord(uniqueOwner(), { symbol: uniqueSymbol() }), QUOTA);

    const found = await listActiveRulesBySymbol(table.db, symbol);

    expect(found.map((r) => r.id).sort()).toEqual(active.map((r) => r.id).sort());
    expect(found[0]).toEqual(active.find((r) => r.id === found[0]?.id));
  });

  it('refuses to update or delete a rule that changed since it was read, and writes nothing', async () => {
    const owner = uniqueOwner();
    const symbol = uniqueSymbol();
    const rule = ruleRecord(owner, { symbol });
    await createRule(table.db, rule, QUOTA);
    const changed = { ...rule, note: 'first', version: 2 };
    await updateRule(table.db, rule, changed, T0);

    await expect(updateRule(table.db, rule, { ...rule, status: 'paused', version: 2 }, T0)).rejects.toBeInstanceOf(ConcurrentRuleChangeError);
    await expect(deleteRule(table.db, rule, T0)).rejects.toBeInstanceOf(ConcurrentRuleChangeError);

    expect(await getRule(table.db, owner, rule.id)).toEqual(changed);
    expect(await activeCount(symbol)).toBe(1);
    expect((await getOwnerProfile(table.db, owner))?.ruleCount).toBe(1);
  });

  it('leaves the evaluator’s trigger state alone when the API changes a rule', async () => {
    const owner = uniqueOwner();
    const rule = ruleRecord(owner);
    await createRule(table.db, rule, QUOTA);
    // The evaluator fires the rule between the API's read and its write.
    await table.db.doc.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: ruleKey(owner, rule.id),
        UpdateExpression: 'SET triggerCount = :one, lastTriggeredAt = :at, lastFiredAt = :ms, firedThrough = :pos, armed = :false',
        ExpressionAttributeValues: { ':one': 1, ':at': T0.toISOString(), ':ms': T0.getTime(), ':pos': 42, ':false': false },
      }),
    );

    await updateRule(table.db, rule, { ...rule, note: 'changed', version: 2, armed: true }, T0);

    expect(await getRule(table.db, owner, rule.id)).toEqual({
      ...rule,
      note: 'changed',
      version: 2,
      armed: true,
      triggerCount: 1,
      lastTriggeredAt: T0.toISOString(),
      lastFiredAt: T0.getTime(),
      firedThrough: 42,
    });
  });

  it('keeps the rule count on the owner’s profile item', async () => {
    const owner = uniqueOwner();
    await createRule(table.db, ruleRecord(owner), QUOTA);
    const { Item } = await table.db.doc.send(new GetCommand({ TableName: table.tableName, Key: ownerProfileKey(owner) }));
    expect(Item?.ruleCount).toBe(1);
  });
});

/**
 * The evaluator's grouped rule writes (storage/trigger-state-repository.ts) against a mocked
 * DynamoDB that behaves like the real one where it matters: a transaction touching an item that
 * another transaction in flight also touches is cancelled with `TransactionConflict` (DynamoDB
 * Local serialises transactions, so only this mock shows the conflict). Claims of one symbol
 * share transactions of at most 100 items, one at a time, and never conflict with each other;
 * one transaction per claim, 150 at once, does.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../core/rule-model';
import { createDb } from '../../storage/dynamodb-client';
import type { RuleRecord } from '../../storage/rules-repository';
import { claimAlert, claimAlerts, expireRules, recordArmedAll, type ClaimRequest } from '../../storage/trigger-state-repository';
import { TransactionCancelledError, type TransactionItem } from '../../storage/transactions';
import { ruleRecord } from '../support/api-fixtures';

const db = createDb({ tableName: 'trigger-state-test', endpoint: 'http://127.0.0.1:1' });
const mock = mockClient(db.doc);
afterEach(() => mock.reset());

const T0 = new Date(Date.UTC(2026, 2, 2, 14, 30));
const SYMBOL = 'HOT$US';

function claimOf(record: RuleRecord, consumed = false): ClaimRequest {
  const alert: Alert = {
    id: `a-${record.id}`,
    ruleId: record.id,
    symbol: record.symbol,
    price: 201,
    condition: record.condition,
    message: 'crossed',
    tickAt: T0.toISOString(),
    triggeredAt: T0.toISOString(),
    deliveries: [{ channel: 'email', status: 'pending', attempts: 0 }],
  };
  return { record, alert, firedAt: T0.getTime(), armed: false, consumed, fromPos: 10, toPos: 20, now: T0 };
}

const rules = (n: number, symbol = SYMBOL) => Array.from({ length: n }, () => ruleRecord('owner-a', { symbol }));

const cancelled = (codes: readonly string[]) =>
  new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });

const keyOf = (item: TransactionItem): string => JSON.stringify((item.Update ?? item.Put?.Item ?? item.Delete ?? item.ConditionCheck)?.Key ?? item.Put?.Item);
const itemsOf = (input: TransactWriteCommandInput): TransactionItem[] => input.TransactItems ?? [];
const isSymbolItem = (item: TransactionItem) => item.Update?.Key?.PK === 'SYMBOLS';

/**
 * DynamoDB's behaviour for concurrent transactions: one touching an item another in-flight
 * transaction holds is cancelled with TransactionConflict for that item. Records every call.
 */
function conflictingDynamoDb() {
  const inFlight = new Set<string>();
  const calls: TransactionItem[][] = [];
  let conflicts = 0;
  mock.on(TransactWriteCommand).callsFake(async (input: TransactWriteCommandInput) => {
    const items = itemsOf(input);
    calls.push(items);
    const keys = items.map(keyOf);
    if (keys.some((key) => inFlight.has(key))) {
      conflicts += 1;
      throw cancelled(keys.map((key) => (inFlight.has(key) ? 'TransactionConflict' : 'None')));
    }
    for (const key of keys) inFlight.add(key);
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const key of keys) inFlight.delete(key);
    return {};
  });
  return { calls, conflicts: () => conflicts };
}

describe('claimAlerts: the claims of one hot symbol share transactions', () => {
  it('150 claims on one symbol: 4 transactions of at most 100 items, the symbol item once in each, no conflict', async () => {
    const dynamo = conflictingDynamoDb();
    const results = await claimAlerts(db, rules(150).map((record) => claimOf(record)));

    expect(results).toHaveLength(150);
    expect(results.every((r) => r.status === 'claimed')).toBe(true);
    expect(dynamo.conflicts()).toBe(0);
    expect(dynamo.calls.map((items) => items.length)).toEqual([99, 99, 99, 7]);
    expect(dynamo.calls.every((items) => items.filter(isSymbolItem).length === 1 && isSymbolItem(items[items.length - 1] as TransactionItem))).toBe(true);
  });

  it('the same 150 claims as transactions of their own, all at once, conflict on the symbol item (what the batch used to do)', async () => {
    const dynamo = conflictingDynamoDb();
    const outcomes = await Promise.allSettled(rules(150).map((record) => claimAlert(db, claimOf(record))));

    expect(dynamo.conflicts()).toBeGreaterThan(0);
    expect(outcomes.some((o) => o.status === 'rejected' && o.reason instanceof TransactionCancelledError)).toBe(true);
  });

  it('different symbols write at the same time, each with its own counter item', async () => {
    const dynamo = conflictingDynamoDb();
    const results = await claimAlerts(db, [...rules(3, 'A$US'), ...rules(2, 'B$US')].map((record) => claimOf(record)));

    expect(results.map((r) => r.status)).toEqual(['claimed', 'claimed', 'claimed', 'claimed', 'claimed']);
    expect(dynamo.calls.map((items) => items.length).sort()).toEqual([5, 7]);
  });

  it('counts the once rules of a group out of the symbol in one update: activeRules − n', async () => {
    const dynamo = conflictingDynamoDb();
    const [a, b, c] = rules(3);
    await claimAlerts(db, [claimOf(a!, true), claimOf(b!, false), claimOf(c!, true)]);

    const symbolItem = dynamo.calls[0]?.find(isSymbolItem);
    expect(symbolItem?.Update?.ExpressionAttributeValues).toMatchObject({ ':delta': -2, ':one': 1 });
  });

  it('a group whose conditions partly fail settles those claims (duplicate, stale) and writes the rest again without them', async () => {
    const batch = rules(4);
    const calls: TransactionItem[][] = [];
    mock
      .on(TransactWriteCommand)
      .callsFakeOnce((input: TransactWriteCommandInput) => {
        calls.push(itemsOf(input));
        // Claim 1's alert exists (a raced batch); claim 2's rule changed version (stale).
        throw cancelled(['None', 'None', 'ConditionalCheckFailed', 'ConditionalCheckFailed', 'ConditionalCheckFailed', 'None', 'None', 'None', 'None']);
      })
      .callsFake((input: TransactWriteCommandInput) => {
        calls.push(itemsOf(input));
        return {};
      });
    mock.on(GetCommand).resolves({
      Item: { ...claimOf(batch[1]!).alert, deliveries: [{ channel: 'email', status: 'sent', attempts: 1 }, { channel: 'webhook', status: 'pending', attempts: 0 }] },
    });

    const results = await claimAlerts(db, batch.map((record) => claimOf(record, true)));

    expect(results).toEqual([{ status: 'claimed' }, { status: 'duplicate', pending: [1] }, { status: 'stale' }, { status: 'claimed' }]);
    expect(calls.map((items) => items.length)).toEqual([9, 5]);
    // The second write holds claims 0 and 3 only, and counts only their once rules out of the symbol.
    expect(calls[1]?.filter((item) => item.Update?.Key?.SK?.toString().startsWith('RULE#')).map((item) => item.Update?.Key?.SK)).toEqual([
      `RULE#${batch[0]!.id}`,
      `RULE#${batch[3]!.id}`,
    ]);
    expect(calls[1]?.find(isSymbolItem)?.Update?.ExpressionAttributeValues).toMatchObject({ ':delta': -2 });
  });

  it('a cancellation the claims’ own conditions do not explain fails the batch, as before', async () => {
    mock.on(TransactWriteCommand).rejects(cancelled(['None', 'None', 'ValidationError']));
    await expect(claimAlerts(db, [claimOf(rules(1)[0]!)])).rejects.toBeInstanceOf(TransactionCancelledError);
  });

  it('re-arms and expiries of one symbol share transactions too; a stale rule among them is skipped', async () => {
    const calls: TransactionItem[][] = [];
    mock
      .on(TransactWriteCommand)
      .callsFakeOnce((input: TransactWriteCommandInput) => {
        calls.push(itemsOf(input));
        throw cancelled(['ConditionalCheckFailed', 'None', 'None', 'None']);
      })
      .callsFake((input: TransactWriteCommandInput) => {
        calls.push(itemsOf(input));
        return {};
      });
    await recordArmedAll(db, rules(3).map((record) => ({ record, armed: true })), T0);
    expect(calls.map((items) => items.length)).toEqual([4, 3]);

    calls.length = 0;
    const expiring = rules(3).map((record, i) => ({ ...record, expiresAt: new Date(T0.getTime() + (i === 2 ? 60_000 : -1)).toISOString() }));
    await expireRules(db, expiring, T0);
    // The one not past its expiry is left out; the two leave the symbol's count in the same write.
    expect(calls.map((items) => items.length)).toEqual([3]);
    expect(calls[0]?.find(isSymbolItem)?.Update?.ExpressionAttributeValues).toMatchObject({ ':delta': -2 });
  });

  it('writes nothing for no writes', async () => {
    expect(await claimAlerts(db, [])).toEqual([]);
    await expireRules(db, [], T0);
    expect(mock.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

/**
 * writeTransaction: retried while DynamoDB cancels only for conflicts (core/retry.ts), refused at once otherwise.
 * groupWrites: writes packed into transactions under DynamoDB's limits (100 items, 4 MB).
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createDb } from '../../storage/dynamodb-client';
import { groupWrites, TRANSACTION_MAX_BYTES, TRANSACTION_MAX_ITEMS, TransactionCancelledError, transactionItemBytes, writeTransaction } from '../../storage/transactions';

const db = createDb({ tableName: 'transactions-test', endpoint: 'http://127.0.0.1:1' });
const mock = mockClient(db.doc);
afterEach(() => mock.reset());

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });
const item = { ConditionCheck: { TableName: db.tableName, Key: { pk: 'a', sk: 'b' }, ConditionExpression: 'attribute_exists(pk)' } };

describe('writeTransaction', () => {
  it('writes again after a cancellation that was only a conflict', async () => {
    mock.on(TransactWriteCommand).rejectsOnce(cancelled('TransactionConflict', 'None')).resolves({});
    await writeTransaction(db, [item, item]);
    expect(mock.commandCalls(TransactWriteCommand)).toHaveLength(2);
  });

  it('gives up after six conflicted attempts, with the reasons of the last', async () => {
    mock.on(TransactWriteCommand).rejects(cancelled('None', 'TransactionConflict'));
    const error = await writeTransaction(db, [item, item]).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(TransactionCancelledError);
    expect((error as TransactionCancelledError).reasons).toEqual(['None', 'TransactionConflict']);
    expect(mock.commandCalls(TransactWriteCommand)).toHaveLength(6);
  });

  it('does not retry a failed condition, even beside a conflict, and says which item failed', async () => {
    mock.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'TransactionConflict'));
    const error = await writeTransaction(db, [item, item]).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(TransactionCancelledError);
    expect((error as TransactionCancelledError).failedCondition(0)).toBe(true);
    expect((error as TransactionCancelledError).failedCondition(1)).toBe(false);
    expect(mock.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('passes any other error through untouched, without retrying', async () => {
    const throttled = new Error('throttled');
    mock.on(TransactWriteCommand).rejects(throttled);
    await expect(writeTransaction(db, [item])).rejects.toBe(throttled);
    expect(mock.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });
});

describe('groupWrites', () => {
  const counter = { Update: { TableName: db.tableName, Key: { pk: 'SYMBOLS', sk: 'X' }, UpdateExpression: 'ADD n :one' } };
  const pair = (n: number) => ({ n, items: [item, item] });

  it('packs two-item writes 49 to a transaction beside a shared item: 150 → 49, 49, 49, 3', () => {
    const groups = groupWrites(Array.from({ length: 150 }, (_, n) => pair(n)), (w) => w.items, [counter]);
    expect(groups.map((g) => g.length)).toEqual([49, 49, 49, 3]);
    expect(groups.flat().map((w) => w.n)).toEqual(Array.from({ length: 150 }, (_, n) => n));
    expect(Math.max(...groups.map((g) => g.length * 2 + 1))).toBeLessThanOrEqual(TRANSACTION_MAX_ITEMS);
  });

  it('starts a new group before the bytes would pass the limit, and never splits a write', () => {
    const big = { Put: { TableName: db.tableName, Item: { pk: 'a', sk: 'b', text: 'x'.repeat(300_000) } } };
    const bytes = transactionItemBytes(big);
    const writes = Array.from({ length: 30 }, (_, n) => ({ n, items: [big, item] }));
    const groups = groupWrites(writes, (w) => w.items, [counter]);
    const perGroup = Math.floor((TRANSACTION_MAX_BYTES - transactionItemBytes(counter)) / (bytes + transactionItemBytes(item)));
    expect(groups[0]).toHaveLength(perGroup);
    expect(groups.flat()).toHaveLength(30);
    for (const group of groups) {
      const total = transactionItemBytes(counter) + group.reduce((sum, w) => sum + w.items.reduce((s, i) => s + transactionItemBytes(i), 0), 0);
      expect(total).toBeLessThanOrEqual(TRANSACTION_MAX_BYTES);
    }
  });

  it('gives a write too large for any group a group of its own, and no groups for no writes', () => {
    const groups = groupWrites([pair(0), pair(1), pair(2)], (w) => w.items, [counter], { maxItems: 4, maxBytes: TRANSACTION_MAX_BYTES });
    expect(groups.map((g) => g.map((w) => w.n))).toEqual([[0], [1], [2]]);
    expect(groupWrites([pair(0)], (w) => w.items, [counter], { maxItems: 2, maxBytes: TRANSACTION_MAX_BYTES })).toEqual([[pair(0)]]);
    expect(groupWrites([], () => [item], [counter])).toEqual([]);
  });
});

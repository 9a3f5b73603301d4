/** writeTransaction: retried while DynamoDB cancels only for conflicts (core/retry.ts), refused at once otherwise. */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createDb } from '../../storage/dynamodb-client';
import { TransactionCancelledError, writeTransaction } from '../../storage/transactions';

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

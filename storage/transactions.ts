/**
 * TransactWriteItems with the two things every caller needs: a retry when DynamoDB cancels a
 * transaction only because another one touched the same items at the same time (hot counters),
 * and the per-item cancellation reasons as a plain array so callers can tell which condition failed.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Db } from './dynamodb-client';

export type TransactionItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** A transaction DynamoDB cancelled; `reasons[i]` is the code for item `i` (`'None'` when it was fine). */
export class TransactionCancelledError extends Error {
  override readonly name = 'TransactionCancelledError';
  constructor(readonly reasons: readonly string[]) {
    super(`transaction cancelled: ${reasons.join(', ')}`);
  }

  /** Whether item `index`'s condition expression failed. */
  failedCondition(index: number): boolean {
    return this.reasons[index] === 'ConditionalCheckFailed';
  }
}

const CONFLICT_RETRIES = 5;

export async function writeTransaction(db: Db, items: TransactionItem[]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await db.doc.send(new TransactWriteCommand({ TransactItems: items }));
      return;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
      const conflictOnly = reasons.includes('TransactionConflict') && !reasons.includes('ConditionalCheckFailed');
      if (!conflictOnly || attempt >= CONFLICT_RETRIES) throw new TransactionCancelledError(reasons);
      await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt * (0.5 + Math.random())));
    }
  }
}

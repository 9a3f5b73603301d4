/**
 * TransactWriteItems with the two things every caller needs: a retry when DynamoDB cancels a
 * transaction only because another one touched the same items at the same time (hot counters),
 * and the per-item cancellation reasons as a plain array so callers can tell which condition failed.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { retrying, type RetryOptions } from '../core/retry';
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

/** Attempts at a transaction cancelled only by conflicts, the first included; waits of 5–10 ms, 10–20 ms, … up to 320 ms. */
const CONFLICT_RETRY: Omit<RetryOptions, 'retryOn'> = { maxAttempts: 6, backoff: { initialMs: 10, maxMs: 320 } };

function reasonsOf(error: TransactionCanceledException): string[] {
  return (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
}

/** Cancelled only because another transaction touched the same items: worth another attempt. */
function isConflictOnly(error: unknown): boolean {
  if (!(error instanceof TransactionCanceledException)) return false;
  const reasons = reasonsOf(error);
  return reasons.includes('TransactionConflict') && !reasons.includes('ConditionalCheckFailed');
}

/**
 * Writes `items` in one transaction, retried while DynamoDB cancels it only for conflicts.
 * @throws TransactionCancelledError when it is cancelled for another reason, or still conflicts.
 */
export async function writeTransaction(db: Db, items: TransactionItem[]): Promise<void> {
  try {
    await retrying(() => db.doc.send(new TransactWriteCommand({ TransactItems: items })), { ...CONFLICT_RETRY, retryOn: isConflictOnly });
  } catch (error) {
    if (error instanceof TransactionCanceledException) throw new TransactionCancelledError(reasonsOf(error));
    throw error;
  }
}

/**
 * TransactWriteItems with the two things every caller needs: a retry when DynamoDB cancels a
 * transaction only because another one touched the same items at the same time (hot counters),
 * and the per-item cancellation reasons as a plain array so callers can tell which condition failed.
 * And {@link groupWrites}: many small writes that share an item (the evaluator's claims on one
 * hot symbol share its counter item) packed into as few transactions as DynamoDB's limits allow,
 * so they commit together instead of conflicting with each other.
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

/** DynamoDB's limits on one TransactWriteItems: at most 100 items and 4 MB in all. */
export const TRANSACTION_MAX_ITEMS = 100;
export const TRANSACTION_MAX_BYTES = 4 * 1024 * 1024;

export interface TransactionLimits {
  /** Items per transaction; default {@link TRANSACTION_MAX_ITEMS}. */
  maxItems: number;
  /** Bytes per transaction, counted as the items' JSON (more than DynamoDB counts); default {@link TRANSACTION_MAX_BYTES}. */
  maxBytes: number;
}

export const DYNAMODB_TRANSACTION_LIMITS: TransactionLimits = { maxItems: TRANSACTION_MAX_ITEMS, maxBytes: TRANSACTION_MAX_BYTES };

/** The size a transaction item counts for in {@link groupWrites}: its JSON in UTF-8, an overestimate of DynamoDB's item size. */
export const transactionItemBytes = (item: TransactionItem): number => Buffer.byteLength(JSON.stringify(item), 'utf8');

/**
 * Splits `writes` — each a few items that must commit together — into consecutive groups that fit
 * one transaction each beside `reserved` (items every group adds, such as a shared counter), in
 * order. A write never spans two groups; a write too large for any group gets a group of its own
 * (DynamoDB then refuses it, as it would alone).
 */
export function groupWrites<T>(
  writes: readonly T[],
  itemsOf: (write: T) => readonly TransactionItem[],
  reserved: readonly TransactionItem[],
  limits: TransactionLimits = DYNAMODB_TRANSACTION_LIMITS,
): T[][] {
  const reservedBytes = reserved.reduce((sum, item) => sum + transactionItemBytes(item), 0);
  const groups: T[][] = [];
  let group: T[] = [];
  let count = reserved.length;
  let bytes = reservedBytes;
  for (const write of writes) {
    const items = itemsOf(write);
    const size = items.reduce((sum, item) => sum + transactionItemBytes(item), 0);
    if (group.length > 0 && (count + items.length > limits.maxItems || bytes + size > limits.maxBytes)) {
      groups.push(group);
      group = [];
      count = reserved.length;
      bytes = reservedBytes;
    }
    group.push(write);
    count += items.length;
    bytes += size;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

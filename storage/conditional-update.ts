/**
 * An UpdateItem whose failed condition is an answer, not an error: "the item is not there" or
 * "someone already wrote something newer" are outcomes the callers expect (a symbol without an
 * item, a later 429 pause already stored, an alert already backfilled). Other errors still throw.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Db } from './dynamodb-client';

/**
 * Sends the update; `true` when it was written, `false` when its condition did not hold.
 * @example if (!(await updateIfCondition(db, { TableName, Key, UpdateExpression, ConditionExpression }))) skipped += 1;
 */
export async function updateIfCondition(db: Db, input: UpdateCommandInput): Promise<boolean> {
  return (await updatedAttributesIfCondition(db, input)) !== null;
}

/** Sends the update; the attributes it asked for (`ReturnValues`; `{}` when none), or null when its condition did not hold. */
export async function updatedAttributesIfCondition(db: Db, input: UpdateCommandInput): Promise<Record<string, unknown> | null> {
  try {
    const { Attributes } = await db.doc.send(new UpdateCommand(input));
    return Attributes ?? {};
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return null;
    throw error;
  }
}

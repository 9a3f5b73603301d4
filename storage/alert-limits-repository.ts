/**
 * The owner's alerts-per-minute counter in DynamoDB: one item per owner and minute
 * (`ALERTLIMIT#<owner>` / `MINUTE#2026-03-02T14:30`, TTL'd an hour after its minute) holding the
 * ids of the alerts admitted that minute (at most the limit) and the id of the held-back alert
 * that carries the minute's one notice. Every evaluator instance decides through this item, so
 * the limit holds across instances.
 *
 * Writes are optimistic, like the REST budget (rest-budget-repository.ts): read consistently,
 * decide with {@link planAdmission} (pure, alert-limits.ts), write conditional on the item's
 * `version` being the one read; an instance that lost the race reads again. Counting alert ids
 * rather than a bare number makes it idempotent: a retried or raced batch fires the same alert
 * ids, which are admitted (or held) again without counting twice, and the notice carrier stays
 * the same alert. One read and at most one write per owner and minute per batch.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { planAdmission, type Admission, type OwnerMinute } from './alert-limits';
import { updateIfCondition } from './conditional-update';
import type { Db } from './dynamodb-client';
import { ownerMinuteKey, PK, TTL } from './item-keys';

/** The item outlives its minute by this much: a batch retried late still finds what was decided. */
const ITEM_TTL_SECONDS = 3600;
/** Rounds lost to other instances before the batch fails (it is retried; nothing was claimed yet). */
const MAX_ROUNDS = 10;

export async function readOwnerMinute(db: Db, owner: string, minute: string): Promise<(OwnerMinute & { version: number }) | null> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: ownerMinuteKey(owner, minute), ConsistentRead: true }));
  if (Item === undefined) return null;
  const admitted = Array.isArray(Item.admitted) ? Item.admitted.map(String) : [];
  return {
    admitted: new Set(admitted),
    noticedBy: typeof Item.noticedBy === 'string' ? Item.noticedBy : undefined,
    version: Number(Item.version ?? 0) || 0,
  };
}

/**
 * Admits alert ids of one owner's minute against `limit` (module header), answering one
 * {@link Admission} per distinct id. Throws when DynamoDB fails or the item stayed contended.
 */
export async function admitOwnerAlerts(db: Db, owner: string, minute: string, ids: readonly string[], limit: number): Promise<Map<string, Admission>> {
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const current = await readOwnerMinute(db, owner, minute);
    const plan = planAdmission(current ?? { admitted: new Set(), noticedBy: undefined }, ids, limit);
    if (plan.add.length === 0 && plan.noticedBy === undefined) return plan.decisions;
    const set = ['admitted = :admitted', '#version = :next', '#ttl = :ttl', ...(plan.noticedBy === undefined ? [] : ['noticedBy = :noticedBy'])];
    const written = await updateIfCondition(db, {
      TableName: db.tableName,
      Key: ownerMinuteKey(owner, minute),
      UpdateExpression: `SET ${set.join(', ')}`,
      ConditionExpression: current === null ? 'attribute_not_exists(#pk)' : '#version = :read',
      ExpressionAttributeNames: { '#version': 'version', '#ttl': TTL, ...(current === null ? { '#pk': PK } : {}) },
      ExpressionAttributeValues: {
        ':admitted': [...(current?.admitted ?? []), ...plan.add],
        ':next': (current?.version ?? 0) + 1,
        ':ttl': Math.floor(Date.parse(`${minute}:00Z`) / 1000) + 60 + ITEM_TTL_SECONDS,
        ...(plan.noticedBy === undefined ? {} : { ':noticedBy': plan.noticedBy }),
        ...(current === null ? {} : { ':read': current.version }),
      },
    });
    if (written) return plan.decisions;
  }
  throw new Error(`the alert limit of owner ${owner} for ${minute} stayed contended for ${MAX_ROUNDS} rounds`);
}

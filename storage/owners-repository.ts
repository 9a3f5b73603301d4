/**
 * Owner profiles: one item per owner beside its rules, holding the rule count that the quota is
 * checked against (inside the rule transactions, so the check cannot race). The secret that signs
 * the owner's webhooks is not here: it has a partition of its own that only the notifier reads
 * (webhook-secrets-repository.ts), since the rules routes read this one.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './dynamodb-client';
import { ownerProfileKey } from './item-keys';
import type { TransactionItem } from './transactions';
import { createWebhookSecret } from './webhook-secrets-repository';

export interface OwnerProfile {
  owner: string;
  ruleCount: number;
  createdAt: string | null;
}

/** Owner ids appear inside keys (`OWNER#<owner>`, `<owner>#<keyId>`): no `#`, nothing exotic. */
export const OWNER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export function isValidOwnerId(owner: string): boolean {
  return OWNER_ID_PATTERN.test(owner);
}

/**
 * Creates the owner's profile (kept as it is when it exists) and, unless it has one, the owner's
 * webhook signing secret.
 * @returns the new webhook secret, or `null` when the owner already had one.
 */
export async function ensureOwnerProfile(db: Db, owner: string, now: Date): Promise<string | null> {
  await db.doc.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: ownerProfileKey(owner),
      UpdateExpression: 'SET createdAt = if_not_exists(createdAt, :now), ruleCount = if_not_exists(ruleCount, :zero), #owner = :owner',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':now': now.toISOString(), ':zero': 0, ':owner': owner },
    }),
  );
  return createWebhookSecret(db, owner, now);
}

export async function getOwnerProfile(db: Db, owner: string): Promise<OwnerProfile | null> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: ownerProfileKey(owner), ConsistentRead: true }));
  if (Item === undefined) return null;
  return {
    owner,
    ruleCount: Number(Item.ruleCount ?? 0),
    createdAt: typeof Item.createdAt === 'string' ? Item.createdAt : null,
  };
}

/**
 * The rule-count update for a rule transaction. With `quota`, the item's condition fails once the
 * owner has `quota` rules, which cancels the whole transaction.
 */
export function ruleCountUpdate(db: Db, owner: string, delta: 1 | -1, quota?: number): TransactionItem {
  return {
    Update: {
      TableName: db.tableName,
      Key: ownerProfileKey(owner),
      // if_not_exists: a profile created by a rule write (none should be) still counts from 0.
      UpdateExpression: 'SET ruleCount = if_not_exists(ruleCount, :zero) + :delta',
      ...(quota === undefined
        ? { ExpressionAttributeValues: { ':zero': 0, ':delta': delta } }
        : {
            ConditionExpression: 'attribute_not_exists(ruleCount) OR ruleCount < :quota',
            ExpressionAttributeValues: { ':zero': 0, ':delta': delta, ':quota': quota },
          }),
    },
  };
}

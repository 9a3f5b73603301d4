/**
 * Owner profiles: one item per owner beside its rules, holding the rule count that the quota is
 * checked against (inside the rule transactions, so the check cannot race) and the secret that
 * signs the owner's webhooks.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './dynamodb-client';
import { ownerProfileKey } from './item-keys';
import type { TransactionItem } from './transactions';
import { generateWebhookSecret } from './webhook-secrets-repository';

export interface OwnerProfile {
  owner: string;
  ruleCount: number;
  /** HMAC key for the owner's webhook signatures. A secret: never log or return it over the API. */
  webhookSecret: string | null;
  createdAt: string | null;
}

/** Owner ids appear inside keys (`OWNER#<owner>`, `<owner>#<keyId>`): no `#`, nothing exotic. */
export const OWNER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export function isValidOwnerId(owner: string): boolean {
  return OWNER_ID_PATTERN.test(owner);
}

/**
 * Creates the owner's profile and webhook secret unless it has one already.
 * @returns the new webhook secret, or `null` when the owner already had one.
 */
export async function ensureOwnerProfile(db: Db, owner: string, now: Date): Promise<string | null> {
  const secret = generateWebhookSecret();
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: ownerProfileKey(owner),
        UpdateExpression:
          'SET webhookSecret = :secret, createdAt = if_not_exists(createdAt, :now), ruleCount = if_not_exists(ruleCount, :zero), #owner = :owner',
        ConditionExpression: 'attribute_not_exists(webhookSecret)',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':secret': secret, ':now': now.toISOString(), ':zero': 0, ':owner': owner },
      }),
    );
    return secret;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return null;
    throw error;
  }
}

export async function getOwnerProfile(db: Db, owner: string): Promise<OwnerProfile | null> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: ownerProfileKey(owner), ConsistentRead: true }));
  if (Item === undefined) return null;
  return {
    owner,
    ruleCount: Number(Item.ruleCount ?? 0),
    webhookSecret: typeof Item.webhookSecret === 'string' ? Item.webhookSecret : null,
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

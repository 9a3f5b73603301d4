/**
 * Webhook signing secrets and their rotation. The secrets live on the owner's profile item
 * (owners-repository.ts): `webhookSecret`, the current one, and after a rotation
 * `previousWebhookSecret` with `previousWebhookSecretUntil` (ISO time), the end of the grace
 * period during which the notifier signs with both, so a receiver can switch secrets at leisure.
 * Only two secrets at a time: rotating again inside a grace period drops the older previous one.
 */
import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './dynamodb-client';
import { ownerProfileKey } from './item-keys';

/** The profile attributes that hold secrets (for IAM attribute conditions and reviews). */
export const WEBHOOK_SECRET_ATTRIBUTES = ['webhookSecret', 'previousWebhookSecret', 'previousWebhookSecretUntil'] as const;

/** How long a rotated-out secret still signs, unless `keys rotate-secret --grace-hours` says otherwise. */
export const DEFAULT_WEBHOOK_SECRET_GRACE_HOURS = 24;
/** The longest grace period `rotate-secret` accepts (30 days): an old secret should not live on for long. */
export const MAX_WEBHOOK_SECRET_GRACE_HOURS = 720;

export interface RotatedWebhookSecret {
  owner: string;
  /** The new secret: shown once, never logged. */
  secret: string;
  /** Until when the replaced secret still signs; null when it stopped at once (grace 0). */
  previousValidUntil: string | null;
}

/** 32 random bytes, base64url (43 characters), as the owner's first secret. */
export function generateWebhookSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Replaces the owner's webhook secret by a new one; the old one keeps signing for `graceMs`
 * (0: not at all). Null when the owner has no profile with a secret (no key was ever created).
 */
export async function rotateWebhookSecret(db: Db, owner: string, options: { now: Date; graceMs: number }): Promise<RotatedWebhookSecret | null> {
  const { now, graceMs } = options;
  if (!Number.isFinite(graceMs) || graceMs < 0) throw new RangeError(`graceMs must be a non-negative number, not ${graceMs}`);
  const secret = generateWebhookSecret();
  const until = graceMs === 0 ? null : new Date(now.getTime() + graceMs).toISOString();
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: ownerProfileKey(owner),
        // SET reads the item as it was, so previousWebhookSecret gets the replaced secret.
        UpdateExpression:
          until === null
            ? 'SET webhookSecret = :secret REMOVE previousWebhookSecret, previousWebhookSecretUntil'
            : 'SET previousWebhookSecret = webhookSecret, previousWebhookSecretUntil = :until, webhookSecret = :secret',
        ConditionExpression: 'attribute_exists(webhookSecret)',
        ExpressionAttributeValues: { ':secret': secret, ...(until === null ? {} : { ':until': until }) },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return null;
    throw error;
  }
  return { owner, secret, previousValidUntil: until };
}

/**
 * The secrets that sign the owner's webhooks at `now`: the current one first, then the previous
 * one while its grace period lasts. Empty when the owner has no secret.
 */
export async function webhookSigningSecrets(db: Db, owner: string, now: Date): Promise<string[]> {
  const { Item } = await db.doc.send(
    new GetCommand({
      TableName: db.tableName,
      Key: ownerProfileKey(owner),
      ConsistentRead: true,
      ProjectionExpression: WEBHOOK_SECRET_ATTRIBUTES.join(', '),
    }),
  );
  return signingSecretsOf(Item ?? {}, now);
}

/** The pure part of webhookSigningSecrets: which of a profile's secrets sign at `now`. */
export function signingSecretsOf(item: Record<string, unknown>, now: Date): string[] {
  const current = typeof item.webhookSecret === 'string' && item.webhookSecret !== '' ? item.webhookSecret : null;
  if (current === null) return [];
  const previous = typeof item.previousWebhookSecret === 'string' && item.previousWebhookSecret !== '' ? item.previousWebhookSecret : null;
  const until = typeof item.previousWebhookSecretUntil === 'string' ? Date.parse(item.previousWebhookSecretUntil) : Number.NaN;
  return previous !== null && previous !== current && now.getTime() < until ? [current, previous] : [current];
}

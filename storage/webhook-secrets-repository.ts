/**
 * Webhook signing secrets: creation, rotation, the notifier's read, and the move of older
 * deployments' secrets off the owner's profile. Each owner's secrets live on an item of their own,
 * `WEBHOOKSECRET#<owner>` / `SECRET` (item-keys.ts `webhookSecretKey`), because the rules routes
 * must read `OWNER#<owner>` (rules, the rule count) and IAM's `LeadingKeys` cannot tell one item of
 * a partition from another: in a partition of their own, lib/table-access.ts gives them to the
 * notifier alone. Attributes: `current`; after a rotation `previous` with `previousUntil` (ISO
 * time), the end of the grace period during which the notifier signs with both, so a receiver can
 * switch secrets at leisure. Only two secrets at a time: rotating again inside a grace period
 * drops the older previous one. Written only by the keys CLI (the operator's credentials).
 *
 * Before this partition existed the secrets were attributes of `OWNER#<owner>` / `PROFILE`
 * (`webhookSecret`, `previousWebhookSecret`, `previousWebhookSecretUntil`): {@link migrateWebhookSecret}
 * moves them (`npm run keys -- migrate-secrets`, docs/deploy.md "Upgrading"); creating and rotating
 * move them first too, so neither ever leaves a second, stale secret behind.
 */
import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './dynamodb-client';
import { ownerProfileKey, PK, webhookSecretKey } from './item-keys';
import { TransactionCancelledError, writeTransaction } from './transactions';

/** The secret item's attributes that hold secrets (for reviews; the item holds nothing else secret). */
export const WEBHOOK_SECRET_ATTRIBUTES = ['current', 'previous', 'previousUntil'] as const;
/** Where older deployments kept the secrets: attributes of the owner's profile item. */
export const PROFILE_WEBHOOK_SECRET_ATTRIBUTES = ['webhookSecret', 'previousWebhookSecret', 'previousWebhookSecretUntil'] as const;

/** How long a rotated-out secret still signs, unless `keys rotate-secret --grace-hours` says otherwise. */
export const DEFAULT_WEBHOOK_SECRET_GRACE_HOURS = 24;
/** The longest grace period `rotate-secret` accepts (30 days): an old secret should not live on for long. */
export const MAX_WEBHOOK_SECRET_GRACE_HOURS = 720;

/** Attempts of one owner's move when the item or the profile changes under it (a concurrent CLI). */
const MIGRATION_ATTEMPTS = 3;

const NAMES = { '#current': 'current', '#previous': 'previous', '#until': 'previousUntil' } as const;

export interface RotatedWebhookSecret {
  owner: string;
  /** The new secret: shown once, never logged. */
  secret: string;
  /** Until when the replaced secret still signs; null when it stopped at once (grace 0). */
  previousValidUntil: string | null;
}

/**
 * What {@link migrateWebhookSecret} did for one owner:
 * - `moved`: the profile's secrets now are on the secret item, and gone from the profile;
 * - `copied`: (with `keepProfileCopy`) on the secret item and still on the profile;
 * - `profile_copy_removed`: the secret item existed already (it wins); the profile's copy is gone;
 * - `nothing_to_move`: the profile holds no secret (moved before, or never had one).
 */
export type WebhookSecretMigration = 'moved' | 'copied' | 'profile_copy_removed' | 'nothing_to_move';

/** 32 random bytes, base64url (43 characters), as the owner's first secret. */
export function generateWebhookSecret(): string {
  return randomBytes(32).toString('base64url');
}

const nonEmpty = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/**
 * Creates the owner's secret item unless it has one (moving a profile's secret first, so an owner
 * of an older deployment keeps the secret its receivers know).
 * @returns the new secret, or null when the owner already had one.
 */
export async function createWebhookSecret(db: Db, owner: string, now: Date): Promise<string | null> {
  if ((await migrateWebhookSecret(db, owner)) !== 'nothing_to_move') return null;
  const secret = generateWebhookSecret();
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...webhookSecretKey(owner), owner, current: secret, createdAt: now.toISOString() },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': PK },
      }),
    );
    return secret;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return null;
    throw error;
  }
}

/**
 * Replaces the owner's webhook secret by a new one; the old one keeps signing for `graceMs`
 * (0: not at all). A secret still on the profile is moved first. Null when the owner has no
 * secret (no key was ever created).
 */
export async function rotateWebhookSecret(db: Db, owner: string, options: { now: Date; graceMs: number }): Promise<RotatedWebhookSecret | null> {
  const { now, graceMs } = options;
  if (!Number.isFinite(graceMs) || graceMs < 0) throw new RangeError(`graceMs must be a non-negative number, not ${graceMs}`);
  await migrateWebhookSecret(db, owner);
  const secret = generateWebhookSecret();
  const until = graceMs === 0 ? null : new Date(now.getTime() + graceMs).toISOString();
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: webhookSecretKey(owner),
        // SET reads the item as it was, so `previous` gets the replaced secret.
        UpdateExpression:
          until === null
            ? 'SET #current = :secret, rotatedAt = :now REMOVE #previous, #until'
            : 'SET #previous = #current, #until = :until, #current = :secret, rotatedAt = :now',
        ConditionExpression: 'attribute_exists(#current)',
        ExpressionAttributeNames: NAMES,
        ExpressionAttributeValues: { ':secret': secret, ':now': now.toISOString(), ...(until === null ? {} : { ':until': until }) },
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
 * one while its grace period lasts. Empty when the owner has no secret. The notifier's only read
 * of secrets: one consistent GetItem of the secret item, nothing on the profile.
 */
export async function webhookSigningSecrets(db: Db, owner: string, now: Date): Promise<string[]> {
  const { Item } = await db.doc.send(
    new GetCommand({
      TableName: db.tableName,
      Key: webhookSecretKey(owner),
      ConsistentRead: true,
      ProjectionExpression: '#current, #previous, #until',
      ExpressionAttributeNames: NAMES,
    }),
  );
  return signingSecretsOf(Item ?? {}, now);
}

/** The pure part of webhookSigningSecrets: which of a secret item's secrets sign at `now`. */
export function signingSecretsOf(item: Record<string, unknown>, now: Date): string[] {
  const current = nonEmpty(item.current);
  if (current === null) return [];
  const previous = nonEmpty(item.previous);
  const until = typeof item.previousUntil === 'string' ? Date.parse(item.previousUntil) : Number.NaN;
  return previous !== null && previous !== current && now.getTime() < until ? [current, previous] : [current];
}

/** The secret item's attributes for a profile's secrets (an ended grace period is copied as it is: it signs nothing). */
export function secretItemOfProfile(profile: Record<string, unknown>): { current: string; previous?: string; previousUntil?: string } | null {
  const current = nonEmpty(profile.webhookSecret);
  if (current === null) return null;
  const previous = nonEmpty(profile.previousWebhookSecret);
  const until = nonEmpty(profile.previousWebhookSecretUntil);
  return { current, ...(previous === null || until === null ? {} : { previous, previousUntil: until }) };
}

/**
 * Moves the owner's secrets off the profile item onto the secret item (one transaction: the Put,
 * conditional on no secret item, and the profile's REMOVE, conditional on the profile still
 * holding the secret that was read). Idempotent: a second run finds nothing to move. With
 * `keepProfileCopy` it only copies (the first step of a gap-free upgrade, docs/deploy.md).
 */
export async function migrateWebhookSecret(db: Db, owner: string, options: { keepProfileCopy?: boolean } = {}): Promise<WebhookSecretMigration> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await migrateOnce(db, owner, options.keepProfileCopy ?? false);
    } catch (error) {
      const raced = error instanceof ConditionalCheckFailedException || error instanceof TransactionCancelledError;
      if (!raced || attempt >= MIGRATION_ATTEMPTS) throw error;
    }
  }
}

async function migrateOnce(db: Db, owner: string, keepProfileCopy: boolean): Promise<WebhookSecretMigration> {
  const { Item: profile } = await db.doc.send(
    new GetCommand({ TableName: db.tableName, Key: ownerProfileKey(owner), ConsistentRead: true, ProjectionExpression: PROFILE_WEBHOOK_SECRET_ATTRIBUTES.join(', ') }),
  );
  const secrets = secretItemOfProfile(profile ?? {});
  if (secrets === null) {
    // Remnants without a current secret (a previous one alone) sign nothing; drop them all the same.
    if (profile !== undefined && Object.keys(profile).length > 0 && !keepProfileCopy) await removeProfileSecrets(db, owner, null);
    return 'nothing_to_move';
  }
  const { Item: existing } = await db.doc.send(
    new GetCommand({ TableName: db.tableName, Key: webhookSecretKey(owner), ConsistentRead: true, ProjectionExpression: '#pk', ExpressionAttributeNames: { '#pk': PK } }),
  );
  const put = {
    Put: {
      TableName: db.tableName,
      Item: { ...webhookSecretKey(owner), owner, ...secrets },
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': PK },
    },
  };
  if (keepProfileCopy) {
    if (existing !== undefined) return 'nothing_to_move';
    await db.doc.send(new PutCommand(put.Put));
    return 'copied';
  }
  if (existing !== undefined) {
    await removeProfileSecrets(db, owner, secrets.current);
    return 'profile_copy_removed';
  }
  await writeTransaction(db, [put, { Update: removeProfileSecretsUpdate(db, owner, secrets.current) }]);
  return 'moved';
}

function removeProfileSecretsUpdate(db: Db, owner: string, current: string | null) {
  return {
    TableName: db.tableName,
    Key: ownerProfileKey(owner),
    UpdateExpression: `REMOVE ${PROFILE_WEBHOOK_SECRET_ATTRIBUTES.join(', ')}`,
    // Only the secret that was read: a profile rotated meanwhile (an older CLI) is read again.
    ...(current === null
      ? { ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(webhookSecret)', ExpressionAttributeNames: { '#pk': PK } }
      : { ConditionExpression: 'webhookSecret = :current', ExpressionAttributeValues: { ':current': current } }),
  };
}

async function removeProfileSecrets(db: Db, owner: string, current: string | null): Promise<void> {
  await db.doc.send(new UpdateCommand(removeProfileSecretsUpdate(db, owner, current)));
}

/** Moves every listed owner's secrets; the counts by outcome (never the secrets). */
export async function migrateWebhookSecrets(
  db: Db,
  owners: readonly string[],
  options: { keepProfileCopy?: boolean } = {},
): Promise<Record<WebhookSecretMigration, number>> {
  const counts: Record<WebhookSecretMigration, number> = { moved: 0, copied: 0, profile_copy_removed: 0, nothing_to_move: 0 };
  for (const owner of owners) counts[await migrateWebhookSecret(db, owner, options)] += 1;
  return counts;
}

/**
 * API keys, stored by the hash of the key (the authorizer's lookup is one GetItem) and indexed by
 * owner and key id for `keys list` / `keys revoke`. The key itself is never stored.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { generateApiKey, generateKeyId, hashApiKey, keyIdOf } from './api-key-format';
import type { Db } from './dynamodb-client';
import { API_KEYS_PARTITION, apiKeyIndexKeys, apiKeyItemKey, GSI2PK, GSI2SK, PK, SK } from './item-keys';
import { ensureOwnerProfile } from './owners-repository';
import { queryAll } from './query-page';
import { API_KEYS_INDEX } from './table-definition';

export interface ApiKeyRecord {
  keyId: string;
  owner: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface CreatedApiKey {
  /** The key: shown once, never stored. */
  key: string;
  keyId: string;
  /** False when `key` was given and is already stored (e.g. the local stack's `DEV_API_KEY`). */
  created: boolean;
  /** The owner's new webhook secret when this key created the owner; null otherwise. */
  webhookSecret: string | null;
}

function toApiKeyRecord(item: Record<string, unknown>): ApiKeyRecord {
  return {
    keyId: String(item.keyId),
    owner: String(item.owner),
    createdAt: String(item.createdAt),
    revokedAt: typeof item.revokedAt === 'string' ? item.revokedAt : null,
  };
}

/**
 * Issues an API key for `owner` (a new random one unless `key` is given), creating the owner's
 * profile with its first key.
 */
export async function createApiKey(db: Db, options: { owner: string; now: Date; key?: string }): Promise<CreatedApiKey> {
  const { owner, now } = options;
  const { key, keyId } =
    options.key === undefined ? generateApiKey() : { key: options.key, keyId: keyIdOf(options.key) ?? generateKeyId() };
  const webhookSecret = await ensureOwnerProfile(db, owner, now);
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: {
          ...apiKeyItemKey(hashApiKey(key)),
          ...apiKeyIndexKeys(owner, keyId),
          keyId,
          owner,
          createdAt: now.toISOString(),
        },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': PK },
      }),
    );
    return { key, keyId, created: true, webhookSecret };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException) || options.key === undefined) throw error;
    const existing = await findApiKey(db, key);
    if (existing === null || existing.owner !== owner) throw new Error('that key is already issued to another owner');
    return { key, keyId: existing.keyId, created: false, webhookSecret };
  }
}

/** The record of `key` (revoked or not), or null when it was never issued. */
export async function findApiKey(db: Db, key: string): Promise<ApiKeyRecord | null> {
  const { Item } = await db.doc.send(
    new GetCommand({ TableName: db.tableName, Key: apiKeyItemKey(hashApiKey(key)), ConsistentRead: true }),
  );
  return Item === undefined ? null : toApiKeyRecord(Item);
}

/** Every key (of `owner`, when given), ordered by owner then key id. */
export async function listApiKeys(db: Db, owner?: string): Promise<ApiKeyRecord[]> {
  const items = await queryAll(db, {
    IndexName: API_KEYS_INDEX.indexName,
    KeyConditionExpression: owner === undefined ? '#gpk = :gpk' : '#gpk = :gpk AND begins_with(#gsk, :owner)',
    ExpressionAttributeNames: { '#gpk': GSI2PK, ...(owner === undefined ? {} : { '#gsk': GSI2SK }) },
    ExpressionAttributeValues: { ':gpk': API_KEYS_PARTITION, ...(owner === undefined ? {} : { ':owner': `${owner}#` }) },
  });
  return items.map(toApiKeyRecord);
}

/** The index item of the key with id `keyId`, or undefined. */
async function keyItemById(db: Db, keyId: string): Promise<Record<string, unknown> | undefined> {
  // The index is keyed by owner#keyId, so finding a key by id alone reads the (small) index partition.
  const [item] = await queryAll(db, {
    IndexName: API_KEYS_INDEX.indexName,
    KeyConditionExpression: '#gpk = :gpk',
    FilterExpression: 'keyId = :keyId',
    ExpressionAttributeNames: { '#gpk': GSI2PK },
    ExpressionAttributeValues: { ':gpk': API_KEYS_PARTITION, ':keyId': keyId },
  });
  return item;
}

/** The record of the key with id `keyId` (revoked or not), or null: what `keys revoke` needs to find the key's dashboards. */
export async function findApiKeyById(db: Db, keyId: string): Promise<ApiKeyRecord | null> {
  const item = await keyItemById(db, keyId);
  return item === undefined ? null : toApiKeyRecord(item);
}

export type RevokeOutcome = 'revoked' | 'already_revoked' | 'not_found';

/**
 * Revokes the key with id `keyId`; the authorizers refuse it from then on (the HTTP API's within
 * its result cache's TTL, AUTHORIZER_CACHE_TTL in lib/constructs/rules-api.ts).
 */
export async function revokeApiKey(db: Db, keyId: string, now: Date): Promise<RevokeOutcome> {
  const item = await keyItemById(db, keyId);
  if (item === undefined) return 'not_found';
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: { [PK]: item[PK], [SK]: item[SK] },
        UpdateExpression: 'SET revokedAt = :now',
        ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(revokedAt)',
        ExpressionAttributeNames: { '#pk': PK },
        ExpressionAttributeValues: { ':now': now.toISOString() },
      }),
    );
    return 'revoked';
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return 'already_revoked';
    throw error;
  }
}

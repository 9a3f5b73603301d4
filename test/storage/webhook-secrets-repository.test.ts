/** Webhook secret rotation on DynamoDB Local: the grace period during which both secrets sign. */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createApiKey } from '../../storage/api-keys-repository';
import { ownerProfileKey, webhookSecretKey } from '../../storage/item-keys';
import { getOwnerProfile } from '../../storage/owners-repository';
import { createWebhookSecret, migrateWebhookSecret, migrateWebhookSecrets, rotateWebhookSecret, signingSecretsOf, webhookSigningSecrets } from '../../storage/webhook-secrets-repository';
import { T0 } from '../support/api-fixtures';
import { uniqueOwner, useDynamoDbTable } from '../support/dynamodb';

const table = useDynamoDbTable();
const HOUR = 3_600_000;
const at = (ms: number) => new Date(T0.getTime() + ms);
const item = async (key: Record<string, string>) => (await table.db.doc.send(new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }))).Item;
/** An owner as an older deployment left it: the secrets on the profile item. */
async function legacyOwner(secrets: Record<string, string>): Promise<string> {
  const owner = uniqueOwner();
  const names = Object.keys(secrets);
  await table.db.doc.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: ownerProfileKey(owner),
      UpdateExpression: `SET ruleCount = :zero, ${names.map((name, i) => `${name} = :v${i}`).join(', ')}`,
      ExpressionAttributeValues: { ':zero': 3, ...Object.fromEntries(names.map((name, i) => [`:v${i}`, secrets[name]])) },
    }),
  );
  return owner;
}

describe('webhook secrets repository', () => {
  it('signs with the new and the old secret during the grace period, then with the new one only', async () => {
    const owner = uniqueOwner();
    const { webhookSecret: first } = await createApiKey(table.db, { owner, now: T0 });
    expect(await webhookSigningSecrets(table.db, owner, T0)).toEqual([first]);

    const rotated = await rotateWebhookSecret(table.db, owner, { now: T0, graceMs: 24 * HOUR });
    expect(rotated).toEqual({ owner, secret: expect.stringMatching(/^[\w-]{43}$/), previousValidUntil: at(24 * HOUR).toISOString() });
    expect(rotated?.secret).not.toBe(first);

    expect(await webhookSigningSecrets(table.db, owner, at(HOUR))).toEqual([rotated?.secret, first]);
    expect(await webhookSigningSecrets(table.db, owner, at(24 * HOUR - 1))).toEqual([rotated?.secret, first]);
    expect(await webhookSigningSecrets(table.db, owner, at(24 * HOUR))).toEqual([rotated?.secret]);
    // The secrets are on their own item; the profile holds none and its rule count is untouched.
    expect(await item(ownerProfileKey(owner))).toEqual(expect.not.objectContaining({ webhookSecret: expect.anything() }));
    expect(await getOwnerProfile(table.db, owner)).toMatchObject({ ruleCount: 0 });
    expect(await item(webhookSecretKey(owner))).toMatchObject({ PK: `WEBHOOKSECRET#${owner}`, SK: 'SECRET', current: rotated?.secret, previous: first });
  });

  it('keeps only two secrets: a second rotation inside the grace period drops the oldest', async () => {
    const owner = uniqueOwner();
    const { webhookSecret: first } = await createApiKey(table.db, { owner, now: T0 });
    const second = await rotateWebhookSecret(table.db, owner, { now: T0, graceMs: 24 * HOUR });
    const third = await rotateWebhookSecret(table.db, owner, { now: at(HOUR), graceMs: 2 * HOUR });

    const secrets = await webhookSigningSecrets(table.db, owner, at(2 * HOUR));
    expect(secrets).toEqual([third?.secret, second?.secret]);
    expect(secrets).not.toContain(first);
    expect(await webhookSigningSecrets(table.db, owner, at(3 * HOUR))).toEqual([third?.secret]);
  });

  it('with no grace period, the old secret stops at once', async () => {
    const owner = uniqueOwner();
    await createApiKey(table.db, { owner, now: T0 });
    await rotateWebhookSecret(table.db, owner, { now: T0, graceMs: 24 * HOUR });
    const rotated = await rotateWebhookSecret(table.db, owner, { now: T0, graceMs: 0 });

    expect(rotated?.previousValidUntil).toBeNull();
    expect(await webhookSigningSecrets(table.db, owner, T0)).toEqual([rotated?.secret]);
  });

  it('rotates nothing for an owner without a secret, and signs with nothing', async () => {
    const owner = uniqueOwner();
    expect(await rotateWebhookSecret(table.db, owner, { now: T0, graceMs: HOUR })).toBeNull();
    expect(await webhookSigningSecrets(table.db, owner, T0)).toEqual([]);
    await expect(rotateWebhookSecret(table.db, owner, { now: T0, graceMs: -1 })).rejects.toThrow('non-negative');
  });

  it('ignores a previous secret with an unreadable end, or equal to the current one', () => {
    expect(signingSecretsOf({ current: 'a', previous: 'b', previousUntil: 'soon' }, T0)).toEqual(['a']);
    expect(signingSecretsOf({ current: 'a', previous: 'a', previousUntil: at(HOUR).toISOString() }, T0)).toEqual(['a']);
    expect(signingSecretsOf({ previous: 'b', previousUntil: at(HOUR).toISOString() }, T0)).toEqual([]);
    // The old profile attributes are not read any more.
    expect(signingSecretsOf({ webhookSecret: 'a' }, T0)).toEqual([]);
  });

  it('moves an older deployment’s secrets off the profile, grace period included; twice is a no-op', async () => {
    const until = at(HOUR).toISOString();
    const owner = await legacyOwner({ webhookSecret: 'new-secret', previousWebhookSecret: 'old-secret', previousWebhookSecretUntil: until });
    expect(await webhookSigningSecrets(table.db, owner, T0)).toEqual([]);

    expect(await migrateWebhookSecret(table.db, owner)).toBe('moved');
    expect(await webhookSigningSecrets(table.db, owner, T0)).toEqual(['new-secret', 'old-secret']);
    expect(await item(ownerProfileKey(owner))).toEqual({ PK: `OWNER#${owner}`, SK: 'PROFILE', ruleCount: 3 });
    const moved = await item(webhookSecretKey(owner));

    expect(await migrateWebhookSecret(table.db, owner)).toBe('nothing_to_move');
    expect(await item(webhookSecretKey(owner))).toEqual(moved);
  });

  it('copies only with keepProfileCopy, then removes the profile copy; key creation and rotation move first', async () => {
    const copied = await legacyOwner({ webhookSecret: 's1' });
    const counts = await migrateWebhookSecrets(table.db, [copied, uniqueOwner()], { keepProfileCopy: true });
    expect(counts).toEqual({ moved: 0, copied: 1, profile_copy_removed: 0, nothing_to_move: 1 });
    expect((await item(ownerProfileKey(copied)))?.webhookSecret).toBe('s1');
    expect(await migrateWebhookSecret(table.db, copied, { keepProfileCopy: true })).toBe('nothing_to_move');
    expect(await migrateWebhookSecret(table.db, copied)).toBe('profile_copy_removed');
    expect((await item(ownerProfileKey(copied)))?.webhookSecret).toBeUndefined();
    expect(await webhookSigningSecrets(table.db, copied, T0)).toEqual(['s1']);

    // A new key of a not yet migrated owner keeps the secret its receivers know.
    const keyed = await legacyOwner({ webhookSecret: 's2' });
    expect((await createApiKey(table.db, { owner: keyed, now: T0 })).webhookSecret).toBeNull();
    expect(await webhookSigningSecrets(table.db, keyed, T0)).toEqual(['s2']);
    expect(await createWebhookSecret(table.db, keyed, T0)).toBeNull();

    const rotatedOwner = await legacyOwner({ webhookSecret: 's3' });
    const rotated = await rotateWebhookSecret(table.db, rotatedOwner, { now: T0, graceMs: HOUR });
    expect(await webhookSigningSecrets(table.db, rotatedOwner, T0)).toEqual([rotated?.secret, 's3']);
    expect((await item(ownerProfileKey(rotatedOwner)))?.webhookSecret).toBeUndefined();
  });
});

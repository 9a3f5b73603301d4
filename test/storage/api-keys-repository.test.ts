import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../../storage/api-key-format';
import { createApiKey, findApiKey, findApiKeyById, listApiKeys, revokeApiKey } from '../../storage/api-keys-repository';
import { getOwnerProfile } from '../../storage/owners-repository';
import { T0 } from '../support/api-fixtures';
import { uniqueOwner, useDynamoDbTable } from '../support/dynamodb';

const table = useDynamoDbTable();

describe('API keys repository', () => {
  it('issues a high-entropy key and stores only its SHA-256', async () => {
    const owner = uniqueOwner();
    const { key, keyId, created } = await createApiKey(table.db, { owner, now: T0 });

    expect(created).toBe(true);
    expect(key).toMatch(new RegExp(`^sa_${keyId}_[A-Za-z0-9]{43}$`));
    const { Items = [] } = await table.db.doc.send(new ScanCommand({ TableName: table.tableName }));
    const stored = JSON.stringify(Items);
    expect(stored).not.toContain(key);
    expect(stored).not.toContain(key.slice(14));
    expect(stored).toContain(hashApiKey(key));
  });

  it('finds a key’s owner by the key, and nothing for an unknown key', async () => {
    const owner = uniqueOwner();
    const { key, keyId } = await createApiKey(table.db, { owner, now: T0 });

    expect(await findApiKey(table.db, key)).toEqual({ keyId, owner, createdAt: T0.toISOString(), revokedAt: null });
    expect(await findApiKey(table.db, `${key}x`)).toBeNull();
  });

  it('creates the owner’s webhook secret with its first key only', async () => {
    const owner = uniqueOwner();
    const first = await createApiKey(table.db, { owner, now: T0 });
    const second = await createApiKey(table.db, { owner, now: T0 });

    expect(first.webhookSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second.webhookSecret).toBeNull();
    expect(await getOwnerProfile(table.db, owner)).toEqual({ owner, ruleCount: 0, createdAt: T0.toISOString() });
  });

  it('stores a given key (the local development key) once, and accepts it again unchanged', async () => {
    const owner = uniqueOwner();
    const given = `dev-${owner}`;
    const first = await createApiKey(table.db, { owner, now: T0, key: given });
    const again = await createApiKey(table.db, { owner, now: T0, key: given });

    expect(first).toMatchObject({ key: given, created: true });
    expect(again).toMatchObject({ key: given, keyId: first.keyId, created: false });
    await expect(createApiKey(table.db, { owner: uniqueOwner(), now: T0, key: given })).rejects.toThrow('another owner');
  });

  it('lists keys by owner without the key or its hash', async () => {
    const [alice, bob] = [uniqueOwner('alice'), uniqueOwner('bob')];
    const a1 = await createApiKey(table.db, { owner: alice, now: T0 });
    const a2 = await createApiKey(table.db, { owner: alice, now: T0 });
    const b1 = await createApiKey(table.db, { owner: bob, now: T0 });

    const alicesKeys = await listApiKeys(table.db, alice);
    expect(alicesKeys.map((k) => k.keyId).sort()).toEqual([a1.keyId, a2.keyId].sort());
    expect(Object.keys(alicesKeys[0] ?? {}).sort()).toEqual(['createdAt', 'keyId', 'owner', 'revokedAt']);
    expect((await listApiKeys(table.db)).map((k) => k.keyId)).toEqual(expect.arrayContaining([a1.keyId, a2.keyId, b1.keyId]));
  });

  it('finds a key’s record by its id (what revoke needs to find the key’s dashboards), revoked or not', async () => {
    const owner = uniqueOwner();
    const { keyId } = await createApiKey(table.db, { owner, now: T0 });
    expect(await findApiKeyById(table.db, keyId)).toEqual({ keyId, owner, createdAt: T0.toISOString(), revokedAt: null });
    await revokeApiKey(table.db, keyId, T0);
    expect(await findApiKeyById(table.db, keyId)).toEqual({ keyId, owner, createdAt: T0.toISOString(), revokedAt: T0.toISOString() });
    expect(await findApiKeyById(table.db, 'NoSuchKey9')).toBeNull();
  });

  it('revokes a key by id, once', async () => {
    const owner = uniqueOwner();
    const { key, keyId } = await createApiKey(table.db, { owner, now: T0 });
    const later = new Date(T0.getTime() + 1000);

    expect(await revokeApiKey(table.db, keyId, later)).toBe('revoked');
    expect(await revokeApiKey(table.db, keyId, later)).toBe('already_revoked');
    expect(await revokeApiKey(table.db, 'NoSuchKey0', later)).toBe('not_found');
    expect((await findApiKey(table.db, key))?.revokedAt).toBe(later.toISOString());
  });
});

/** The authorizer Lambda through the local HTTP API on DynamoDB Local: keys, revocation, isolation. */
import { describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../../../storage/api-keys-repository';
import { createRuleBody } from '../../support/api-fixtures';
import { useApiServer } from '../../support/api-server';

const api = useApiServer();

describe('API key authorizer', () => {
  it('lets a live key through as its owner', async () => {
    const { key } = await api.newOwner();
    expect((await api.request('GET', '/rules', { key })).status).toBe(200);
  });

  it('refuses a key from the moment it is revoked, and only that key', async () => {
    const { key, keyId } = await api.newOwner();
    const created = await api.request('POST', '/rules', { key, json: createRuleBody() });
    const other = await api.newOwner();

    await revokeApiKey(api.table.db, keyId, new Date());

    const refused = await api.request('GET', '/rules', { key });
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) as unknown } });
    expect((await api.request('GET', `/rules/${(created.body as { id: string }).id}`, { key })).status).toBe(401);
    expect((await api.request('GET', '/rules', { key: other.key })).status).toBe(200);
  });

  it('serves every key of an owner the same rules', async () => {
    const { owner, key } = await api.newOwner();
    const second = await createApiKey(api.table.db, { owner, now: new Date() });
    const created = await api.request('POST', '/rules', { key, json: createRuleBody() });

    expect((await api.request('GET', `/rules/${(created.body as { id: string }).id}`, { key: second.key })).status).toBe(200);
  });

  it('never echoes the key in an answer', async () => {
    const key = 'sa_AAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';
    const response = await api.request('GET', '/rules', { key });
    expect(JSON.stringify(response.body)).not.toContain('BBBB');
  });
});

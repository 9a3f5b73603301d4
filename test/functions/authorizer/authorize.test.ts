import { describe, expect, it, vi } from 'vitest';
import { authorize, bearerToken } from '../../../functions/authorizer/authorize';
import type { ApiKeyRecord } from '../../../storage/api-keys-repository';

const record: ApiKeyRecord = { keyId: 'Key0000001', owner: 'alice', createdAt: '2026-01-01T00:00:00.000Z', revokedAt: null };

describe('authorizer decision', () => {
  it('reads the token of a Bearer header, whatever the case of the scheme', () => {
    expect(bearerToken('Bearer sa_abc')).toBe('sa_abc');
    expect(bearerToken('bearer   sa_abc ')).toBe('sa_abc');
  });

  it.each([undefined, '', 'Bearer', 'Bearer ', 'Basic dXNlcg==', 'Bearer two tokens', `Bearer ${'a'.repeat(257)}`, 'Bearer caf\u00e9'])(
    'finds no token in %j',
    (header) => {
      expect(bearerToken(header)).toBeNull();
    },
  );

  it('allows a live key and hands its owner and key id to the routes', async () => {
    expect(await authorize('Bearer sa_key', async () => record)).toEqual({ owner: 'alice', keyId: 'Key0000001' });
  });

  it('denies an unknown or revoked key', async () => {
    expect(await authorize('Bearer sa_key', async () => null)).toBeNull();
    expect(await authorize('Bearer sa_key', async () => ({ ...record, revokedAt: '2026-02-01T00:00:00.000Z' }))).toBeNull();
  });

  it('does not look up a header without a token', async () => {
    const findKey = vi.fn(async () => record);
    expect(await authorize('Token sa_key', findKey)).toBeNull();
    expect(findKey).not.toHaveBeenCalled();
  });
});

import { describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey, keyIdOf } from '../../storage/api-key-format';

describe('API key format', () => {
  it('makes keys of the form sa_<keyId>_<secret> with about 256 bits of secret', () => {
    const { key, keyId } = generateApiKey();
    expect(key).toMatch(/^sa_[A-Za-z0-9]{10}_[A-Za-z0-9]{43}$/);
    expect(keyIdOf(key)).toBe(keyId);
    expect(43 * Math.log2(62)).toBeGreaterThan(255);
  });

  it('never makes the same key twice', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => generateApiKey().key));
    expect(keys.size).toBe(1000);
  });

  it('has no key id in text of another format', () => {
    expect(keyIdOf('dev-key')).toBeNull();
    expect(keyIdOf('sa_short_secret')).toBeNull();
  });

  it('hashes with hex SHA-256', () => {
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

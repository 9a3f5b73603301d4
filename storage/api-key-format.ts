/**
 * API keys: `sa_<keyId>_<secret>`, where the key id is public (it names the key in listings) and
 * the secret carries 256 bits from the OS's CSPRNG. Only the SHA-256 of the whole key is stored;
 * a key this fast to hash is fine because it is random, not a password.
 */
import { createHash } from 'node:crypto';
import { randomBase62 } from './random-ids';

const KEY_ID_LENGTH = 10;
/** 43 base62 characters ≈ 256 bits. */
const SECRET_LENGTH = 43;
/** Longer bearer tokens are refused without a lookup. */
export const MAX_API_KEY_LENGTH = 256;

const KEY_PATTERN = new RegExp(`^sa_([A-Za-z0-9]{${KEY_ID_LENGTH}})_[A-Za-z0-9]{${SECRET_LENGTH}}$`);

export function generateKeyId(): string {
  return randomBase62(KEY_ID_LENGTH);
}

export function generateApiKey(): { key: string; keyId: string } {
  const keyId = generateKeyId();
  return { key: `sa_${keyId}_${randomBase62(SECRET_LENGTH)}`, keyId };
}

/** The key id inside a key of the standard format, or null for any other text. */
export function keyIdOf(key: string): string | null {
  return KEY_PATTERN.exec(key)?.[1] ?? null;
}

/** What is stored and looked up instead of the key: hex SHA-256. Never log it either. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

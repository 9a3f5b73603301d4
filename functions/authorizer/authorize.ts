/**
 * The authorizer's decision: `Authorization: Bearer <api key>` → the key's owner, or null for a
 * missing, malformed, unknown or revoked key. The answer depends on the header alone, which is
 * what lets API Gateway cache it per header value.
 */
import type { ApiKeyRecord } from '../../storage/api-keys-repository';
import { MAX_API_KEY_LENGTH } from '../../storage/api-key-format';
import type { AuthorizerContext } from '../shared/api-event';

const BEARER = /^Bearer +([\x21-\x7e]+) *$/i;

/** The token of a Bearer authorization header, or null. */
export function bearerToken(header: string | undefined): string | null {
  const token = header === undefined ? undefined : BEARER.exec(header)?.[1];
  return token === undefined || token.length > MAX_API_KEY_LENGTH ? null : token;
}

export async function authorize(
  authorization: string | undefined,
  findKey: (key: string) => Promise<ApiKeyRecord | null>,
): Promise<AuthorizerContext | null> {
  const token = bearerToken(authorization);
  if (token === null) return null;
  const record = await findKey(token);
  if (record === null || record.revokedAt !== null) return null;
  return { owner: record.owner, keyId: record.keyId };
}

/**
 * Webhook signatures: `X-Signature: sha256=<hex>`, the HMAC-SHA256 of the exact body bytes keyed
 * with the owner's webhook secret (its UTF-8 bytes). While a rotated-out secret is in its grace
 * period (storage/webhook-secrets-repository.ts) the header carries one signature per secret,
 * newest first, as a comma-separated list: `sha256=<hex new>, sha256=<hex old>` (as Stripe sends
 * several `v1=` values). A receiver accepts the body when any one of them verifies under its
 * secret. Receivers verify with verifyWebhookSignature over the raw body, before parsing it.
 * docs/notifications.md shows a receiver.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Signature';
const SCHEME = 'sha256=';
/** Between two signatures of one header. */
export const SIGNATURE_SEPARATOR = ', ';

/** The X-Signature header value for `body`: one signature per secret, in the order given. */
export function signWebhookBody(body: string | Uint8Array, secrets: string | readonly string[]): string {
  const keys = typeof secrets === 'string' ? [secrets] : secrets;
  if (keys.length === 0) throw new RangeError('a webhook signature needs at least one secret');
  return keys.map((secret) => SCHEME + createHmac('sha256', secret).update(body).digest('hex')).join(SIGNATURE_SEPARATOR);
}

/**
 * True when one of the signatures in `header` is that of `body` under `secret`. Compares in
 * constant time; a header with a malformed element is refused whole.
 * @example
 * if (!verifyWebhookSignature(rawBody, req.headers['x-signature'], process.env.WEBHOOK_SECRET)) return res.writeHead(401).end();
 */
export function verifyWebhookSignature(body: string | Uint8Array, header: string | string[] | undefined, secret: string): boolean {
  if (typeof header !== 'string') return false;
  const signatures = header.split(',').map((part) => part.trim());
  // Two secrets at most are valid at once; a longer list is not ours.
  if (signatures.length > 2) return false;
  const digests: Buffer[] = [];
  for (const signature of signatures) {
    if (!signature.startsWith(SCHEME)) return false;
    const hex = signature.slice(SCHEME.length).toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(hex)) return false;
    digests.push(Buffer.from(hex, 'hex'));
  }
  const expected = createHmac('sha256', secret).update(body).digest();
  // Every element is compared, so the time taken does not tell which one matched.
  return digests.map((digest) => timingSafeEqual(digest, expected)).includes(true);
}

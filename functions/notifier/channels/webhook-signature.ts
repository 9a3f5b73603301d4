/**
 * Webhook signatures: `X-Signature: sha256=<hex>`, the HMAC-SHA256 of the exact body bytes keyed
 * with the owner's webhook secret (its UTF-8 bytes). Receivers verify with verifyWebhookSignature
 * over the raw body, before parsing it. docs/notifications.md shows a receiver.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Signature';
const SCHEME = 'sha256=';

/** The X-Signature header value for `body`. */
export function signWebhookBody(body: string | Uint8Array, secret: string): string {
  return SCHEME + createHmac('sha256', secret).update(body).digest('hex');
}

/**
 * True when `header` is the signature of `body` under `secret`. Compares in constant time.
 * @example
 * if (!verifyWebhookSignature(rawBody, req.headers['x-signature'], process.env.WEBHOOK_SECRET)) return res.writeHead(401).end();
 */
export function verifyWebhookSignature(body: string | Uint8Array, header: string | string[] | undefined, secret: string): boolean {
  if (typeof header !== 'string' || !header.startsWith(SCHEME)) return false;
  const hex = header.slice(SCHEME.length).trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(Buffer.from(hex, 'hex'), expected);
}

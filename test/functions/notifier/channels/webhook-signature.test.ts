import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhookBody, verifyWebhookSignature } from '../../../../functions/notifier/channels/webhook-signature';

const SECRET = 'k9Q3b2-owner-secret';
const BODY = '{"alertId":"a1","price":200.5}';

describe('webhook signatures', () => {
  it('are the hex HMAC-SHA256 of the body bytes, prefixed sha256=', () => {
    expect(signWebhookBody(BODY, SECRET)).toBe(`sha256=${createHmac('sha256', SECRET).update(BODY).digest('hex')}`);
  });

  it('verify for the exact body and secret', () => {
    const header = signWebhookBody(BODY, SECRET);
    expect(verifyWebhookSignature(BODY, header, SECRET)).toBe(true);
    expect(verifyWebhookSignature(Buffer.from(BODY), header.toUpperCase().replace('SHA256=', 'sha256='), SECRET)).toBe(true);
  });

  it('fail for another body, another secret, or a re-serialised body', () => {
    const header = signWebhookBody(BODY, SECRET);
    expect(verifyWebhookSignature(BODY.replace('200.5', '2000.5'), header, SECRET)).toBe(false);
    expect(verifyWebhookSignature(BODY, header, 'other-secret')).toBe(false);
    expect(verifyWebhookSignature(JSON.stringify(JSON.parse(BODY), null, 2), header, SECRET)).toBe(false);
  });

  it.each([undefined, '', 'sha256=', 'sha1=abc', `sha256=${'z'.repeat(64)}`, `sha256=${'a'.repeat(63)}`, ['sha256=x', 'sha256=y']])(
    'fail for a malformed header (%s)',
    (header) => {
      expect(verifyWebhookSignature(BODY, header, SECRET)).toBe(false);
    },
  );
});

describe('webhook signatures during a secret rotation', () => {
  const OLD = 'old-owner-secret';
  const hmac = (secret: string) => createHmac('sha256', secret).update(BODY).digest('hex');

  it('carry one signature per secret, newest first, as "sha256=<new>, sha256=<old>"', () => {
    expect(signWebhookBody(BODY, [SECRET, OLD])).toBe(`sha256=${hmac(SECRET)}, sha256=${hmac(OLD)}`);
    expect(signWebhookBody(BODY, [SECRET])).toBe(signWebhookBody(BODY, SECRET));
    expect(() => signWebhookBody(BODY, [])).toThrow('at least one secret');
  });

  it('verify under either secret, and under no third one', () => {
    const header = signWebhookBody(BODY, [SECRET, OLD]);
    expect(verifyWebhookSignature(BODY, header, SECRET)).toBe(true);
    expect(verifyWebhookSignature(BODY, header, OLD)).toBe(true);
    expect(verifyWebhookSignature(BODY, header, 'other-secret')).toBe(false);
    expect(verifyWebhookSignature(BODY, `sha256=${hmac(SECRET)},sha256=${hmac(OLD)}`, OLD)).toBe(true);
  });

  it.each([
    [`sha256=${'a'.repeat(64)}, sha256=zz`, 'a malformed second element'],
    [`sha256=${'a'.repeat(64)}, sha1=${'a'.repeat(40)}`, 'another scheme'],
    [`sha256=${'a'.repeat(64)}, sha256=${'b'.repeat(64)}, sha256=${'c'.repeat(64)}`, 'more than two signatures'],
    [`sha256=${'a'.repeat(64)},`, 'an empty element'],
  ])('refuse %s (%s)', (header) => {
    expect(verifyWebhookSignature(BODY, header.replace('a'.repeat(64), hmac(SECRET)), SECRET)).toBe(false);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { systemClock, type Clock } from '../../../../functions/notifier/channels/delivery-clock';
import { WebhookSender, type WebhookSenderOptions, type WebhookTargetPolicy } from '../../../../functions/notifier/channels/webhook-sender';
import { verifyWebhookSignature } from '../../../../functions/notifier/channels/webhook-signature';
import { vetWebhookTarget } from '../../../../functions/shared/webhook-url-policy';
import { fastClock } from '../../../support/delivery-clocks';
import { aDeliverable } from '../../../support/delivery-fixtures';
import { selfSignedCertificate } from '../../../support/delivery-tls';
import { startWebhookReceiver, type WebhookReceiver } from '../../../support/delivery-webhook-receiver';

const SECRET = 'owner-1-webhook-secret';
let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

/** The test double of webhook-url-policy: every host is the loopback receiver (loopback allowed for tests). */
const loopbackPolicy: WebhookTargetPolicy = async () => ({ addresses: [{ address: '127.0.0.1', family: 4 }] });
const clock: Clock = fastClock(50);

/** Retries inside a send, as a sender may be configured (the notifier's are one attempt: the queue retries, deliver.ts). */
const IN_SEND_RETRY = { maxAttempts: 3, budgetMs: 5_000 };

function senderFor(options: Partial<WebhookSenderOptions> = {}) {
  return new WebhookSender({ policy: loopbackPolicy, secretOf: async () => SECRET, timeoutMs: 200, clock, random: () => 0.5, retry: IN_SEND_RETRY, ...options });
}
const hook = (url: string) => ({ type: 'webhook', url }) as const;

describe('the webhook sender', () => {
  it('POSTs the alert as JSON with a signature that verifies over the exact body', async () => {
    receiver = await startWebhookReceiver();
    const result = await senderFor().send(hook(`http://127.0.0.1:${receiver.port}/alerts?source=stock`), aDeliverable());
    expect(result).toEqual({ ok: true });
    const [request] = receiver.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/alerts?source=stock' });
    expect(request?.headers).toMatchObject({ 'content-type': 'application/json', 'user-agent': 'stock-alerts' });
    expect(verifyWebhookSignature(request?.body ?? '', request?.headers['x-signature'], SECRET)).toBe(true);
    expect(JSON.parse(request?.body.toString('utf8') ?? '')).toEqual({
      alertId: 'A1b2C3d4E5f6G7h8I9j0K1',
      ruleId: 'R1b2C3d4E5f6G7h8I9j0K1',
      symbol: 'AAPL$US',
      price: 200.5,
      condition: { type: 'crosses_above', value: 200 },
      message: 'AAPL$US crossed above 200: last 200.5 at 2026-03-02T14:30:00.250Z',
      tickAt: '2026-03-02T14:30:00.250Z',
      triggeredAt: '2026-03-02T14:30:00.400Z',
      sentAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
  });

  it('connects to the address the policy vetted, whatever the host name, and keeps the Host header', async () => {
    receiver = await startWebhookReceiver();
    const asked: string[] = [];
    const policy: WebhookTargetPolicy = async (url) => {
      asked.push(url);
      return { addresses: [{ address: '127.0.0.1', family: 4 }] };
    };
    // hooks.test resolves nowhere: only the pinned address can have reached the receiver.
    const url = `http://hooks.test:${receiver.port}/hook`;
    expect(await senderFor({ policy }).send(hook(url), aDeliverable())).toEqual({ ok: true });
    expect(asked).toEqual([url]);
    expect(receiver.requests[0]?.headers.host).toBe(`hooks.test:${receiver.port}`);
  });

  const certificate = selfSignedCertificate('hooks.test');
  it.skipIf(certificate === null)('pins https too, with the URL host as TLS server name and certificate name', async () => {
    receiver = await startWebhookReceiver(certificate ?? undefined);
    const result = await senderFor({ ca: certificate?.cert }).send(hook(`https://hooks.test:${receiver.port}/hook`), aDeliverable());
    expect(result).toEqual({ ok: true });
    expect(receiver.requests[0]?.servername).toBe('hooks.test');
    expect(receiver.requests[0]?.headers.host).toBe(`hooks.test:${receiver.port}`);
  });

  it.skipIf(certificate === null)('fails an https certificate that does not name the host, as retryable', async () => {
    receiver = await startWebhookReceiver(certificate ?? undefined);
    const result = await senderFor({ ca: certificate?.cert, retry: { maxAttempts: 1 } }).send(hook(`https://other.test:${receiver.port}/hook`), aDeliverable());
    expect(result).toMatchObject({ ok: false, retryable: true, error: expect.stringMatching(/^webhook unreachable/) });
    expect(receiver.requests).toEqual([]);
  });

  it('refuses a URL the policy refuses, without sending, not retryable', async () => {
    const refuse: WebhookTargetPolicy = async () => {
      throw new Error('must not point to a private, loopback, link-local or otherwise internal address (10.0.0.1)');
    };
    const result = await senderFor({ policy: refuse }).send(hook('https://internal.example/hook'), aDeliverable());
    expect(result).toEqual({ ok: false, retryable: false, error: 'webhook URL refused: must not point to a private, loopback, link-local or otherwise internal address (10.0.0.1)' });
  });

  it('treats a policy failure marked retryable (DNS timeout) as retryable', async () => {
    const timeout: WebhookTargetPolicy = async () => {
      throw Object.assign(new Error('DNS timeout'), { retryable: true });
    };
    expect(await senderFor({ policy: timeout, retry: { maxAttempts: 1 } }).send(hook('https://slow-dns.example/'), aDeliverable())).toEqual({
      ok: false,
      retryable: true,
      error: 'webhook URL refused: DNS timeout',
    });
  });

  it('sends once by default: a 5xx is a retryable failure for the queue to retry', async () => {
    receiver = await startWebhookReceiver();
    receiver.answer({ status: 503 });
    const result = await senderFor({ retry: {} }).send(hook(`http://127.0.0.1:${receiver.port}/`), aDeliverable());
    expect(result).toEqual({ ok: false, retryable: true, error: 'webhook answered HTTP 503 Service Unavailable' });
    expect(receiver.requests).toHaveLength(1);
  });

  it('retries 5xx when configured to, and sends the same bytes and signature each time', async () => {
    receiver = await startWebhookReceiver();
    receiver.answer({ status: 503 }, { status: 500 });
    expect(await senderFor().send(hook(`http://127.0.0.1:${receiver.port}/`), aDeliverable())).toEqual({ ok: true });
    expect(receiver.requests).toHaveLength(3);
    const [first, ...rest] = receiver.requests;
    for (const request of rest) {
      expect(request.body.equals(first?.body ?? Buffer.alloc(0))).toBe(true);
      expect(request.headers['x-signature']).toBe(first?.headers['x-signature']);
    }
  });

  it('gives up after the configured attempts as retryable', async () => {
    receiver = await startWebhookReceiver();
    receiver.answer({ status: 500 }, { status: 502 }, { status: 504 }, { status: 500 });
    const result = await senderFor().send(hook(`http://127.0.0.1:${receiver.port}/`), aDeliverable());
    expect(result).toEqual({ ok: false, retryable: true, error: 'webhook answered HTTP 504 Gateway Timeout' });
    expect(receiver.requests).toHaveLength(3);
  });

  it('times out a slow receiver (200 ms configured here, 5 s by default) and retries', async () => {
    receiver = await startWebhookReceiver();
    receiver.answer({ hang: true }, { status: 200, delayMs: 1_000 });
    // Real time here: the timeout is real, so the retry budget must be too.
    const sender = senderFor({ clock: systemClock, retry: { maxAttempts: 2, initialMs: 10, budgetMs: 5_000 } });
    const result = await sender.send(hook(`http://127.0.0.1:${receiver.port}/`), aDeliverable());
    expect(result).toEqual({ ok: false, retryable: true, error: 'webhook did not answer within 200 ms' });
    expect(receiver.requests).toHaveLength(2);
  });

  it('retries 429 after its Retry-After, or hands a long Retry-After back to the queue', async () => {
    receiver = await startWebhookReceiver();
    receiver.answer({ status: 429, headers: { 'retry-after': '1' } });
    const started = clock.now();
    expect(await senderFor().send(hook(`http://127.0.0.1:${receiver.port}/`), aDeliverable())).toEqual({ ok: true });
    expect(clock.now() - started).toBeGreaterThanOrEqual(1_000);

    receiver.answer({ status: 429, headers: { 'retry-after': '120' } });
    expect(await senderFor().send(hook(`http://127.0.0.1:${receiver.port}/`), aDeliverable())).toEqual({
      ok: false,
      retryable: true,
      retryAfterMs: 120_000,
      error: 'webhook answered HTTP 429 Too Many Requests',
    });
  });

  it.each([
    [400, 'webhook answered HTTP 400 Bad Request'],
    [404, 'webhook answered HTTP 404 Not Found'],
    [410, 'webhook answered HTTP 410 Gone'],
    [302, 'webhook answered HTTP 302 Found (redirects are not followed)'],
  ])('does not retry HTTP %i', async (status, error) => {
    receiver = await startWebhookReceiver();
    receiver.answer({ status, headers: { location: 'http://169.254.169.254/' } });
    expect(await senderFor().send(hook(`http://127.0.0.1:${receiver.port}/`), aDeliverable())).toEqual({ ok: false, retryable: false, error });
    expect(receiver.requests).toHaveLength(1);
  });

  it('retries a refused connection as retryable', async () => {
    receiver = await startWebhookReceiver();
    const port = receiver.port;
    await receiver.close();
    receiver = undefined;
    const result = await senderFor({ retry: { maxAttempts: 2 } }).send(hook(`http://127.0.0.1:${port}/`), aDeliverable());
    expect(result).toMatchObject({ ok: false, retryable: true, error: expect.stringContaining('ECONNREFUSED') });
  });

  it('does not send without the owner webhook secret', async () => {
    expect(await senderFor({ secretOf: async () => null }).send(hook('https://example.com/'), aDeliverable())).toEqual({
      ok: false,
      retryable: false,
      error: 'the owner has no webhook secret',
    });
    const unavailable = senderFor({
      secretOf: async () => {
        throw new Error('DynamoDB is down');
      },
    });
    expect(await unavailable.send(hook('https://example.com/'), aDeliverable())).toEqual({ ok: false, retryable: true, error: 'webhook secret unavailable: DynamoDB is down' });
  });

  it('refuses an IP-literal URL that is not the vetted address', async () => {
    const result = await senderFor().send(hook('http://10.1.2.3/hook'), aDeliverable());
    expect(result).toEqual({ ok: false, retryable: false, error: 'webhook URL refused: 10.1.2.3 is not the vetted address' });
  });
});

/**
 * A host name that resolves to both families, its receiver listening on one of them only: the
 * sender must try every vetted address (IPv6-first names on IPv4-only receivers failed before).
 * The name resolves only through the policy's injected resolver: no DNS, no internet.
 */
describe('the webhook sender, for a host with IPv6 and IPv4 addresses', () => {
  const BOTH = [
    { address: '::1', family: 6 },
    { address: '127.0.0.1', family: 4 },
  ] as const;
  /** The real URL policy (loopback allowed, as locally; any port), the host resolving to `addresses`. */
  const resolvingTo = (...addresses: string[]): WebhookTargetPolicy => {
    return (url) => vetWebhookTarget(url, { allowLoopback: true, allowedPorts: [[1, 65_535]], resolve: async () => addresses });
  };

  it('reaches a receiver listening only on 127.0.0.1 when the name resolves to ::1 first', async () => {
    receiver = await startWebhookReceiver(undefined, '127.0.0.1');
    const result = await senderFor({ policy: resolvingTo('::1', '127.0.0.1') }).send(hook(`http://dual.test:${receiver.port}/hook`), aDeliverable());
    expect(result).toEqual({ ok: true });
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]?.headers.host).toBe(`dual.test:${receiver.port}`);
  });

  it('reaches a receiver listening only on ::1 when the name resolves to 127.0.0.1 first', async () => {
    receiver = await startWebhookReceiver(undefined, '::1');
    const result = await senderFor({ policy: resolvingTo('127.0.0.1', '::1') }).send(hook(`http://dual.test:${receiver.port}/hook`), aDeliverable());
    expect(result).toEqual({ ok: true });
    expect(receiver.requests).toHaveLength(1);
  });

  it('reaches an IPv6-only receiver from a name that resolves to IPv6 only', async () => {
    receiver = await startWebhookReceiver(undefined, '::1');
    expect(await senderFor({ policy: resolvingTo('::1') }).send(hook(`http://v6.test:${receiver.port}/hook`), aDeliverable())).toEqual({ ok: true });
  });

  it('connects only to vetted addresses: a receiver on ::1 is not reached when the policy vetted 127.0.0.1 alone', async () => {
    receiver = await startWebhookReceiver(undefined, '::1');
    // `localhost` may well resolve to ::1 in this machine's DNS: the pin must win over it.
    const result = await senderFor({ policy: resolvingTo('127.0.0.1'), retry: { maxAttempts: 1 } }).send(hook(`http://localhost:${receiver.port}/hook`), aDeliverable());
    expect(result).toMatchObject({ ok: false, retryable: true, error: expect.stringMatching(/^webhook unreachable: .*ECONNREFUSED 127\.0\.0\.1/) });
    expect(receiver.requests).toEqual([]);
  });

  it('names every address tried when none answers', async () => {
    receiver = await startWebhookReceiver();
    const port = receiver.port;
    await receiver.close();
    receiver = undefined;
    const policy: WebhookTargetPolicy = async () => ({ addresses: BOTH });
    const result = await senderFor({ policy, retry: { maxAttempts: 1 } }).send(hook(`http://dual.test:${port}/`), aDeliverable());
    expect(result).toMatchObject({ ok: false, retryable: true });
    const error = result.ok ? '' : result.error;
    expect(error).toContain(`ECONNREFUSED ::1:${port}`);
    expect(error).toContain(`ECONNREFUSED 127.0.0.1:${port}`);
  });

  it('accepts an IPv6 literal URL among the vetted addresses', async () => {
    receiver = await startWebhookReceiver(undefined, '::1');
    expect(await senderFor({ policy: resolvingTo() }).send(hook(`http://[::1]:${receiver.port}/hook`), aDeliverable())).toEqual({ ok: true });
  });
});

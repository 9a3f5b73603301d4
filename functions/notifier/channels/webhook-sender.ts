/**
 * Webhook alerts: a signed JSON POST to the rule's URL.
 * - Body: message-formats.ts webhookBody (at most 64 KiB), serialised once per send so retries
 *   carry the same bytes (and signature); receivers deduplicate on `alertId`.
 * - Target: vetted at send time by an injected policy (https, no internal addresses) that also
 *   resolves the host; the request then connects to exactly that address (a `lookup` that returns
 *   it), so a DNS answer that changes between check and connect (rebinding) cannot redirect it.
 *   Host header and TLS server name stay the URL's host, so certificates are checked as usual.
 * - Redirects are not followed (they would skip the policy).
 * - Per attempt timeout (5 s by default); 5xx, 408, 429, timeouts and network errors are retried a
 *   couple of times with backoff; other 4xx and 3xx are not retryable.
 */
import type { IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { DeliverableAlert } from '../../../core/delivery/deliverable-alert';
import type { Random } from '../../../core/retry';
import { getOwnerProfile } from '../../../storage/owners-repository';
import type { ChannelImplementation, DeliveryChannelOf } from './channel-implementation';
import { systemClock, type Clock } from './delivery-clock';
import type { DeliveryLogger } from './delivery-logger';
import { failure, type ChannelSender, type DeliveryResult } from './delivery-result';
import { webhookBody } from './message-formats';
import { parseRetryAfter, sendWithRetries, type AttemptOutcome, type SendRetry } from './send-retries';
import { SIGNATURE_HEADER, signWebhookBody } from './webhook-signature';

export type WebhookChannel = DeliveryChannelOf<'webhook'>;

/** The address a webhook request may connect to, as the policy resolved and vetted it. */
export interface VettedTarget {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves the URL's host and checks URL and address (functions/shared/webhook-url-policy.ts).
 * Resolves with the one address to connect to; rejects when the URL may not be used. A rejection
 * is a permanent failure, unless the error carries `retryable: true` (a DNS timeout, say).
 */
export type WebhookTargetPolicy = (url: string) => Promise<VettedTarget>;

/** The owner's webhook secret (owners-repository), or null when the owner has none. */
export type WebhookSecretSource = (owner: string) => Promise<string | null>;

export const WEBHOOK_RETRY: SendRetry = { maxAttempts: 3, initialMs: 500, maxMs: 2_000, budgetMs: 5_000 };
export const WEBHOOK_TIMEOUT_MS = 5_000;
export const WEBHOOK_USER_AGENT = 'stock-alerts';
/** How much of a response body is read (and thrown away) before the connection is dropped. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export interface WebhookSenderOptions {
  policy: WebhookTargetPolicy;
  secretOf: WebhookSecretSource;
  /** Per attempt, connect to last byte of the answer. */
  timeoutMs?: number;
  retry?: Partial<SendRetry>;
  clock?: Clock;
  random?: Random;
  /** Extra trusted CA certificates (PEM), for local receivers with their own CA. */
  ca?: string | string[];
  logger?: DeliveryLogger;
}

/**
 * The webhook channel's formatter and sender (functions/notifier/channels/registry.ts): the target
 * vetted by the URL policy of every URL-bearing channel, signed with the owner's secret.
 */
export const webhookImplementation = {
  format: (alert, sentAt) => ({ body: webhookBody(alert, sentAt) }),
  createSender: async ({ config, db, logger, vetUrl }) =>
    new WebhookSender({
      policy: vetUrl,
      secretOf: async (owner) => (await getOwnerProfile(db, owner))?.webhookSecret ?? null,
      timeoutMs: config.webhookTimeoutMs,
      logger,
    }),
} satisfies ChannelImplementation<'webhook'>;

/**
 * @example
 * const webhooks = new WebhookSender({ policy: vetWebhookTarget, secretOf: (owner) => secrets.of(owner) });
 * await webhooks.send({ type: 'webhook', url: 'https://example.com/hook' }, alert);
 */
export class WebhookSender implements ChannelSender<WebhookChannel> {
  private readonly retry: SendRetry;
  private readonly clock: Clock;

  constructor(private readonly options: WebhookSenderOptions) {
    this.retry = { ...WEBHOOK_RETRY, ...options.retry };
    this.clock = options.clock ?? systemClock;
  }

  async send(channel: WebhookChannel, alert: DeliverableAlert): Promise<DeliveryResult> {
    let secret: string | null;
    try {
      secret = await this.options.secretOf(alert.owner);
    } catch (error) {
      return failure(true, `webhook secret unavailable: ${errorMessage(error)}`);
    }
    if (secret === null || secret === '') return failure(false, 'the owner has no webhook secret');

    const body = Buffer.from(webhookImplementation.format(alert, this.clock.now()).body, 'utf8');
    const headers = {
      'Content-Type': 'application/json',
      'Content-Length': String(body.length),
      'User-Agent': WEBHOOK_USER_AGENT,
      [SIGNATURE_HEADER]: signWebhookBody(body, secret),
    };
    const { random, logger } = this.options;
    return sendWithRetries({ retry: this.retry, clock: this.clock, random, logger, what: 'webhook send' }, () => this.attempt(channel.url, body, headers));
  }

  /** One attempt: vet the target again (DNS may have changed), then POST to the vetted address. */
  private async attempt(rawUrl: string, body: Buffer, headers: Record<string, string>): Promise<AttemptOutcome> {
    let target: VettedTarget;
    try {
      target = await this.options.policy(rawUrl);
    } catch (error) {
      const retryable = typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === true;
      const reason = `webhook URL refused: ${errorMessage(error)}`;
      return retryable ? { kind: 'transient', error: reason } : { kind: 'rejected', error: reason };
    }
    const url = new URL(rawUrl);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(host) !== 0 && host !== target.address) {
      return { kind: 'rejected', error: `webhook URL refused: ${host} is not the vetted address` };
    }
    const timeoutMs = this.options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
    try {
      const status = await post(url, target, body, headers, timeoutMs, this.options.ca);
      return this.judge(status);
    } catch (error) {
      if (error instanceof WebhookTimeout) return { kind: 'transient', error: `webhook did not answer within ${timeoutMs} ms` };
      return { kind: 'transient', error: `webhook unreachable: ${errorMessage(error)}` };
    }
  }

  private judge(answer: PostAnswer): AttemptOutcome {
    const { status, statusText } = answer;
    if (status >= 200 && status < 300) return { kind: 'sent' };
    const error = `webhook answered HTTP ${status}${statusText === '' ? '' : ` ${statusText}`}`;
    if (status === 408 || status === 429 || status >= 500) {
      const retryAfterMs = parseRetryAfter(answer.retryAfter, this.clock.now());
      return retryAfterMs === undefined ? { kind: 'transient', error } : { kind: 'transient', error, retryAfterMs };
    }
    if (status >= 300 && status < 400) return { kind: 'rejected', error: `${error} (redirects are not followed)` };
    return { kind: 'rejected', error };
  }
}

class WebhookTimeout extends Error {
  override readonly name = 'WebhookTimeout';
}

interface PostAnswer {
  status: number;
  statusText: string;
  retryAfter: string | undefined;
}

/** POSTs `body` to `url`, connecting to `target` whatever DNS says now. */
function post(url: URL, target: VettedTarget, body: Buffer, headers: Record<string, string>, timeoutMs: number, ca: string | string[] | undefined): Promise<PostAnswer> {
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if (options.all === true) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const https = url.protocol === 'https:';
  return new Promise<PostAnswer>((resolve, reject) => {
    const request = (https ? httpsRequest : httpRequest)({
      method: 'POST',
      hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port === '' ? undefined : Number(url.port),
      path: `${url.pathname}${url.search}`,
      headers,
      lookup: pinned,
      // A fresh connection per request: a pooled socket would skip the lookup (and the pin).
      agent: false,
      ...(https && ca !== undefined ? { ca } : {}),
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      request.destroy(new WebhookTimeout());
    }, timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(timedOut ? new WebhookTimeout() : error);
    };
    request.once('error', fail);
    request.once('response', (response: IncomingMessage) => {
      let received = 0;
      const answer: PostAnswer = {
        status: response.statusCode ?? 0,
        statusText: response.statusMessage ?? '',
        retryAfter: typeof response.headers['retry-after'] === 'string' ? response.headers['retry-after'] : undefined,
      };
      const finish = () => {
        clearTimeout(timer);
        resolve(answer);
      };
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        // The status is all we need: do not let a receiver stream an endless body at us.
        if (received > MAX_RESPONSE_BYTES) {
          response.destroy();
          finish();
        }
      });
      response.once('end', finish);
      response.once('error', fail);
    });
    request.end(body);
  });
}

function errorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
}

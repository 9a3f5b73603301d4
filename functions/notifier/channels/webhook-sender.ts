/**
 * Webhook alerts: a signed JSON POST to the rule's URL.
 * - Body: message-formats.ts webhookBody (at most 64 KiB), serialised once per send so retries
 *   carry the same bytes (and signature); receivers deduplicate on `alertId`.
 * - Target: vetted at send time by an injected policy (https, allowed port, no internal addresses)
 *   that also resolves the host; the request then connects to one of exactly the addresses it
 *   vetted (a `lookup` that returns them), so a DNS answer that changes between check and connect
 *   (rebinding) cannot redirect it. Every vetted address is tried, both families, IPv6 and IPv4
 *   alternating from DNS's first (node's happy eyeballs, `autoSelectFamily`): a host whose first
 *   address does not answer (an IPv6-first name on an IPv4-only network) is reached by the next.
 *   Host header and TLS server name stay the URL's host, so certificates are checked as usual.
 * - Redirects are not followed (they would skip the policy).
 * - Per attempt timeout (5 s by default); 5xx, 408, 429, timeouts and network errors are retried a
 *   couple of times with backoff; other 4xx and 3xx are not retryable.
 */
import type { IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction, type TcpSocketConnectOpts } from 'node:net';
import type { DeliverableAlert } from '../../../core/delivery/deliverable-alert';
import type { Random } from '../../../core/retry';
import { webhookSigningSecrets } from '../../../storage/webhook-secrets-repository';
import type { ChannelImplementation, DeliveryChannelOf } from './channel-implementation';
import { systemClock, type Clock } from './delivery-clock';
import type { DeliveryLogger } from './delivery-logger';
import { failure, type ChannelSender, type DeliveryResult } from './delivery-result';
import { webhookBody } from './message-formats';
import { parseRetryAfter, sendWithRetries, type AttemptOutcome, type SendRetry } from './send-retries';
import { SIGNATURE_HEADER, signWebhookBody } from './webhook-signature';

export type WebhookChannel = DeliveryChannelOf<'webhook'>;

/** The addresses a webhook request may connect to, as the policy resolved and vetted them. */
export interface VettedTarget {
  /** In DNS order; at least one. */
  addresses: readonly { address: string; family: 4 | 6 }[];
}

/**
 * Resolves the URL's host and checks URL and addresses (functions/shared/webhook-url-policy.ts).
 * Resolves with the addresses to connect to; rejects when the URL may not be used. A rejection
 * is a permanent failure, unless the error carries `retryable: true` (a DNS timeout, say).
 */
export type WebhookTargetPolicy = (url: string) => Promise<VettedTarget>;

/**
 * The secrets that sign the owner's webhooks at `now` (storage/webhook-secrets-repository.ts):
 * one, or the current and the rotated-out one during its grace period (both signatures are sent);
 * null or none when the owner has no secret.
 */
export type WebhookSecretSource = (owner: string, now: Date) => Promise<string | readonly string[] | null>;

/** One attempt per send by default: retrying is the queue's (deliver.ts), so a failing receiver never holds the invocation. */
export const WEBHOOK_RETRY: SendRetry = { maxAttempts: 1, initialMs: 500, maxMs: 2_000, budgetMs: 0 };
export const WEBHOOK_TIMEOUT_MS = 5_000;
/**
 * How long a connection attempt to one address may take before the next address is tried too
 * (node's `autoSelectFamilyAttemptTimeout`, 250 ms by default: too short for a receiver far away).
 * The last address has the rest of the attempt's timeout.
 */
export const WEBHOOK_CONNECT_ATTEMPT_MS = 1_000;
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
      secretOf: (owner, now) => webhookSigningSecrets(db, owner, now),
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
    let secrets: readonly string[];
    try {
      const found = await this.options.secretOf(alert.owner, new Date(this.clock.now()));
      secrets = (found === null ? [] : typeof found === 'string' ? [found] : found).filter((secret) => secret !== '');
    } catch (error) {
      return failure(true, `webhook secret unavailable: ${errorMessage(error)}`);
    }
    if (secrets.length === 0) return failure(false, 'the owner has no webhook secret');

    const body = Buffer.from(webhookImplementation.format(alert, this.clock.now()).body, 'utf8');
    const headers = {
      'Content-Type': 'application/json',
      'Content-Length': String(body.length),
      'User-Agent': WEBHOOK_USER_AGENT,
      [SIGNATURE_HEADER]: signWebhookBody(body, secrets),
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
    if (target.addresses.length === 0) return { kind: 'rejected', error: 'webhook URL refused: the policy vetted no address' };
    const url = new URL(rawUrl);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(host) !== 0 && !target.addresses.some(({ address }) => address === host)) {
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

/** POSTs `body` to `url`, connecting to one of `target`'s addresses whatever DNS says now. */
function post(url: URL, target: VettedTarget, body: Buffer, headers: Record<string, string>, timeoutMs: number, ca: string | string[] | undefined): Promise<PostAnswer> {
  const [first] = target.addresses;
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if (options.all === true) callback(null, target.addresses.map(({ address, family }) => ({ address, family })));
    else if (first !== undefined) callback(null, first.address, first.family);
    else callback(Object.assign(new Error('no vetted address'), { code: 'ENOTFOUND' }), '', 4);
  };
  const https = url.protocol === 'https:';
  // http(s).request hands its options to net.connect, whose options these are.
  const connectOptions: Pick<TcpSocketConnectOpts, 'autoSelectFamily' | 'autoSelectFamilyAttemptTimeout'> = {
    // Every vetted address in turn (both families), not only the first: set, not left to node's default.
    autoSelectFamily: true,
    autoSelectFamilyAttemptTimeout: WEBHOOK_CONNECT_ATTEMPT_MS,
  };
  return new Promise<PostAnswer>((resolve, reject) => {
    const request = (https ? httpsRequest : httpRequest)({
      ...connectOptions,
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
  // Every address refused (autoSelectFamily): one line per address tried.
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(errorMessage).join('; ');
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
}

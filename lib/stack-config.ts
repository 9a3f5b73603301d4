/**
 * The deployment's settings, read once from CDK context and checked together. cdk.json's
 * "context" holds every key with its default (the only place defaults live: a key missing there is
 * an error, not a silent fallback); `npx cdk deploy -c key=value` overrides one. A bad value stops
 * synthesis with one line naming the key. The iTick and batching values are checked by the ingest
 * task's own settings parser, so the stack can never accept what the task would refuse.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import * as z from 'zod';
import { isMarket, MARKET_INFO, type Market } from '../core/rule-model/market';
import { ConfigError as IngestConfigError, readConfig as readIngestConfig } from '../ingest-task/src/config';
import { ConfigError as FunctionConfigError, loadItickRestBudgetConfig } from '../functions/shared/config';

/** The context keys a user may set (docs/deploy.md describes each). */
export const CONTEXT_KEYS = [
  'alertEmail',
  'senderEmail',
  'dashboardOrigin',
  'itickMaxSymbolsPerConnection',
  'itickConnections',
  'itickWsUrl',
  'itickMarketWsUrls',
  'itickPingIntervalMs',
  'itickPongTimeoutMs',
  'itickRestPerMinute',
  'batchWindowMs',
  'logRetentionDays',
  'apiThrottle',
  'marketHoursUtc',
  'evaluatorReservedConcurrency',
  'notifierReservedConcurrency',
  'dashboardDomainName',
  'dashboardCertificateArn',
  'wafRateLimit',
] as const;
export type ContextKey = (typeof CONTEXT_KEYS)[number];

/** Where alert emails come from: an SES identity and the From address on the messages. */
export interface SenderConfig {
  /** What SES verifies: the address itself, or a whole domain (then DKIM records are needed). */
  readonly kind: 'email' | 'domain';
  readonly identity: string;
  /** The From address: the identity, or `alerts@<domain>`. */
  readonly fromAddress: string;
}

export interface ThrottleConfig {
  /** Steady-state requests per second. */
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/**
 * When "no ticks" is an alarm: `'sessions'` while a subscribed symbol's exchange is surely in its
 * regular session (exchanges whose holidays are known: the US; the ingest task counts them), or
 * weekdays (Monday to Friday) from `startHour` up to, not including, `endHour`, in UTC.
 */
export type MarketHours = 'sessions' | { readonly startHour: number; readonly endHour: number };

export interface StackConfig {
  /** Where alarm notifications go; unset: the topic exists without a subscription. */
  readonly alertEmail: string | undefined;
  /** Unset: no SES identity and no permission to send; email deliveries then fail. */
  readonly sender: SenderConfig | undefined;
  /** CORS origins of the HTTP API: `['*']` or explicit origins; unset: the dashboard's own CloudFront origin. */
  readonly dashboardOrigins: readonly string[] | undefined;
  readonly itick: ItickStackConfig;
  /** ITICK_REST_PER_MINUTE of the evaluator: the token's REST calls per minute, for every caller together. */
  readonly itickRestPerMinute: number;
  readonly batchWindowMs: number;
  readonly logRetention: RetentionDays;
  readonly apiThrottle: ThrottleConfig;
  /** Unset: the "no ticks during market hours" alarm is not created. */
  readonly marketHours: MarketHours | undefined;
  /** Reserved concurrency of the evaluator and the notifier; unset: none (docs/deploy.md says how to size them). */
  readonly reservedConcurrency: { readonly evaluator: number | undefined; readonly notifier: number | undefined };
  /** The dashboard's own domain and its us-east-1 ACM certificate; unset: the *.cloudfront.net name (TLSv1 floor, AWS's rule). */
  readonly dashboardDomain: DashboardDomainConfig | undefined;
  /** Requests per 5 minutes per client IP before the dashboard distribution's WAF blocks it; unset: no web ACL. */
  readonly wafRateLimit: number | undefined;
}

export interface DashboardDomainConfig {
  readonly domainName: string;
  readonly certificateArn: string;
}

/**
 * Bounds of the reservations. AWS refuses one that leaves fewer than 100 unreserved executions in
 * the account (docs/deploy.md); these bounds only stop values that cannot work at all.
 */
export const RESERVED_CONCURRENCY_BOUNDS = {
  /** The ingest task invokes it synchronously, one batch per shard at a time: 1 serves one shard. */
  evaluator: { min: 1, max: 1_000 },
  /**
   * Its SQS event sources take at least 2 instances each (Lambda's minimum maxConcurrency), four
   * queues: fewer than 8 would throttle pollers and push messages towards the dead-letter queues.
   */
  notifier: { min: 8, max: 1_000 },
} as const;

/** AWS WAF's bounds of a rate-based rule's limit (requests per 5-minute window per IP). */
export const WAF_RATE_LIMIT_BOUNDS = { min: 10, max: 2_000_000_000 } as const;

/** The ingest task's iTick settings as the stack passes them (unset: the task's own default). */
export interface ItickStackConfig {
  readonly maxSymbolsPerConnection: number | undefined;
  readonly connections: number;
  /** ITICK_WS_URL; unset: the task's default, `wss://api.itick.org/stock`. */
  readonly wsUrl: string | undefined;
  /** ITICK_WS_URL_<CLASS> for the markets given; the others derive from the stock URL's origin. */
  readonly marketWsUrls: Readonly<Partial<Record<Market, string>>>;
  readonly pingIntervalMs: number;
  readonly pongTimeoutMs: number;
}

/** A bad or missing context value; the message names the key. */
export class StackConfigError extends Error {
  override readonly name = 'StackConfigError';
}

type Raw = unknown;

const fail = (key: ContextKey, problem: string, value: Raw): never => {
  throw new StackConfigError(`context ${key} ${problem} (got ${JSON.stringify(value)})`);
};

/** null and "" mean "not set" for the optional keys (`-c alertEmail=` clears a default). */
const isUnset = (value: Raw) => value === null || value === '';

const email = z.email();
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

function parseAlertEmail(value: Raw): string | undefined {
  if (isUnset(value)) return undefined;
  if (typeof value !== 'string' || !email.safeParse(value).success) return fail('alertEmail', 'must be an email address', value);
  return value;
}

function parseSender(value: Raw): SenderConfig | undefined {
  if (isUnset(value)) return undefined;
  if (typeof value === 'string' && value.includes('@')) {
    if (!email.safeParse(value).success) return fail('senderEmail', 'must be an email address or a domain', value);
    return { kind: 'email', identity: value, fromAddress: value };
  }
  if (typeof value !== 'string' || !DOMAIN.test(value)) return fail('senderEmail', 'must be an email address or a domain', value);
  return { kind: 'domain', identity: value.toLowerCase(), fromAddress: `alerts@${value.toLowerCase()}` };
}

function parseOrigins(value: Raw): string[] | undefined {
  if (isUnset(value)) return undefined;
  if (value === '*') return ['*'];
  if (typeof value !== 'string' || value.trim() === '') return fail('dashboardOrigin', 'must be unset (the dashboard’s CloudFront origin), "*" or comma-separated origins such as https://alerts.example.com', value);
  return value.split(',').map((part) => {
    const origin = part.trim();
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    // An origin is scheme://host[:port] and nothing else; browsers compare it exactly.
    if (parsed === undefined || parsed.origin !== origin || !/^https?:$/.test(parsed.protocol)) {
      return fail('dashboardOrigin', `has "${origin}", which is not an origin such as https://alerts.example.com`, value);
    }
    return origin;
  });
}

type IngestKey =
  | 'itickMaxSymbolsPerConnection'
  | 'itickConnections'
  | 'itickWsUrl'
  | 'itickMarketWsUrls'
  | 'itickPingIntervalMs'
  | 'itickPongTimeoutMs'
  | 'batchWindowMs';

const MARKET_URLS_EXPECTED = 'must be an object of market → ws:// or wss:// URL such as {"crypto":"wss://api.itick.org/crypto"}, or "crypto=wss://…,forex=wss://…", for forex, indices, crypto, future, fund';

/** `itickMarketWsUrls`: an object from cdk.json, a JSON object or `market=url,…` from `-c`. */
function parseMarketUrls(value: Raw): Partial<Record<Market, string>> {
  if (isUnset(value)) return {};
  let candidate: Raw = value;
  if (typeof value === 'string') {
    const text = value.trim();
    if (text.startsWith('{')) {
      try {
        candidate = JSON.parse(text);
      } catch {
        return fail('itickMarketWsUrls', MARKET_URLS_EXPECTED, value);
      }
    } else {
      candidate = Object.fromEntries(
        text.split(',').map((pair) => {
          const at = pair.indexOf('=');
          return at < 0 ? [pair.trim(), ''] : [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
        }),
      );
    }
  }
  if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) return fail('itickMarketWsUrls', MARKET_URLS_EXPECTED, value);
  const urls: Partial<Record<Market, string>> = {};
  for (const [market, url] of Object.entries(candidate as Record<string, unknown>)) {
    // Stocks have their own key, itickWsUrl (ITICK_WS_URL).
    if (!isMarket(market) || market === 'stock' || typeof url !== 'string' || url === '') return fail('itickMarketWsUrls', MARKET_URLS_EXPECTED, value);
    urls[market] = url;
  }
  return urls;
}

/** The ingest task's parser decides; its setting names are mapped back to context keys. */
function parseIngestSettings(values: Record<IngestKey, Raw>) {
  const settingOf: Record<string, IngestKey> = {
    ITICK_MAX_SYMBOLS_PER_CONNECTION: 'itickMaxSymbolsPerConnection',
    ITICK_CONNECTIONS: 'itickConnections',
    ITICK_WS_URL: 'itickWsUrl',
    ITICK_PING_INTERVAL_MS: 'itickPingIntervalMs',
    ITICK_PONG_TIMEOUT_MS: 'itickPongTimeoutMs',
    BATCH_WINDOW_MS: 'batchWindowMs',
  };
  const asSetting = (key: IngestKey, value: Raw): string | undefined => {
    if (isUnset(value)) return undefined;
    if (typeof value !== 'number' && typeof value !== 'string') return fail(key, 'must be a whole number', value);
    // The ingest parser coerces, so reject what coercion would accept but a person did not mean ("", " 5", "0x10").
    if (!/^\d+$/.test(String(value))) return fail(key, 'must be a whole number', value);
    return String(value);
  };
  const asUrl = (key: IngestKey, value: Raw): string | undefined => {
    if (isUnset(value)) return undefined;
    if (typeof value !== 'string') return fail(key, 'must be a ws:// or wss:// URL', value);
    return value;
  };
  const marketUrls = parseMarketUrls(values.itickMarketWsUrls);
  const marketEnv: Record<string, string> = {};
  for (const [market, url] of Object.entries(marketUrls)) {
    const setting = MARKET_INFO[market as Market].urlSetting;
    marketEnv[setting] = url;
    settingOf[setting] = 'itickMarketWsUrls';
  }
  const env = {
    // Only the settings under test matter; the required ones get stand-ins.
    ITICK_TOKEN: 'stand-in',
    EVALUATOR_FUNCTION_NAME: 'stand-in',
    TABLE_NAME: 'stand-in',
    ITICK_MAX_SYMBOLS_PER_CONNECTION: asSetting('itickMaxSymbolsPerConnection', values.itickMaxSymbolsPerConnection),
    ITICK_CONNECTIONS: asSetting('itickConnections', values.itickConnections),
    ITICK_WS_URL: asUrl('itickWsUrl', values.itickWsUrl),
    ...marketEnv,
    ITICK_PING_INTERVAL_MS: asSetting('itickPingIntervalMs', values.itickPingIntervalMs),
    ITICK_PONG_TIMEOUT_MS: asSetting('itickPongTimeoutMs', values.itickPongTimeoutMs),
    BATCH_WINDOW_MS: asSetting('batchWindowMs', values.batchWindowMs),
  };
  if (env.ITICK_CONNECTIONS === undefined) return fail('itickConnections', 'must be set (cdk.json has the default, 1)', values.itickConnections);
  if (env.ITICK_PING_INTERVAL_MS === undefined) return fail('itickPingIntervalMs', 'must be set (cdk.json has the default, 15000)', values.itickPingIntervalMs);
  if (env.ITICK_PONG_TIMEOUT_MS === undefined) return fail('itickPongTimeoutMs', 'must be set (cdk.json has the default, 10000)', values.itickPongTimeoutMs);
  if (env.BATCH_WINDOW_MS === undefined) return fail('batchWindowMs', 'must be set (cdk.json has the default, 250)', values.batchWindowMs);
  try {
    const config = readIngestConfig(env);
    return { config, wsUrl: env.ITICK_WS_URL, marketWsUrls: marketUrls };
  } catch (error) {
    if (!(error instanceof IngestConfigError)) throw error;
    const match = /^Invalid setting (\w+): (.*)$/.exec(error.message);
    const key = match === null ? undefined : settingOf[match[1] ?? ''];
    if (match === null || key === undefined) throw error;
    return fail(key, match[2] ?? 'is not valid', values[key]);
  }
}

const RETENTION_DAYS = new Set(Object.values(RetentionDays).filter((v): v is number => typeof v === 'number'));

function parseRetention(value: Raw): RetentionDays {
  const days = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof days !== 'number' || !RETENTION_DAYS.has(days)) {
    return fail('logRetentionDays', `must be one of CloudWatch Logs' retention periods (${[...RETENTION_DAYS].sort((a, b) => a - b).join(', ')})`, value);
  }
  return days as RetentionDays;
}

function parseThrottle(value: Raw): ThrottleConfig {
  // From cdk.json it is an object; from `-c apiThrottle=...` a string: JSON or "rate/burst".
  let candidate: Raw = value;
  if (typeof value === 'string') {
    const slash = /^(\d+)\/(\d+)$/.exec(value.trim());
    if (slash !== null) candidate = { rateLimit: Number(slash[1]), burstLimit: Number(slash[2]) };
    else {
      try {
        candidate = JSON.parse(value);
      } catch {
        candidate = value;
      }
    }
  }
  const schema = z.strictObject({
    rateLimit: z.number().int().min(1).max(10_000),
    burstLimit: z.number().int().min(1).max(5_000),
  });
  const parsed = schema.safeParse(candidate);
  if (!parsed.success) {
    return fail('apiThrottle', 'must be {"rateLimit": 1-10000, "burstLimit": 1-5000} or "rate/burst" such as "50/100"', value);
  }
  return parsed.data;
}

/** The evaluator's parser decides (functions/shared/config.ts), like the ingest task's for its keys. */
function parseRestPerMinute(value: Raw): number {
  if (isUnset(value)) return fail('itickRestPerMinute', 'must be set (cdk.json has the default, 5)', value);
  if ((typeof value !== 'number' && typeof value !== 'string') || !/^\d+$/.test(String(value))) return fail('itickRestPerMinute', 'must be a whole number', value);
  try {
    return loadItickRestBudgetConfig({ ITICK_REST_PER_MINUTE: String(value) }).perMinute;
  } catch (error) {
    if (!(error instanceof FunctionConfigError)) throw error;
    return fail('itickRestPerMinute', error.message.replace(/^ITICK_REST_PER_MINUTE /, ''), value);
  }
}

function parseMarketHours(value: Raw): MarketHours | undefined {
  if (value === 'off') return undefined;
  if (value === 'sessions') return 'sessions';
  const match = typeof value === 'string' ? /^(\d{1,2})-(\d{1,2})$/.exec(value.trim()) : null;
  const startHour = Number(match?.[1]);
  const endHour = Number(match?.[2]);
  if (match === null || !(startHour >= 0 && startHour < endHour && endHour <= 24)) {
    return fail('marketHoursUtc', 'must be "sessions" (the exchanges\' calendars), "START-END" in whole UTC hours with START < END (e.g. "15-20"), or "off"', value);
  }
  return { startHour, endHour };
}

function parseWholeNumber(key: ContextKey, value: Raw, min: number, max: number, unsetMeaning: string): number | undefined {
  if (isUnset(value)) return undefined;
  if ((typeof value !== 'number' && typeof value !== 'string') || !/^\d+$/.test(String(value)) || Number(value) < min || Number(value) > max) {
    return fail(key, `must be a whole number from ${min} to ${max}, or null (${unsetMeaning})`, value);
  }
  return Number(value);
}

function parseReservedConcurrency(raw: Record<ContextKey, Raw>, itickConnections: number): StackConfig['reservedConcurrency'] {
  const { evaluator: e, notifier: n } = RESERVED_CONCURRENCY_BOUNDS;
  const evaluator = parseWholeNumber('evaluatorReservedConcurrency', raw.evaluatorReservedConcurrency, e.min, e.max, 'no reservation');
  const notifier = parseWholeNumber('notifierReservedConcurrency', raw.notifierReservedConcurrency, n.min, n.max, 'no reservation');
  // Each iTick connection is a shard that invokes the evaluator on its own: fewer would throttle a shard for good.
  if (evaluator !== undefined && evaluator < itickConnections) {
    return fail('evaluatorReservedConcurrency', `must be at least itickConnections (${itickConnections}): each shard invokes the evaluator on its own`, raw.evaluatorReservedConcurrency);
  }
  return { evaluator, notifier };
}

const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/;

function parseDashboardDomain(name: Raw, arn: Raw): DashboardDomainConfig | undefined {
  if (isUnset(name) && isUnset(arn)) return undefined;
  if (isUnset(name)) return fail('dashboardDomainName', 'must be set with dashboardCertificateArn (both or neither)', name);
  if (isUnset(arn)) return fail('dashboardCertificateArn', 'must be set with dashboardDomainName (both or neither)', arn);
  if (typeof name !== 'string' || !DOMAIN.test(name)) return fail('dashboardDomainName', 'must be a domain name such as alerts.example.com', name);
  // CloudFront takes certificates from ACM in us-east-1 only.
  if (typeof arn !== 'string' || !CERTIFICATE_ARN.test(arn)) return fail('dashboardCertificateArn', 'must be the ARN of an ACM certificate in us-east-1 (arn:aws:acm:us-east-1:ACCOUNT:certificate/ID)', arn);
  return { domainName: name.toLowerCase(), certificateArn: arn };
}

/**
 * Reads and checks every context key.
 * @example
 * const config = readStackConfig(app.node); // throws StackConfigError: context batchWindowMs must be ...
 */
export function readStackConfig(node: Node): StackConfig {
  const raw = Object.fromEntries(CONTEXT_KEYS.map((key) => [key, node.tryGetContext(key) as Raw])) as Record<ContextKey, Raw>;
  for (const key of CONTEXT_KEYS) {
    if (raw[key] === undefined) throw new StackConfigError(`context ${key} is missing: cdk.json's "context" sets every key's default`);
  }
  const { config: ingest, wsUrl, marketWsUrls } = parseIngestSettings(raw);
  return {
    alertEmail: parseAlertEmail(raw.alertEmail),
    sender: parseSender(raw.senderEmail),
    dashboardOrigins: parseOrigins(raw.dashboardOrigin),
    itick: {
      maxSymbolsPerConnection: ingest.itick.maxSymbolsPerConnection,
      connections: ingest.itick.connections,
      wsUrl,
      marketWsUrls,
      pingIntervalMs: ingest.itick.pingIntervalMs,
      pongTimeoutMs: ingest.itick.pongTimeoutMs,
    },
    itickRestPerMinute: parseRestPerMinute(raw.itickRestPerMinute),
    batchWindowMs: ingest.batch.windowMs,
    logRetention: parseRetention(raw.logRetentionDays),
    apiThrottle: parseThrottle(raw.apiThrottle),
    marketHours: parseMarketHours(raw.marketHoursUtc),
    reservedConcurrency: parseReservedConcurrency(raw, ingest.itick.connections),
    dashboardDomain: parseDashboardDomain(raw.dashboardDomainName, raw.dashboardCertificateArn),
    wafRateLimit: parseWholeNumber('wafRateLimit', raw.wafRateLimit, WAF_RATE_LIMIT_BOUNDS.min, WAF_RATE_LIMIT_BOUNDS.max, 'no web ACL'),
  };
}

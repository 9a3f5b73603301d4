/**
 * The ingest task's settings: parsed from the environment once, at start, with zod.
 * A bad or missing setting stops the task with one line that names it (never its value when it
 * is the token). See docs/ingest.md for what each setting means.
 */
import * as z from 'zod';
import { marketUrls, type Market } from '../../core/rule-model/market';

const wholeNumber = (min: number, max: number) =>
  z.coerce
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .int({ error: `must be a whole number from ${min} to ${max}` })
    .min(min, { error: `must be a whole number from ${min} to ${max}` })
    .max(max, { error: `must be a whole number from ${min} to ${max}` });

const url = (protocols: RegExp, what: string) =>
  z.url({ protocol: protocols, error: `must be ${what}` });

const wsUrl = () => url(/^wss?$/, 'a ws:// or wss:// URL');

const settingsSchema = z.object({
  ITICK_TOKEN: z.string({ error: 'is required (the iTick API token)' }).min(1, { error: 'is required (the iTick API token)' }),
  ITICK_WS_URL: wsUrl().default('wss://api.itick.org/stock'),
  // Each market's own URL (MARKET_INFO's urlSetting); unset: ITICK_WS_URL's origin with the market's path.
  ITICK_WS_URL_FOREX: wsUrl().optional(),
  ITICK_WS_URL_INDICES: wsUrl().optional(),
  ITICK_WS_URL_CRYPTO: wsUrl().optional(),
  ITICK_WS_URL_FUTURE: wsUrl().optional(),
  ITICK_WS_URL_FUND: wsUrl().optional(),
  ITICK_MAX_SYMBOLS_PER_CONNECTION: wholeNumber(1, 100_000).optional(),
  ITICK_CONNECTIONS: wholeNumber(1, 32).default(1),
  ITICK_PING_INTERVAL_MS: wholeNumber(1_000, 300_000).default(15_000),
  ITICK_PONG_TIMEOUT_MS: wholeNumber(1_000, 120_000).default(10_000),
  BATCH_WINDOW_MS: wholeNumber(10, 60_000).default(250),
  BATCH_MAX_POINTS: wholeNumber(100, 50_000).default(10_000),
  BACKLOG_MAX_POINTS: wholeNumber(10_000, 50_000_000).default(1_000_000),
  SHARDS: wholeNumber(1, 64).default(4),
  EVALUATOR_FUNCTION_NAME: z.string({ error: 'is required (name or ARN of the evaluator Lambda)' }).min(1, { error: 'is required (name or ARN of the evaluator Lambda)' }),
  EVALUATOR_TIMEOUT_MS: wholeNumber(1_000, 900_000).default(10_000),
  LAMBDA_ENDPOINT: url(/^https?$/, 'an http:// or https:// URL').optional(),
  DYNAMODB_ENDPOINT: url(/^https?$/, 'an http:// or https:// URL').optional(),
  TABLE_NAME: z.string({ error: 'is required (the DynamoDB table name)' }).min(1, { error: 'is required (the DynamoDB table name)' }),
  WATCHLIST_REFRESH_MS: wholeNumber(500, 60_000).default(3_000),
  HEARTBEAT_INTERVAL_MS: wholeNumber(1_000, 300_000).default(5_000),
  HEARTBEAT_FILE: z.string().optional(),
  /** The dashboard WebSocket API's management endpoint; unset: no live prices are published. */
  WEBSOCKET_MANAGEMENT_ENDPOINT: url(/^https?$/, 'an http:// or https:// URL').optional(),
  PRICE_PUBLISH_INTERVAL_MS: wholeNumber(200, 60_000).default(1_000),
  WATCHES_REFRESH_MS: wholeNumber(500, 60_000).default(2_000),
  /** Set by ECS in AWS; the local stack sets it or the placeholder region is used. */
  AWS_REGION: z.string().optional(),
  LOG_LEVEL: z
    .string()
    .transform((value) => value.toUpperCase())
    .pipe(z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR'], { error: 'must be DEBUG, INFO, WARN or ERROR' }))
    .default('INFO'),
});

export interface IngestConfig {
  itick: {
    /** Secret: never log it. */
    token: string;
    /** The stock WebSocket (ITICK_WS_URL). */
    url: string;
    /** Every market's WebSocket: its own setting, else ITICK_WS_URL's origin with the market's path. */
    urls: Record<Market, string>;
    /** The plan's symbol limit per connection (in each market); `undefined` when the plan's limit is not known. */
    maxSymbolsPerConnection: number | undefined;
    /** Connections the plan allows on one key, in each market. */
    connections: number;
    /** A ping this often on every connection. */
    pingIntervalMs: number;
    /** No pong this long after a ping: the connection is dead. */
    pongTimeoutMs: number;
  };
  batch: {
    windowMs: number;
    maxPoints: number;
    backlogMaxPoints: number;
    shards: number;
  };
  evaluator: {
    functionName: string;
    timeoutMs: number;
    endpoint: string | undefined;
  };
  storage: {
    tableName: string;
    endpoint: string | undefined;
  };
  /** AWS_REGION, for the AWS SDK clients. */
  region: string | undefined;
  watchlistRefreshMs: number;
  heartbeat: {
    intervalMs: number;
    file: string | undefined;
  };
  /** Live prices for open dashboards (price-publisher.ts). */
  prices: {
    /** `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`; undefined: publishing is off. */
    managementEndpoint: string | undefined;
    /** At most one snapshot per symbol per connection in this time. */
    intervalMs: number;
    /** How often the dashboards' watch items are read again. */
    watchesRefreshMs: number;
  };
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
}

/** Thrown with a one-line message naming the setting; `main` prints it and exits 1. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads the settings from an environment.
 * @example readConfig(process.env).batch.windowMs // 250 unless BATCH_WINDOW_MS is set
 */
export function readConfig(env: Record<string, string | undefined>): IngestConfig {
  // Empty strings count as unset: ECS task definitions and shells often pass `NAME=` for "no value".
  const set = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = settingsSchema.safeParse(set);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'settings');
    // The message names the setting and the expectation; values are left out so that a
    // mistyped token never reaches a log.
    throw new ConfigError(`Invalid setting ${name}: ${issue?.message ?? 'is not valid'}`);
  }
  const s = parsed.data;
  const overrides: Partial<Record<Market, string>> = {
    forex: s.ITICK_WS_URL_FOREX,
    indices: s.ITICK_WS_URL_INDICES,
    crypto: s.ITICK_WS_URL_CRYPTO,
    future: s.ITICK_WS_URL_FUTURE,
    fund: s.ITICK_WS_URL_FUND,
  };
  if (s.BACKLOG_MAX_POINTS < s.SHARDS * s.BATCH_MAX_POINTS * 4) {
    throw new ConfigError(
      `Invalid setting BACKLOG_MAX_POINTS: must be at least SHARDS × BATCH_MAX_POINTS × 4 (${s.SHARDS * s.BATCH_MAX_POINTS * 4}) so that every shard can hold a few full batches`,
    );
  }
  return {
    itick: {
      token: s.ITICK_TOKEN,
      url: s.ITICK_WS_URL,
      urls: marketUrls(s.ITICK_WS_URL, overrides),
      maxSymbolsPerConnection: s.ITICK_MAX_SYMBOLS_PER_CONNECTION,
      connections: s.ITICK_CONNECTIONS,
      pingIntervalMs: s.ITICK_PING_INTERVAL_MS,
      pongTimeoutMs: s.ITICK_PONG_TIMEOUT_MS,
    },
    batch: {
      windowMs: s.BATCH_WINDOW_MS,
      maxPoints: s.BATCH_MAX_POINTS,
      backlogMaxPoints: s.BACKLOG_MAX_POINTS,
      shards: s.SHARDS,
    },
    evaluator: {
      functionName: s.EVALUATOR_FUNCTION_NAME,
      timeoutMs: s.EVALUATOR_TIMEOUT_MS,
      endpoint: s.LAMBDA_ENDPOINT,
    },
    storage: { tableName: s.TABLE_NAME, endpoint: s.DYNAMODB_ENDPOINT },
    region: s.AWS_REGION,
    watchlistRefreshMs: s.WATCHLIST_REFRESH_MS,
    heartbeat: { intervalMs: s.HEARTBEAT_INTERVAL_MS, file: s.HEARTBEAT_FILE },
    prices: { managementEndpoint: s.WEBSOCKET_MANAGEMENT_ENDPOINT, intervalMs: s.PRICE_PUBLISH_INTERVAL_MS, watchesRefreshMs: s.WATCHES_REFRESH_MS },
    logLevel: s.LOG_LEVEL,
  };
}

/** The settings as they may be logged: everything but the token. */
export function describeConfig(config: IngestConfig): Record<string, unknown> {
  const { token: _token, ...itick } = config.itick;
  return { ...config, itick };
}

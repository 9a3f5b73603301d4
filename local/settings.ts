/**
 * The settings of `npm start` (../shared/spec/local-stack.md, README "Local settings"): read
 * from the environment once, checked with zod, and handed on as one typed object. A bad value
 * is refused with one line naming the variable (never echoing a secret). Which URL each market's
 * feed and REST come from is decided by local/stack.ts from these.
 */
import path from 'node:path';
import * as z from 'zod';
import { MARKETS, MARKET_INFO, type Market } from '../core/rule-model/market';
import { optional, parseEnvSettings, type Env } from '../functions/shared/env-settings';
import { FEED_SHAPES, type FeedShapes } from './market-simulator/feed-shapes';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');

/** Where DynamoDB Local keeps its data between runs (git-ignored), unless LOCAL_DATA_DIR says otherwise. */
export const DEFAULT_LOCAL_DATA_DIR = path.join(REPO_ROOT, '.local', 'dynamodb');

/** REST calls per minute of iTick's free plan, the default budget (../shared/spec/local-stack.md). */
export const DEFAULT_ITICK_REST_PER_MINUTE = 5;

/** The markets with a URL setting of their own (`ITICK_WS_URL_<CLASS>`); stocks use `ITICK_WS_URL`. */
const OTHER_MARKETS = MARKETS.filter((market) => market !== 'stock');

/** A bad setting; the message names the variable and, unless it is a secret, the value. */
export class LocalSettingsError extends Error {
  override readonly name = 'LocalSettingsError';
}

const wholeNumber = (min: number, max: number, what: string) =>
  z.coerce
    .number({ error: `must be ${what}` })
    .int({ error: `must be ${what}` })
    .min(min, { error: `must be ${what}` })
    .max(max, { error: `must be ${what}` });
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const wsUrl = z.url({ protocol: /^wss?$/, error: 'must be a ws:// or wss:// URL' });

const settingsSchema = z.object({
  API_PORT: optional(wholeNumber(1, 65_535, 'a port number from 1 to 65535').default(3000)),
  DASHBOARD_PORT: optional(wholeNumber(0, 65_535, 'a port number from 0 to 65535').optional()),
  DEV_API_KEY: optional(z.string().regex(/^[\x21-\x7e]{20,200}$/, { error: 'must be 20 to 200 printable characters' }).optional()),
  ITICK_TOKEN: optional(z.string().optional()),
  ITICK_WS_URL: optional(wsUrl.optional()),
  ...Object.fromEntries(OTHER_MARKETS.map((market) => [MARKET_INFO[market].urlSetting, optional(wsUrl.optional())])),
  ITICK_REST_BASE: optional(httpUrl.optional()),
  ITICK_REST_PER_MINUTE: optional(wholeNumber(1, 100_000, 'a whole number from 1 to 100000').default(DEFAULT_ITICK_REST_PER_MINUTE)),
  SIMULATOR_SHAPES: optional(z.enum(FEED_SHAPES, { error: `must be ${FEED_SHAPES.join(' or ')}` }).default('spec')),
  TELEGRAM_BOT_TOKEN: optional(z.string().regex(/^\d+:[A-Za-z0-9_-]+$/, { error: 'must look like a bot token (digits, a colon, letters)' }).optional()),
  TELEGRAM_API_BASE: optional(httpUrl.optional()),
  SES_ENDPOINT: optional(httpUrl.optional()),
  ALERT_FROM_EMAIL: optional(z.string().regex(/^[^\s@]+@[^\s@]+$/, { error: 'must be an email address' }).default('alerts@localhost')),
  DYNAMODB_ENDPOINT: optional(httpUrl.optional()),
  BATCH_WINDOW_MS: optional(wholeNumber(10, 60_000, 'a whole number of milliseconds from 10 to 60000').default(250)),
  SIMULATOR_TICKS_PER_SECOND: optional(wholeNumber(0, 1000, 'a whole number from 0 to 1000').default(2)),
  LOCAL_DATA_DIR: optional(z.string().default(DEFAULT_LOCAL_DATA_DIR)),
});

export interface LocalSettings {
  apiPort: number;
  /** Unset: 3001, or a free port when 3001 is taken; set: exactly this port (0: a free one). */
  dashboardPort: number | undefined;
  /** The development key to create; unset: a random one. */
  devApiKey: string | undefined;
  /** Real iTick when set; otherwise the market simulator. */
  itickToken: string | undefined;
  /** The stock socket (ITICK_WS_URL); the other markets' URLs derive from it unless set. */
  itickWsUrl: string | undefined;
  /** ITICK_WS_URL_<CLASS> of the markets where it is set. */
  itickMarketUrls: Partial<Record<Market, string>>;
  /** Unset: the simulator's without a token, else https://api.itick.org. */
  itickRestBase: string | undefined;
  /** The token's REST calls per minute, shared by every caller (and enforced by the simulator when it is the feed). */
  itickRestPerMinute: number;
  /** Real Telegram when set; otherwise the local stand-in. */
  telegramBotToken: string | undefined;
  telegramApiBase: string | undefined;
  /** An SES endpoint instead of the local emulator. */
  sesEndpoint: string | undefined;
  alertFromEmail: string;
  /** A running DynamoDB instead of starting DynamoDB Local. */
  dynamodbEndpoint: string | undefined;
  batchWindowMs: number;
  simulatorTicksPerSecond: number;
  /** What the simulator's frames look like: `spec` (the project's spec) or `docs` (iTick's current docs). */
  simulatorShapes: FeedShapes;
  /** Where DynamoDB Local keeps its data between runs, and the running stack leaves its runtime file. */
  dataDir: string;
}

/** Reads the settings from `env`; throws {@link LocalSettingsError} naming the first bad one. */
export function parseLocalSettings(env: Env): LocalSettings {
  const s = parseEnvSettings(settingsSchema, env, (message) => new LocalSettingsError(message));
  return {
    apiPort: s.API_PORT,
    dashboardPort: s.DASHBOARD_PORT,
    devApiKey: s.DEV_API_KEY,
    itickToken: s.ITICK_TOKEN,
    itickWsUrl: s.ITICK_WS_URL,
    itickMarketUrls: Object.fromEntries(OTHER_MARKETS.flatMap((market) => {
      const url = (s as Record<string, unknown>)[MARKET_INFO[market].urlSetting];
      return typeof url === 'string' ? [[market, url]] : [];
    })),
    itickRestBase: s.ITICK_REST_BASE,
    itickRestPerMinute: s.ITICK_REST_PER_MINUTE,
    telegramBotToken: s.TELEGRAM_BOT_TOKEN,
    telegramApiBase: s.TELEGRAM_API_BASE,
    sesEndpoint: s.SES_ENDPOINT,
    alertFromEmail: s.ALERT_FROM_EMAIL,
    dynamodbEndpoint: s.DYNAMODB_ENDPOINT,
    batchWindowMs: s.BATCH_WINDOW_MS,
    simulatorTicksPerSecond: s.SIMULATOR_TICKS_PER_SECOND,
    simulatorShapes: s.SIMULATOR_SHAPES,
    dataDir: s.LOCAL_DATA_DIR,
  };
}

/** LOCAL_DATA_DIR alone, for tools that look for a running stack (the keys CLI) and need no other setting. */
export function localDataDir(env: Env): string {
  const value = env.LOCAL_DATA_DIR;
  return value === undefined || value === '' ? DEFAULT_LOCAL_DATA_DIR : value;
}

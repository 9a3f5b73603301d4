/**
 * Typed configuration from environment variables, parsed once with zod. A missing or bad setting
 * stops the start with one line that names it (`RULE_QUOTA must be a whole number ...`).
 */
import * as z from 'zod';
import { DELIVERY_CHANNEL_TYPES, queueUrlSetting, type DeliveryChannelType, type QueueUrlSetting } from '../../core/channels/registry';
import { DEFAULT_ALLOWED_PORTS_SETTING, parseAllowedPorts, type AllowedPorts } from '../../core/channels/url-destination';
import { TABLE } from '../../storage/table-definition';
import { DEFAULT_ALERT_RETENTION_DAYS } from '../../storage/alerts-repository';
import { DEFAULT_OWNER_ALERTS_PER_MINUTE } from '../../storage/alert-limits';
import type { PaceSettings } from '../../core/channels/definition';
import { DEFAULT_LANE_SETTINGS, DEFAULT_MAX_PACE_WAIT_MS, DEFAULT_RETRY_BASE_MS, DELIVERY_MAX_ATTEMPTS, type LaneSettings } from './delivery-queue-settings';
import { optional, parseEnvSettings, type Env } from './env-settings';

/** A bad or missing setting; its message names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}


const wholeNumber = (min: number, max: number, fallback: number) =>
  optional(
    z
      .string()
      .regex(/^\d+$/, { error: `must be a whole number from ${min} to ${max}` })
      .transform(Number)
      .refine((n) => n >= min && n <= max, { message: `must be a whole number from ${min} to ${max}` })
      .default(fallback),
  );

const flag = (fallback: boolean) =>
  optional(
    z
      .enum(['true', 'false'], { error: 'must be true or false' })
      .transform((v) => v === 'true')
      .default(fallback),
  );

/** Ports webhook URLs may use (`WEBHOOK_ALLOWED_PORTS`, core/channels/url-destination.ts): 443 and 80 unless set. */
const allowedPorts = optional(
  z
    .string()
    .default(DEFAULT_ALLOWED_PORTS_SETTING)
    .transform((text, context): AllowedPorts => {
      const parsed = parseAllowedPorts(text);
      if (parsed.ok) return parsed.ports;
      context.issues.push({ code: 'custom', message: parsed.problem, input: text });
      return z.NEVER;
    }),
);

const storageEnvSchema = z.object({
  TABLE_NAME: optional(
    z
      .string()
      .regex(/^[A-Za-z0-9_.-]{3,255}$/, { error: 'must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)' })
      .default(TABLE.defaultName),
  ),
  DYNAMODB_ENDPOINT: optional(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://127.0.0.1:8000' }).optional()),
  AWS_REGION: optional(z.string().default('us-east-1')),
});

/** Open dashboard WebSocket connections per owner (docs/api.md "Limits"); `GET /health` shows it too. */
const dashboardSocketsPerOwner = wholeNumber(1, 1000, 5);
/** Alerts per owner per minute (all its rules); past it alerts are recorded `rate_limited`, not sent. The evaluator enforces it, `GET /health` shows it. */
const ownerAlertsPerMinute = wholeNumber(1, 2000, DEFAULT_OWNER_ALERTS_PER_MINUTE);

/** The dashboard WebSocket API's `$connect`: the table and the per-owner socket limit. */
const dashboardSocketEnvSchema = storageEnvSchema.extend({ DASHBOARD_SOCKETS_PER_OWNER: dashboardSocketsPerOwner });

const apiEnvSchema = storageEnvSchema.extend({
  DASHBOARD_SOCKETS_PER_OWNER: dashboardSocketsPerOwner,
  OWNER_ALERTS_PER_MINUTE: ownerAlertsPerMinute,
  RULE_QUOTA: wholeNumber(1, 1_000_000, 1000),
  /** Distinct symbols an owner's active and paused rules may watch (docs/api.md "Limits"). */
  OWNER_SYMBOL_LIMIT: wholeNumber(1, 100_000, 200),
  ALERT_RETENTION_DAYS: wholeNumber(1, 3650, DEFAULT_ALERT_RETENTION_DAYS),
  ALLOW_LOOPBACK_WEBHOOKS: flag(false),
  WEBHOOK_ALLOWED_PORTS: allowedPorts,
  HEARTBEAT_STALE_SECONDS: wholeNumber(1, 3600, 30),
});

const queueUrl = z.url({ protocol: /^https?$/, error: 'must be the URL of an SQS queue' });

/** One delivery queue per registered channel type (EMAIL_QUEUE_URL, …), so that a slow channel never holds up another. */
const deliveryQueuesEnvSchema = z.object({
  ...(Object.fromEntries(DELIVERY_CHANNEL_TYPES.map((type) => [queueUrlSetting(type), queueUrl])) as Record<QueueUrlSetting, typeof queueUrl>),
  SQS_ENDPOINT: optional(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional()),
});

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/**
 * iTick's REST budget, one per token, shared by every process that calls iTick's REST
 * (functions/shared/itick-rest). The free plan's few calls a minute is the default.
 */
const itickRestBudgetEnvSchema = z.object({
  ITICK_REST_PER_MINUTE: wholeNumber(1, 100_000, 5),
  /** A 429 without a readable Retry-After holds every caller this long. */
  ITICK_REST_429_PAUSE_MS: wholeNumber(1000, 3_600_000, 60_000),
  /** No Retry-After holds callers longer than this (a bogus date must not stop warm-ups for days). */
  ITICK_REST_MAX_PAUSE_MS: wholeNumber(1000, 86_400_000, 900_000),
});

const evaluatorEnvSchema = storageEnvSchema.extend({
  ...deliveryQueuesEnvSchema.shape,
  ALERT_RETENTION_DAYS: wholeNumber(1, 3650, DEFAULT_ALERT_RETENTION_DAYS),
  RULE_CACHE_CHECK_MS: wholeNumber(100, 60_000, 2000),
  RULE_CACHE_MAX_AGE_MS: wholeNumber(1000, 3_600_000, 300_000),
  ENGINE_FORGET_AFTER_MS: wholeNumber(10_000, 3_600_000, 60_000),
  /** How often (per instance) a batch also queues alerts left in the delivery outbox this long; 0: never. */
  OUTBOX_CHECK_MS: wholeNumber(0, 300_000, 5000),
  // Indicator warm-up and previous closes from iTick's REST (docs/rules.md, "Warm-up"; docs/itick.md, "REST budget").
  ITICK_REST_BASE: optional(httpUrl.default('https://api.itick.org')),
  /** The token itself (local development); in AWS it comes from Secrets Manager by ARN. */
  ITICK_TOKEN: optional(z.string().optional()),
  ITICK_TOKEN_SECRET_ARN: optional(z.string().startsWith('arn:', { error: 'must be a Secrets Manager secret ARN' }).optional()),
  ...itickRestBudgetEnvSchema.shape,
  WARM_UP_MAX_PER_BATCH: wholeNumber(0, 100, 8),
  WARM_UP_TIMEOUT_MS: wholeNumber(100, 30_000, 1500),
  /** How long a warm-up fetch may wait for the REST budget; 0: it never queues on the hot path. */
  WARM_UP_BUDGET_WAIT_MS: wholeNumber(0, 30_000, 0),
  // Alert limits (docs/security.md, "Alerts per minute and the flood guard").
  OWNER_ALERTS_PER_MINUTE: ownerAlertsPerMinute,
  /** A rule that fires more than this many times within FLOOD_GUARD_WINDOW_SECONDS is paused. */
  FLOOD_GUARD_FIRES: wholeNumber(1, 100, 15),
  FLOOD_GUARD_WINDOW_SECONDS: wholeNumber(10, 3600, 180),
});

const notifierEnvSchema = storageEnvSchema.extend({
  // Local mail domains (alerts@localhost) are fine for the SES emulator; SES itself checks identities.
  ALERT_FROM_EMAIL: optional(
    z
      .string()
      .regex(/^[^\s@<>]+@[^\s@<>]+$/, { error: 'must be an email address such as alerts@example.com' })
      .default('alerts@localhost'),
  ),
  SES_ENDPOINT: optional(httpUrl.optional()),
  SES_CONFIGURATION_SET: optional(z.string().optional()),
  TELEGRAM_API_BASE: optional(httpUrl.default('https://api.telegram.org')),
  /** The bot token itself (local development); in AWS it comes from Secrets Manager by ARN. */
  TELEGRAM_BOT_TOKEN: optional(
    z.string().regex(/^\d+:[A-Za-z0-9_-]+$/, { error: 'must look like a bot token (digits, a colon, then letters, digits, _ or -)' }).optional(),
  ),
  TELEGRAM_BOT_TOKEN_SECRET_ARN: optional(z.string().startsWith('arn:', { error: 'must be a Secrets Manager secret ARN' }).optional()),
  WEBSOCKET_MANAGEMENT_ENDPOINT: optional(httpUrl.optional()),
  SQS_ENDPOINT: optional(httpUrl.optional()),
  ALLOW_LOOPBACK_WEBHOOKS: flag(false),
  WEBHOOK_ALLOWED_PORTS: allowedPorts,
  DELIVERY_MAX_ATTEMPTS: wholeNumber(1, 20, DELIVERY_MAX_ATTEMPTS),
  DELIVERY_RETRY_BASE_MS: wholeNumber(100, 3_600_000, DEFAULT_RETRY_BASE_MS),
  WEBHOOK_TIMEOUT_MS: wholeNumber(100, 30_000, 5000),
  /** Retryable failures in a row that open a destination's lane (functions/notifier/destination-lanes.ts). */
  DELIVERY_LANE_FAILURES: wholeNumber(1, 100, DEFAULT_LANE_SETTINGS.failuresToOpen),
  DELIVERY_LANE_OPEN_SECONDS: wholeNumber(1, 3_600, DEFAULT_LANE_SETTINGS.openMs / 1000),
  DELIVERY_LANE_MAX_OPEN_SECONDS: wholeNumber(1, 86_400, DEFAULT_LANE_SETTINGS.maxOpenMs / 1000),
  /** A send whose pacing slot is further away than this goes back to the queue until then, instead of waiting in the invocation. */
  DELIVERY_MAX_PACE_WAIT_MS: wholeNumber(0, 10_000, DEFAULT_MAX_PACE_WAIT_MS),
  /** The SES account's sending rate (messages a second; the sandbox's is 1): every notifier together stays under it. */
  SES_MAX_SEND_RATE: wholeNumber(1, 10_000, 1),
});

export interface StorageConfig {
  tableName: string;
  /** DynamoDB Local (or any other endpoint); unset in AWS. */
  dynamodbEndpoint: string | undefined;
  region: string;
}

export interface DashboardSocketConfig extends StorageConfig {
  /** `DASHBOARD_SOCKETS_PER_OWNER`: open dashboard WebSocket connections per owner. */
  dashboardSocketsPerOwner: number;
}

export interface ApiConfig extends StorageConfig {
  /** `DASHBOARD_SOCKETS_PER_OWNER`, shown in `GET /health`'s owner limits. */
  dashboardSocketsPerOwner: number;
  /** `OWNER_ALERTS_PER_MINUTE`, shown in `GET /health`'s owner limits (the evaluator enforces it). */
  ownerAlertsPerMinute: number;
  ruleQuota: number;
  /** `OWNER_SYMBOL_LIMIT`: distinct symbols of an owner's active and paused rules. */
  ownerSymbolLimit: number;
  alertRetentionDays: number;
  /** Local development only: webhooks may use http and loopback addresses. */
  allowLoopbackWebhooks: boolean;
  /** Ports webhook URLs may use. */
  webhookAllowedPorts: AllowedPorts;
  /** A heartbeat older than this means the ingest task is not running. */
  heartbeatStaleSeconds: number;
}

export interface DeliveryQueuesConfig {
  /** Each registered channel type's delivery queue. */
  queueUrls: Readonly<Record<DeliveryChannelType, string>>;
  /** A local SQS server; unset in AWS. */
  sqsEndpoint: string | undefined;
}

export interface EvaluatorConfig extends StorageConfig, DeliveryQueuesConfig {
  alertRetentionDays: number;
  /** How often the rule cache checks the symbols' rule versions (a new rule is live within about this). */
  ruleCacheCheckMs: number;
  /** Every cached symbol is reloaded at least this often. */
  ruleCacheMaxAgeMs: number;
  /** Engine trigger state unchanged this long is dropped from the round-tripped state. */
  engineForgetAfterMs: number;
  /** A batch also queues alerts left in the delivery outbox this long, at most this often per instance; 0: never. */
  outboxCheckMs: number;
  /** iTick's REST base (klines warm indicators, quotes give previous closes, on a cold start). */
  itickRestBase: string;
  itickToken: string | undefined;
  itickTokenSecretArn: string | undefined;
  itickRestBudget: ItickRestBudgetConfig;
  /** Kline (and quote) fetches per batch at most (0: no warm-up); the rest warm on later batches. */
  warmUpMaxPerBatch: number;
  /** Each kline or quote fetch gives up after this long (the batch waits for it). */
  warmUpTimeoutMs: number;
  /** How long a warm-up fetch may wait for the REST budget (0: refused at once when it is spent). */
  warmUpBudgetWaitMs: number;
  /** `OWNER_ALERTS_PER_MINUTE`: alerts per owner per minute; the rest are recorded `rate_limited`. */
  ownerAlertsPerMinute: number;
  /** `FLOOD_GUARD_FIRES` / `FLOOD_GUARD_WINDOW_SECONDS` (as ms): more fires than this within the window pause the rule. */
  floodGuard: { fires: number; windowMs: number };
}

/** One REST budget per iTick token, shared by every caller in every process. */
export interface ItickRestBudgetConfig {
  /** Calls per rolling minute for all callers together. */
  perMinute: number;
  /** A 429 without a readable Retry-After pauses every caller this long. */
  pauseAfter429Ms: number;
  /** Retry-After is obeyed up to this long. */
  maxPauseMs: number;
}

export interface NotifierConfig extends StorageConfig {
  /** Sender of alert emails; in AWS a verified SES identity. */
  alertFromEmail: string;
  /** The local SES server; unset in AWS. */
  sesEndpoint: string | undefined;
  /** SES configuration set, for event publishing (bounces, complaints). */
  sesConfigurationSet: string | undefined;
  telegramApiBase: string;
  telegramBotToken: string | undefined;
  telegramBotTokenSecretArn: string | undefined;
  websocketManagementEndpoint: string | undefined;
  /** A local SQS server; unset in AWS. */
  sqsEndpoint: string | undefined;
  allowLoopbackWebhooks: boolean;
  /** Ports webhook URLs may use. */
  webhookAllowedPorts: AllowedPorts;
  /** Attempts per delivery before it is marked `failed`. */
  deliveryMaxAttempts: number;
  /** First step of the backoff between attempts (then ×3 per attempt). */
  deliveryRetryBaseMs: number;
  webhookTimeoutMs: number;
  /** The destinations' circuit breakers. */
  deliveryLanes: LaneSettings;
  /** The longest a send waits for its pacing slot in the invocation. */
  maxPaceWaitMs: number;
  /** What the channels' pacing lanes depend on (core/channels/definition.ts). */
  pace: PaceSettings;
}

/** Settings whose values are secrets: never echoed in an error. */
function parseEnv<S extends z.ZodType>(schema: S, env: Env): z.output<S> {
  return parseEnvSettings(schema, env, (message) => new ConfigError(message), 'configuration');
}

/** Where DynamoDB is: for the CLI, the ingest task and anything else that only needs the table. */
export function loadStorageConfig(env: Env = process.env): StorageConfig {
  return storageOf(parseEnv(storageEnvSchema, env));
}

/** The table settings every function has. */
function storageOf(parsed: { TABLE_NAME: string; DYNAMODB_ENDPOINT?: string | undefined; AWS_REGION: string }): StorageConfig {
  return { tableName: parsed.TABLE_NAME, dynamodbEndpoint: parsed.DYNAMODB_ENDPOINT, region: parsed.AWS_REGION };
}

export function loadDashboardSocketConfig(env: Env = process.env): DashboardSocketConfig {
  const parsed = parseEnv(dashboardSocketEnvSchema, env);
  return { ...storageOf(parsed), dashboardSocketsPerOwner: parsed.DASHBOARD_SOCKETS_PER_OWNER };
}

export function loadApiConfig(env: Env = process.env): ApiConfig {
  const parsed = parseEnv(apiEnvSchema, env);
  return {
    ...storageOf(parsed),
    dashboardSocketsPerOwner: parsed.DASHBOARD_SOCKETS_PER_OWNER,
    ownerAlertsPerMinute: parsed.OWNER_ALERTS_PER_MINUTE,
    ruleQuota: parsed.RULE_QUOTA,
    ownerSymbolLimit: parsed.OWNER_SYMBOL_LIMIT,
    alertRetentionDays: parsed.ALERT_RETENTION_DAYS,
    allowLoopbackWebhooks: parsed.ALLOW_LOOPBACK_WEBHOOKS,
    webhookAllowedPorts: parsed.WEBHOOK_ALLOWED_PORTS,
    heartbeatStaleSeconds: parsed.HEARTBEAT_STALE_SECONDS,
  };
}

export function loadEvaluatorConfig(env: Env = process.env): EvaluatorConfig {
  const parsed = parseEnv(evaluatorEnvSchema, env);
  return {
    ...storageOf(parsed),
    queueUrls: Object.fromEntries(DELIVERY_CHANNEL_TYPES.map((type) => [type, parsed[queueUrlSetting(type)]])) as Record<DeliveryChannelType, string>,
    sqsEndpoint: parsed.SQS_ENDPOINT,
    alertRetentionDays: parsed.ALERT_RETENTION_DAYS,
    ruleCacheCheckMs: parsed.RULE_CACHE_CHECK_MS,
    ruleCacheMaxAgeMs: parsed.RULE_CACHE_MAX_AGE_MS,
    engineForgetAfterMs: parsed.ENGINE_FORGET_AFTER_MS,
    outboxCheckMs: parsed.OUTBOX_CHECK_MS,
    itickRestBase: parsed.ITICK_REST_BASE.replace(/\/+$/, ''),
    itickToken: parsed.ITICK_TOKEN,
    itickTokenSecretArn: parsed.ITICK_TOKEN_SECRET_ARN,
    itickRestBudget: restBudgetOf(parsed),
    warmUpMaxPerBatch: parsed.WARM_UP_MAX_PER_BATCH,
    warmUpTimeoutMs: parsed.WARM_UP_TIMEOUT_MS,
    warmUpBudgetWaitMs: parsed.WARM_UP_BUDGET_WAIT_MS,
    ownerAlertsPerMinute: parsed.OWNER_ALERTS_PER_MINUTE,
    floodGuard: { fires: parsed.FLOOD_GUARD_FIRES, windowMs: parsed.FLOOD_GUARD_WINDOW_SECONDS * 1000 },
  };
}

function restBudgetOf(parsed: z.output<typeof itickRestBudgetEnvSchema>): ItickRestBudgetConfig {
  return { perMinute: parsed.ITICK_REST_PER_MINUTE, pauseAfter429Ms: parsed.ITICK_REST_429_PAUSE_MS, maxPauseMs: parsed.ITICK_REST_MAX_PAUSE_MS };
}

/**
 * The REST budget settings alone (`ITICK_REST_PER_MINUTE`, …), read as the evaluator reads them:
 * the CDK stack checks its context value with this, so it never passes what the evaluator refuses.
 */
export function loadItickRestBudgetConfig(env: Env): ItickRestBudgetConfig {
  return restBudgetOf(parseEnv(itickRestBudgetEnvSchema, env));
}

export function loadNotifierConfig(env: Env = process.env): NotifierConfig {
  const parsed = parseEnv(notifierEnvSchema, env);
  return {
    ...storageOf(parsed),
    alertFromEmail: parsed.ALERT_FROM_EMAIL,
    sesEndpoint: parsed.SES_ENDPOINT,
    sesConfigurationSet: parsed.SES_CONFIGURATION_SET,
    telegramApiBase: parsed.TELEGRAM_API_BASE,
    telegramBotToken: parsed.TELEGRAM_BOT_TOKEN,
    telegramBotTokenSecretArn: parsed.TELEGRAM_BOT_TOKEN_SECRET_ARN,
    websocketManagementEndpoint: parsed.WEBSOCKET_MANAGEMENT_ENDPOINT,
    sqsEndpoint: parsed.SQS_ENDPOINT,
    allowLoopbackWebhooks: parsed.ALLOW_LOOPBACK_WEBHOOKS,
    webhookAllowedPorts: parsed.WEBHOOK_ALLOWED_PORTS,
    deliveryMaxAttempts: parsed.DELIVERY_MAX_ATTEMPTS,
    deliveryRetryBaseMs: parsed.DELIVERY_RETRY_BASE_MS,
    webhookTimeoutMs: parsed.WEBHOOK_TIMEOUT_MS,
    deliveryLanes: {
      failuresToOpen: parsed.DELIVERY_LANE_FAILURES,
      openMs: parsed.DELIVERY_LANE_OPEN_SECONDS * 1000,
      maxOpenMs: Math.max(parsed.DELIVERY_LANE_OPEN_SECONDS, parsed.DELIVERY_LANE_MAX_OPEN_SECONDS) * 1000,
    },
    maxPaceWaitMs: parsed.DELIVERY_MAX_PACE_WAIT_MS,
    pace: { sesMaxSendRate: parsed.SES_MAX_SEND_RATE },
  };
}

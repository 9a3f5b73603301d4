/**
 * Typed configuration from environment variables, parsed once with zod. A missing or bad setting
 * stops the start with one line that names it (`RULE_QUOTA must be a whole number ...`).
 */
import { z } from 'zod';
import { TABLE } from '../../storage/table-definition';
import { DEFAULT_ALERT_RETENTION_DAYS } from '../../storage/alerts-repository';

/** A bad or missing setting; its message names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/** Unset and empty variables both mean "use the default". */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema);

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

const apiEnvSchema = storageEnvSchema.extend({
  RULE_QUOTA: wholeNumber(1, 1_000_000, 1000),
  ALERT_RETENTION_DAYS: wholeNumber(1, 3650, DEFAULT_ALERT_RETENTION_DAYS),
  ALLOW_LOOPBACK_WEBHOOKS: flag(false),
  HEARTBEAT_STALE_SECONDS: wholeNumber(1, 3600, 30),
});

export interface StorageConfig {
  tableName: string;
  /** DynamoDB Local (or any other endpoint); unset in AWS. */
  dynamodbEndpoint: string | undefined;
  region: string;
}

export interface ApiConfig extends StorageConfig {
  ruleQuota: number;
  alertRetentionDays: number;
  /** Local development only: webhooks may use http and loopback addresses. */
  allowLoopbackWebhooks: boolean;
  /** A heartbeat older than this means the ingest task is not running. */
  heartbeatStaleSeconds: number;
}

function parseEnv<S extends z.ZodType>(schema: S, env: Env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = String(issue?.path[0] ?? 'configuration');
  const got = env[name] === undefined ? '' : ` (got ${JSON.stringify(env[name])})`;
  throw new ConfigError(`${name} ${issue?.message ?? 'is invalid'}${got}`);
}

/** Where DynamoDB is: for the CLI, the ingest task and anything else that only needs the table. */
export function loadStorageConfig(env: Env = process.env): StorageConfig {
  const parsed = parseEnv(storageEnvSchema, env);
  return { tableName: parsed.TABLE_NAME, dynamodbEndpoint: parsed.DYNAMODB_ENDPOINT, region: parsed.AWS_REGION };
}

export function loadApiConfig(env: Env = process.env): ApiConfig {
  const parsed = parseEnv(apiEnvSchema, env);
  return {
    tableName: parsed.TABLE_NAME,
    dynamodbEndpoint: parsed.DYNAMODB_ENDPOINT,
    region: parsed.AWS_REGION,
    ruleQuota: parsed.RULE_QUOTA,
    alertRetentionDays: parsed.ALERT_RETENTION_DAYS,
    allowLoopbackWebhooks: parsed.ALLOW_LOOPBACK_WEBHOOKS,
    heartbeatStaleSeconds: parsed.HEARTBEAT_STALE_SECONDS,
  };
}

/**
 * The evaluator's adapters, made once per Lambda instance (cold start) from its configuration:
 * the rule cache survives warm invocations, which is what keeps reads per batch near zero. The
 * indicator warm-up reads iTick's klines with the iTick token: ITICK_TOKEN locally, in AWS the
 * secret ITICK_TOKEN_SECRET_ARN names, read once at cold start (without waiting for it).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { LOCAL_CREDENTIALS } from '../../core/local-credentials';
import { listActiveRulesBySymbol } from '../../storage/rules-repository';
import { listWatchedSymbols } from '../../storage/symbols-repository';
import { claimAlert, expireRule, recordArmed } from '../../storage/trigger-state-repository';
import { listOutbox, markQueued } from '../../storage/delivery-outbox';
import type { Db } from '../../storage/dynamodb-client';
import type { EvaluatorConfig } from '../shared/config';
import { openDb } from '../shared/database';
import { errorMessage } from '../shared/error-message';
import { logger } from '../shared/logger';
import { SqsDeliveryQueue } from './delivery-queue';
import type { EvaluatorDeps, TriggerStore } from './evaluate-batch';
import { DEFAULT_WARM_UP_OPTIONS, IndicatorWarmUp } from './indicator-warm-up';
import { ItickKlineSource } from './itick-klines';
import { OutboxWatch } from './outbox-sweeper';
import { RuleCache } from './rule-cache';

export const metrics = new Metrics({ namespace: 'StockAlerts', serviceName: 'evaluator' });

export function dynamoTriggerStore(db: Db, retentionDays: number): TriggerStore {
  return {
    claim: (claim) => claimAlert(db, { ...claim, retentionDays, now: new Date() }),
    recordArmed: (rule, update) => recordArmed(db, rule.record, update.armed, new Date()),
    expire: (rule, now) => expireRule(db, rule.record, new Date(now)),
    markQueued: (owner, alertKey) => markQueued(db, owner, alertKey),
  };
}

/**
 * The iTick token, or undefined: indicators then warm from live bars only. A secret that cannot
 * be read (not filled yet, no permission) never stops evaluation.
 */
async function itickToken(config: EvaluatorConfig): Promise<string | undefined> {
  if (config.itickToken !== undefined && config.itickToken.trim() !== '') return config.itickToken.trim();
  if (config.itickTokenSecretArn === undefined) return undefined;
  const secrets = new SecretsManagerClient({ region: config.region });
  try {
    const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: config.itickTokenSecretArn }));
    const token = SecretString?.trim();
    if (token === undefined || token === '') logger.warn('the iTick token secret is empty: indicators warm from live bars only');
    return token === '' ? undefined : token;
  } catch (error) {
    logger.warn('could not read the iTick token secret: indicators warm from live bars only', { error: error instanceof Error ? error.name : 'Error' });
    return undefined;
  } finally {
    secrets.destroy();
  }
}

/** The warm-up, unless it is switched off (WARM_UP_MAX_PER_BATCH=0) or no token is configured. */
export function createWarmUp(config: EvaluatorConfig): IndicatorWarmUp | undefined {
  if (config.warmUpMaxPerBatch === 0 || (config.itickToken === undefined && config.itickTokenSecretArn === undefined)) return undefined;
  // Started at cold start, awaited by the first fetch: the first batch does not wait for it unless it needs klines.
  const token = itickToken(config);
  const source = new ItickKlineSource({ baseUrl: config.itickRestBase, token: () => token, timeoutMs: config.warmUpTimeoutMs });
  return new IndicatorWarmUp(
    source,
    { failed: (details) => logger.warn('could not warm indicators from iTick klines: they warm from live bars', details) },
    { ...DEFAULT_WARM_UP_OPTIONS, maxPerBatch: config.warmUpMaxPerBatch },
  );
}

export function createEvaluatorDeps(config: EvaluatorConfig): EvaluatorDeps {
  const db = openDb(config);
  const sqs = new SQSClient({
    region: config.region,
    ...(config.sqsEndpoint === undefined ? {} : { endpoint: config.sqsEndpoint, credentials: LOCAL_CREDENTIALS }),
  });
  const rules = new RuleCache(
    {
      symbolVersions: async () => new Map((await listWatchedSymbols(db)).map((w) => [w.symbol, w.rulesVersion])),
      activeRules: (symbol) => listActiveRulesBySymbol(db, symbol),
    },
    { checkEveryMs: config.ruleCacheCheckMs, maxAgeMs: config.ruleCacheMaxAgeMs },
  );
  const warmUp = createWarmUp(config);
  const queue = new SqsDeliveryQueue(sqs, config.queueUrls);
  const outbox =
    config.outboxCheckMs === 0
      ? undefined
      : new OutboxWatch({ listOutbox: (before, limit) => listOutbox(db, before, limit), markQueued: (owner, key) => markQueued(db, owner, key) }, queue, {
          everyMs: config.outboxCheckMs,
          minAgeMs: config.outboxCheckMs,
          limit: 25,
        });
  return {
    rules,
    ...(warmUp === undefined ? {} : { warmUp }),
    store: dynamoTriggerStore(db, config.alertRetentionDays),
    queue,
    ...(outbox === undefined ? {} : { outbox }),
    metrics: { record: (name, value, unit) => metrics.addMetric(name, unit === 'Count' ? MetricUnit.Count : MetricUnit.Milliseconds, value) },
    forgetAfterMs: config.engineForgetAfterMs,
    onStateDropped: () => logger.warn('the batch carried an engine state that is not valid: starting the shard from baselines'),
    onWarmUpError: (error) => logger.error('warming indicators failed: the batch is evaluated with what the state has', { error: errorMessage(error) }),
    onOutbox: (outcome) =>
      'error' in outcome
        ? logger.warn('could not look at the delivery outbox; the scheduled sweeper will', { error: errorMessage(outcome.error) })
        : logger.warn('queued the deliveries of alerts left in the delivery outbox', outcome),
    onClaimed: ({ ruleId, symbol, tickAt, duplicate }) =>
      logger.info(duplicate ? 'alert already claimed, pending deliveries queued again' : 'alert claimed', {
        ruleId,
        symbol,
        tickToClaimMs: Date.now() - tickAt,
      }),
  };
}

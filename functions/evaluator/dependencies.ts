/**
 * The evaluator's adapters, made once per Lambda instance (cold start) from its configuration:
 * the rule cache survives warm invocations, which is what keeps reads per batch near zero. The
 * indicator warm-up and the previous closes read iTick's REST with the iTick token (ITICK_TOKEN
 * locally, in AWS the secret ITICK_TOKEN_SECRET_ARN names, read once at cold start without
 * waiting for it), through one REST budget per token kept in the table and shared with every
 * other instance and caller (functions/shared/itick-rest).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { LOCAL_CREDENTIALS } from '../../core/local-credentials';
import { listActiveRulesBySymbol } from '../../storage/rules-repository';
import { listWatchedSymbols, setSymbolWarmUp } from '../../storage/symbols-repository';
import { claimAlerts, expireRules, recordArmedAll } from '../../storage/trigger-state-repository';
import { alertMinute, DEFAULT_FLOOD_GUARD, type Admission, type FloodGuardSettings } from '../../storage/alert-limits';
import { admitOwnerAlerts } from '../../storage/alert-limits-repository';
import { listOutbox, markQueued } from '../../storage/delivery-outbox';
import type { Db } from '../../storage/dynamodb-client';
import type { EvaluatorConfig } from '../shared/config';
import { openDb } from '../shared/database';
import { errorMessage } from '../shared/error-message';
import { dynamoRestBudgetStore, ItickMarketData, ItickRestClient, RestBudget, restBudgetTokenHash } from '../shared/itick-rest';
import { logger } from '../shared/logger';
import { RateLimitedLog } from '../shared/rate-limited-log';
import { SqsDeliveryQueue } from './delivery-queue';
import type { AlertLimiter, EvaluatorDeps, TriggerStore } from './evaluate-batch';
import { DEFAULT_WARM_UP_OPTIONS, IndicatorWarmUp } from './indicator-warm-up';
import { OutboxWatch } from './outbox-sweeper';
import { DEFAULT_PREV_CLOSE_OPTIONS, PrevCloseWarmUp } from './prev-close-warm-up';
import { WarmUpMarkers } from './warm-up-markers';
import { RuleCache } from './rule-cache';

export const metrics = new Metrics({ namespace: 'StockAlerts', serviceName: 'evaluator' });

export function dynamoTriggerStore(db: Db, retentionDays: number, floodGuard: FloodGuardSettings = DEFAULT_FLOOD_GUARD): TriggerStore {
  return {
    claim: (claims, onResult) => {
      const now = new Date();
      return claimAlerts(
        db,
        claims.map((claim) => ({ floodGuard, ...claim, retentionDays, now })),
        onResult === undefined ? {} : { onResult },
      );
    },
    recordArmed: (changes) => recordArmedAll(db, changes.map(({ rule, update }) => ({ record: rule.record, armed: update.armed })), new Date()),
    expire: (rules, now) => expireRules(db, rules.map((rule) => rule.record), new Date(now)),
    markQueued: (owner, alertKey) => markQueued(db, owner, alertKey),
  };
}

/**
 * The owner's alerts per minute, counted in the table (storage/alert-limits-repository.ts): the
 * alerts of one owner and minute are admitted together, one read and at most one write each.
 */
export function dynamoAlertLimiter(db: Db, perMinute: number): AlertLimiter {
  return {
    perMinute,
    admit: async (alerts) => {
      const groups = new Map<string, { owner: string; minute: string; ids: string[] }>();
      const groupOf = alerts.map(({ owner, alertId, triggeredAt }) => {
        const minute = alertMinute(triggeredAt);
        const key = JSON.stringify([owner, minute]);
        const group = groups.get(key) ?? { owner, minute, ids: [] };
        group.ids.push(alertId);
        groups.set(key, group);
        return key;
      });
      const decided = new Map<string, Map<string, Admission>>();
      await Promise.all(
        [...groups].map(async ([key, { owner, minute, ids }]) => decided.set(key, await admitOwnerAlerts(db, owner, minute, ids, perMinute))),
      );
      return alerts.map(({ alertId }, i) => decided.get(groupOf[i] as string)?.get(alertId) ?? 'admitted');
    },
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

/** The budget window: `ITICK_REST_PER_MINUTE` counts calls per rolling minute. */
const BUDGET_WINDOW_MS = 60_000;

/**
 * iTick's REST for this instance, or undefined without a token setting: one budget per token,
 * counted in the table (every instance and caller shares it), one client in front of it.
 */
export function createItickRest(config: EvaluatorConfig, db: Db): ItickMarketData | undefined {
  if (config.itickToken === undefined && config.itickTokenSecretArn === undefined) return undefined;
  // Started at cold start, awaited by the first call: the first batch does not wait for it unless it calls iTick.
  const token = itickToken(config);
  const { perMinute, pauseAfter429Ms, maxPauseMs } = config.itickRestBudget;
  const tokenHash = async () => {
    const value = await token;
    if (value === undefined) throw new Error('no iTick token');
    return restBudgetTokenHash(value);
  };
  const budget = new RestBudget(dynamoRestBudgetStore(db, tokenHash, { limit: perMinute, windowMs: BUDGET_WINDOW_MS }), { perMinute, windowMs: BUDGET_WINDOW_MS });
  const client = new ItickRestClient({
    baseUrl: config.itickRestBase,
    token: () => token,
    budget,
    pauseAfter429Ms,
    maxPauseMs,
    onRateLimited: ({ until, path }) =>
      logger.warn("iTick answered 429: every caller of the token's REST budget waits", { path, until: new Date(until).toISOString(), perMinute }),
  });
  return new ItickMarketData(client, { maxWaitMs: config.warmUpBudgetWaitMs, timeoutMs: config.warmUpTimeoutMs });
}

export interface WarmUps {
  warmUp?: IndicatorWarmUp;
  prevClose?: PrevCloseWarmUp;
}

/**
 * The indicator warm-up and the previous-close fill, unless warm-ups are switched off
 * (WARM_UP_MAX_PER_BATCH=0) or no token is configured. Their warnings are rate-limited: a spent
 * budget refuses the same series again each time a slot frees.
 */
export function createWarmUps(config: EvaluatorConfig, db: Db, rest = createItickRest(config, db)): WarmUps {
  if (config.warmUpMaxPerBatch === 0 || rest === undefined) return {};
  const warnings = new RateLimitedLog((message, details) => logger.warn(message, details));
  const markers = new WarmUpMarkers(
    (symbol, interval, state) => setSymbolWarmUp(db, symbol, interval, state),
    (error, details) => warnings.line('warm-up-marker', 'could not record whether a series warms from live data', { ...details, error: errorMessage(error) }),
  );
  const warmUp = new IndicatorWarmUp(
    rest,
    { failed: (details) => warnings.line(`warm-up-${details.kind}`, 'could not warm indicators from iTick klines: they warm from live data', details) },
    { ...DEFAULT_WARM_UP_OPTIONS, maxPerBatch: config.warmUpMaxPerBatch, maxWaitMs: config.warmUpBudgetWaitMs },
    markers,
  );
  const prevClose = new PrevCloseWarmUp(
    rest,
    { failed: (details) => warnings.line(`prev-close-${details.kind}`, "could not read the previous close from iTick's quote: change_from_prev_close_pct rules wait for one", details) },
    { ...DEFAULT_PREV_CLOSE_OPTIONS, maxPerBatch: config.warmUpMaxPerBatch, maxWaitMs: config.warmUpBudgetWaitMs },
  );
  return { warmUp, prevClose };
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
  const { warmUp, prevClose } = createWarmUps(config, db);
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
    ...(prevClose === undefined ? {} : { prevClose }),
    store: dynamoTriggerStore(db, config.alertRetentionDays, config.floodGuard),
    queue,
    limits: dynamoAlertLimiter(db, config.ownerAlertsPerMinute),
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

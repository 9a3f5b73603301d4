/**
 * The evaluator's adapters, made once per Lambda instance (cold start) from its configuration:
 * the rule cache survives warm invocations, which is what keeps reads per batch near zero.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { listActiveRulesBySymbol } from '../../storage/rules-repository';
import { listWatchedSymbols } from '../../storage/symbols-repository';
import { claimAlert, expireRule, recordArmed } from '../../storage/trigger-state-repository';
import { markQueued } from '../../storage/delivery-outbox';
import type { Db } from '../../storage/dynamodb-client';
import type { EvaluatorConfig } from '../shared/config';
import { openDb } from '../shared/database';
import { logger } from '../shared/logger';
import { SqsDeliveryQueue } from './delivery-queue';
import type { EvaluatorDeps, TriggerStore } from './evaluate-batch';
import { RuleCache } from './rule-cache';

export const metrics = new Metrics({ namespace: 'StockAlerts', serviceName: 'evaluator' });

export function dynamoTriggerStore(db: Db, retentionDays: number): TriggerStore {
  return {
    claim: ({ rule, alert, firedAt, armed, consumed, fromPos, toPos }) =>
      claimAlert(db, { record: rule.record, alert, firedAt, armed, consumed, fromPos, toPos, retentionDays, now: new Date() }),
    recordArmed: (rule, update) => recordArmed(db, rule.record, update.armed, new Date()),
    expire: (rule, now) => expireRule(db, rule.record, new Date(now)),
    markQueued: (owner, alertKey) => markQueued(db, owner, alertKey),
  };
}

export function createEvaluatorDeps(config: EvaluatorConfig): EvaluatorDeps {
  const db = openDb(config);
  const sqs = new SQSClient({
    region: config.region,
    ...(config.sqsEndpoint === undefined ? {} : { endpoint: config.sqsEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  });
  const rules = new RuleCache(
    {
      symbolVersions: async () => new Map((await listWatchedSymbols(db)).map((w) => [w.symbol, w.rulesVersion])),
      activeRules: (symbol) => listActiveRulesBySymbol(db, symbol),
    },
    { checkEveryMs: config.ruleCacheCheckMs, maxAgeMs: config.ruleCacheMaxAgeMs },
  );
  return {
    rules,
    store: dynamoTriggerStore(db, config.alertRetentionDays),
    queue: new SqsDeliveryQueue(sqs, config.queueUrls),
    metrics: { record: (name, value, unit) => metrics.addMetric(name, unit === 'Count' ? MetricUnit.Count : MetricUnit.Milliseconds, value) },
    forgetAfterMs: config.engineForgetAfterMs,
    onStateDropped: () => logger.warn('the batch carried an engine state that is not valid: starting the shard from baselines'),
    onClaimed: ({ ruleId, symbol, tickAt, duplicate }) =>
      logger.info(duplicate ? 'alert already claimed, pending deliveries queued again' : 'alert claimed', {
        ruleId,
        symbol,
        tickToClaimMs: Date.now() - tickAt,
      }),
  };
}

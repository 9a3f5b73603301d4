/**
 * The evaluator Lambda: invoked synchronously by the ingest task with a batch of ticks
 * (core/feed/batch-event.ts), answers with the shard's new engine state. Made for a configuration:
 * handler.ts is the Lambda entry (configuration from the environment), the local stack passes its own.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { batchEventSchema, type BatchResult } from '../../core/feed';
import type { EvaluatorConfig } from '../shared/config';
import { logger } from '../shared/logger';
import { createEvaluatorDeps, metrics } from './dependencies';
import { evaluateBatchEvent } from './evaluate-batch';

/** The evaluator's handler, with its adapters made now (once per Lambda instance). */
export function createEvaluatorHandler(config: EvaluatorConfig) {
  const deps = createEvaluatorDeps(config);
  return middy<unknown, BatchResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .handler(async (event) => {
      const parsed = batchEventSchema.safeParse(event);
      if (!parsed.success) {
        // A malformed batch is a bug in the sender; fail loudly (the ingest task logs and retries).
        logger.error('rejected a batch event that does not match the schema', { issues: parsed.error.issues.slice(0, 5) });
        throw new Error('invalid batch event');
      }
      const { shard, seq, symbols } = parsed.data;
      const result = await evaluateBatchEvent(deps, parsed.data, Date.now());
      // Every batch at DEBUG (four a second per shard add up in CloudWatch Logs); batches that fired at INFO.
      const summary = { shard, seq, symbols: symbols.length, fired: result.fired, claimed: result.claimed };
      if (result.fired > 0) logger.info('batch evaluated', summary);
      else logger.debug('batch evaluated', summary);
      return result;
    });
}

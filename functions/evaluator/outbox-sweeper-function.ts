/**
 * The outbox sweeper Lambda, run every minute by a schedule: queues the deliveries of claimed
 * alerts that an evaluator could not queue (outbox-sweeper.ts). Made for a configuration:
 * outbox-sweeper-handler.ts is the Lambda entry, the local stack passes its own.
 */
import middy from '@middy/core';
import { SQSClient } from '@aws-sdk/client-sqs';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { LOCAL_CREDENTIALS } from '../../core/local-credentials';
import { listOutbox, markQueued } from '../../storage/delivery-outbox';
import type { EvaluatorConfig } from '../shared/config';
import { openDb } from '../shared/database';
import { logger } from '../shared/logger';
import { SqsDeliveryQueue } from './delivery-queue';
import { sweepOutbox } from './outbox-sweeper';

/** Alerts younger than this are left to the evaluator that claimed them. */
const MIN_AGE_MS = 30_000;

/** The sweeper's handler, with its table and queue clients made now (once per Lambda instance). */
export function createOutboxSweeperHandler(config: EvaluatorConfig) {
  const db = openDb(config);
  const queue = new SqsDeliveryQueue(
    new SQSClient({
      region: config.region,
      ...(config.sqsEndpoint === undefined ? {} : { endpoint: config.sqsEndpoint, credentials: LOCAL_CREDENTIALS }),
    }),
    config.queueUrls,
  );
  return middy<unknown, { queued: number }>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async () => {
      const store = { listOutbox: (before: Date, limit: number) => listOutbox(db, before, limit), markQueued: (owner: string, key: string) => markQueued(db, owner, key) };
      const queued = await sweepOutbox(store, queue, Date.now(), { minAgeMs: MIN_AGE_MS, limit: 100 });
      if (queued > 0) logger.warn('queued the deliveries of alerts left in the outbox', { queued });
      return { queued };
    });
}

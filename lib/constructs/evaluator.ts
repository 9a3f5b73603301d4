/**
 * The evaluator Lambda: invoked synchronously by the ingest task with a batch of ticks, it runs
 * the rule engine, claims the alerts that fire and queues their deliveries
 * (functions/evaluator/, docs/ingest.md "Sharding and hand-over"). With it, the outbox sweeper:
 * every minute it queues the deliveries of alerts that were claimed but never queued (the
 * evaluator died or SQS failed in between; docs/architecture.md).
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FUNCTION_ENTRIES } from '../function-entries';
import type { AlertDelivery } from './alert-delivery';
import { AppFunction } from './app-function';
import { TABLE_ACCESS } from '../table-access';
import type { Storage } from './storage';

/**
 * Below the ingest task's EVALUATOR_TIMEOUT_MS (10 s): an invocation Lambda stops by itself is
 * answered as an error before the task gives up on it, so the task never retries a batch that is
 * still running.
 */
export const EVALUATOR_TIMEOUT = Duration.seconds(8);
/** Powertools service name, and the `service` dimension of the evaluator's metrics. */
export const EVALUATOR_SERVICE = 'evaluator';

/** The engine is CPU-bound; Lambda's CPU share grows with memory. */
export const EVALUATOR_MEMORY_MB = 512;

export interface EvaluatorProps {
  readonly storage: Storage;
  readonly delivery: AlertDelivery;
  readonly logRetention: logs.RetentionDays;
  /** The evaluator's reserved concurrency (context evaluatorReservedConcurrency); unset: none. */
  readonly reservedConcurrency?: number | undefined;
}

export class Evaluator extends Construct {
  readonly function: AppFunction;
  readonly outboxSweeper: AppFunction;

  constructor(scope: Construct, id: string, props: EvaluatorProps) {
    super(scope, id);
    this.function = new AppFunction(this, 'Evaluator', {
      entry: FUNCTION_ENTRIES.evaluator,
      description: 'Evaluator: runs the rules over a batch of ticks and claims the alerts that fire',
      service: EVALUATOR_SERVICE,
      timeout: EVALUATOR_TIMEOUT,
      memorySize: EVALUATOR_MEMORY_MB,
      logRetention: props.logRetention,
      reservedConcurrency: props.reservedConcurrency,
      environment: { TABLE_NAME: props.storage.tableName, ...props.delivery.queueUrlEnvironment },
    });
    // Its partitions and indexes only (lib/table-access.ts): no DeleteItem, no keys, connections or watches.
    props.storage.grant(this.function.fn, TABLE_ACCESS.evaluator);
    props.delivery.grantSend(this.function.fn);

    this.outboxSweeper = new AppFunction(this, 'OutboxSweeper', {
      entry: FUNCTION_ENTRIES.outboxSweeper,
      description: 'Outbox sweeper: queues the deliveries of claimed alerts that were never queued',
      service: EVALUATOR_SERVICE,
      // Up to 100 alerts a run, each a few SQS and DynamoDB calls.
      timeout: Duration.seconds(30),
      logRetention: props.logRetention,
      environment: { TABLE_NAME: props.storage.tableName, ...props.delivery.queueUrlEnvironment },
    });
    props.storage.grant(this.outboxSweeper.fn, TABLE_ACCESS.outboxSweeper);
    props.delivery.grantSend(this.outboxSweeper.fn);
    new events.Rule(this, 'SweepEveryMinute', {
      description: 'stock-alerts: run the outbox sweeper',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(this.outboxSweeper.fn, { retryAttempts: 0 })],
    });
  }
}

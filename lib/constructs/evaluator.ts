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
import { ACTIVE_RULES_BY_SYMBOL_INDEX, DELIVERY_OUTBOX_INDEX } from '../../storage/table-definition';
import { FUNCTION_ENTRIES } from '../function-entries';
import type { AlertDelivery } from './alert-delivery';
import { AppFunction } from './app-function';
import type { Storage, TableAction } from './storage';

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

/**
 * Query: the watched symbols (base table), active rules by symbol (GSI1) and, every few seconds,
 * alerts left in the delivery outbox (GSI3; UpdateItem takes them out). GetItem, UpdateItem,
 * PutItem, ConditionCheckItem: the claim transaction (rule trigger state, alert record, symbol
 * version), re-arms and expiries.
 */
const EVALUATOR_TABLE_ACTIONS: readonly TableAction[] = [
  'dynamodb:Query',
  'dynamodb:GetItem',
  'dynamodb:UpdateItem',
  'dynamodb:PutItem',
  'dynamodb:ConditionCheckItem',
];

/** The sweeper reads the outbox index and takes the alerts it queued out of it. */
const SWEEPER_TABLE_ACTIONS: readonly TableAction[] = ['dynamodb:Query', 'dynamodb:UpdateItem'];

export interface EvaluatorProps {
  readonly storage: Storage;
  readonly delivery: AlertDelivery;
  readonly logRetention: logs.RetentionDays;
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
      environment: { TABLE_NAME: props.storage.tableName, ...props.delivery.queueUrlEnvironment },
    });
    props.storage.grant(this.function.fn, EVALUATOR_TABLE_ACTIONS, [ACTIVE_RULES_BY_SYMBOL_INDEX.indexName, DELIVERY_OUTBOX_INDEX.indexName]);
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
    props.storage.grant(this.outboxSweeper.fn, SWEEPER_TABLE_ACTIONS, [DELIVERY_OUTBOX_INDEX.indexName]);
    props.delivery.grantSend(this.outboxSweeper.fn);
    new events.Rule(this, 'SweepEveryMinute', {
      description: 'stock-alerts: run the outbox sweeper',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(this.outboxSweeper.fn, { retryAttempts: 0 })],
    });
  }
}

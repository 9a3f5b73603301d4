/**
 * Turns the ingest task's heartbeat item (docs/storage.md: connected, lastTickAt, ticksPerSecond,
 * subscribed, openSubscribed, unwatched, lagMs, updatedAt) into CloudWatch metrics once a minute,
 * so that alarms can judge the feed exactly as `GET /health` does — from the same item — without
 * any code in the task.
 *
 * An EventBridge schedule starts a two-state Step Functions Express workflow: DynamoDB GetItem,
 * then CloudWatch PutMetricData with the ages computed in JSONata. No Lambda, nothing to bundle.
 * When the item does not exist yet nothing is published: the alarms treat missing data as stale.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { heartbeatKey } from '../../storage/item-keys';
import { acknowledgeWildcardResource } from '../nag-acknowledgements';
import { TABLE_ACCESS } from '../table-access';
import { METRICS_NAMESPACE } from './app-function';
import type { Storage } from './storage';

/** The metrics, all in the StockAlerts namespace with {@link FEED_METRIC_DIMENSIONS}. */
export const FEED_METRICS = {
  /** Seconds since the task last wrote its heartbeat (every 5 s while it runs). */
  heartbeatAge: 'HeartbeatAgeSeconds',
  /** Seconds since the last trade on any watched symbol (capped at a week; a week when none yet). */
  lastTickAge: 'LastTickAgeSeconds',
  /** 1 when every iTick connection the task needs is authenticated, else 0. */
  connected: 'FeedConnected',
  /** Trades received per second over the last minute, before path compression (heartbeat `ticksPerSecond`). */
  ticksPerSecond: 'TicksPerSecond',
  subscribed: 'SubscribedSymbols',
  /** Subscribed symbols whose exchange is in its regular session now (heartbeat `openSubscribed`). */
  openSubscribed: 'OpenSubscribedSymbols',
  /** Watched symbols left out: over the plan's limit or refused by iTick. */
  unwatched: 'UnwatchedSymbols',
  /** Age of the oldest tick the evaluator has not acknowledged (heartbeat `lagMs`), in seconds. */
  evaluatorLag: 'EvaluatorLagSeconds',
} as const;

export const FEED_METRIC_DIMENSIONS = { service: 'feed-watchdog' } as const;

const WEEK_SECONDS = 7 * 24 * 3600;

/**
 * The PutMetricData `MetricData`, as a JSONata expression over the GetItem result
 * (`$states.input.Item`, DynamoDB JSON) and the time the state was entered. Step Functions'
 * JSONata predates 2.1, so no `??` or `?:` operators.
 */
export const FEED_METRIC_DATA_EXPRESSION = `{% (
  $item := $states.input.Item;
  $now := $toMillis($states.context.State.EnteredTime);
  $num := function($attribute) { $exists($attribute.N) ? $number($attribute.N) : 0 };
  $ageSeconds := function($epochMs) { $round($max([0, $now - $epochMs]) / 1000, 3) };
  $dimensions := [${Object.entries(FEED_METRIC_DIMENSIONS)
    .map(([name, value]) => `{ "Name": "${name}", "Value": "${value}" }`)
    .join(', ')}];
  [
    { "MetricName": "${FEED_METRICS.heartbeatAge}", "Unit": "Seconds", "Dimensions": $dimensions, "Value": $ageSeconds($num($item.updatedAt)) },
    { "MetricName": "${FEED_METRICS.lastTickAge}", "Unit": "Seconds", "Dimensions": $dimensions, "Value": $min([$ageSeconds($num($item.lastTickAt)), ${WEEK_SECONDS}]) },
    { "MetricName": "${FEED_METRICS.connected}", "Unit": "None", "Dimensions": $dimensions, "Value": $item.connected.BOOL = true ? 1 : 0 },
    { "MetricName": "${FEED_METRICS.ticksPerSecond}", "Unit": "Count/Second", "Dimensions": $dimensions, "Value": $num($item.ticksPerSecond) },
    { "MetricName": "${FEED_METRICS.subscribed}", "Unit": "Count", "Dimensions": $dimensions, "Value": $num($item.subscribed) },
    { "MetricName": "${FEED_METRICS.openSubscribed}", "Unit": "Count", "Dimensions": $dimensions, "Value": $num($item.openSubscribed) },
    { "MetricName": "${FEED_METRICS.unwatched}", "Unit": "Count", "Dimensions": $dimensions, "Value": $count($item.unwatched.L) },
    { "MetricName": "${FEED_METRICS.evaluatorLag}", "Unit": "Seconds", "Dimensions": $dimensions, "Value": $round($num($item.lagMs) / 1000, 3) }
  ]
) %}`;

/** One of the feed metrics, per minute (the watchdog's cadence). */
export function feedMetric(name: (typeof FEED_METRICS)[keyof typeof FEED_METRICS], options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { ...FEED_METRIC_DIMENSIONS },
    period: Duration.minutes(1),
    statistic: cloudwatch.Stats.MAXIMUM,
    ...options,
  });
}

export interface FeedWatchdogProps {
  readonly storage: Storage;
  readonly logRetention: logs.RetentionDays;
}

export class FeedWatchdog extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: FeedWatchdogProps) {
    super(scope, id);
    const key = Object.fromEntries(Object.entries(heartbeatKey()).map(([name, value]) => [name, { S: value }]));
    // The optimized DynamoDB integration as a CustomState rather than tasks.DynamoGetItem, which
    // grants GetItem on the whole table: the grant below (lib/table-access.ts) is the heartbeat's
    // partition only.
    const readHeartbeat = new sfn.CustomState(this, 'ReadHeartbeat', {
      stateJson: {
        Type: 'Task',
        QueryLanguage: 'JSONata',
        Resource: `arn:${Stack.of(this).partition}:states:::dynamodb:getItem`,
        // Eventually consistent is half the price and a second of staleness is irrelevant here.
        Arguments: { TableName: props.storage.tableName, Key: key, ConsistentRead: false },
      },
    });
    const publish = new sfn.CustomState(this, 'PublishFeedMetrics', {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${Stack.of(this).partition}:states:::aws-sdk:cloudwatch:putMetricData`,
        Arguments: { Namespace: METRICS_NAMESPACE, MetricData: FEED_METRIC_DATA_EXPRESSION },
        Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 2, BackoffRate: 2 }],
      },
    });
    const definition = readHeartbeat.next(
      sfn.Choice.jsonata(this, 'HeartbeatWritten')
        .when(sfn.Condition.jsonata('{% $exists($states.input.Item) %}'), publish)
        // No heartbeat item yet: publish nothing, and the alarms read the missing data as stale.
        .otherwise(sfn.Succeed.jsonata(this, 'NoHeartbeatYet')),
    );

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.EXPRESS,
      queryLanguage: sfn.QueryLanguage.JSONATA,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: Duration.seconds(30),
      logs: { destination: logGroup, level: sfn.LogLevel.ERROR, includeExecutionData: true },
      comment: 'stock-alerts: ingest heartbeat to CloudWatch metrics, once a minute',
    });
    props.storage.grant(this.stateMachine.role, TABLE_ACCESS.feedWatchdog);
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        // PutMetricData has no resource-level permissions; the namespace condition is the restriction.
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': METRICS_NAMESPACE } },
      }),
    );

    acknowledgeWildcardResource(
      this.stateMachine.role,
      '*',
      'cloudwatch:PutMetricData (restricted by its namespace condition) and the CloudWatch Logs log-delivery actions of Step Functions logging are defined by AWS on "*" only.',
    );

    new events.Rule(this, 'EveryMinute', {
      description: 'stock-alerts: run the feed watchdog',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.SfnStateMachine(this.stateMachine)],
    });

    Validations.of(this.stateMachine).acknowledge(
      {
        id: 'AwsSolutions-SF1',
        reason: 'Errors are logged with their data; logging ALL would write every successful run, once a minute, for no insight.',
      },
      {
        id: 'AwsSolutions-SF2',
        reason: 'Two states run once a minute: a GetItem and a PutMetricData. A trace would show nothing the error log does not.',
      },
    );
  }
}

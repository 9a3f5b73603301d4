/**
 * Alarms (to an SNS topic, optionally with an email subscription) and one CloudWatch dashboard.
 *
 * | alarm | fires when |
 * |---|---|
 * | FeedHeartbeatStale | the ingest heartbeat is older than HEARTBEAT_STALE_SECONDS for 3 minutes, or missing (task down, watchdog down) |
 * | FeedDisconnected | the task is up but not authenticated at iTick for 5 minutes (token, knocked off, network) |
 * | NoTicksDuringMarketHours | while a subscribed symbol's exchange is in its regular session (or in the configured UTC hours), no trade for NO_TICKS_STALE_SECONDS |
 * | EvaluatorLagging | the oldest unacknowledged tick is older than a minute for 3 minutes |
 * | SymbolsUnwatched | watched symbols are left out (the iTick plan's limit) for 5 minutes |
 * | EvaluatorErrors / NotifierErrors / OutboxSweeperErrors | 5 (the sweeper: 3) or more function errors in 5 minutes |
 * | <Channel>DeadLetterQueueNotEmpty | a delivery message reached a dead-letter queue |
 * | IngestTaskNotRunning | the service reports no CPU sample for 5 minutes: no task is running |
 *
 * "During market hours" is metric math over the watchdog's datapoints: `DAY()` (1 = Monday) and
 * `HOUR()` (UTC) mask the no-ticks age to 0 outside Monday–Friday START–END. Whole UTC hours, no
 * holidays and no daylight-saving shift: the default (15–20 UTC) is the part of the US regular
 * session that lies inside it in both summer and winter time. On an exchange holiday this alarm
 * fires; that is the honest price of keeping it a single expression.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { EVALUATOR_LAG_ALARM_SECONDS, HEARTBEAT_STALE_SECONDS, NO_TICKS_STALE_SECONDS } from '../feed-thresholds';
import type { MarketHours } from '../stack-config';
import { DELIVERY_QUEUE_NAMES, type AlertDelivery } from './alert-delivery';
import { METRICS_NAMESPACE, type AppFunction } from './app-function';
import { EVALUATOR_SERVICE } from './evaluator';
import { FEED_METRICS, feedMetric } from './feed-watchdog';

export interface MonitoringProps {
  /** Subscribed to the alarm topic when set. */
  readonly alertEmail: string | undefined;
  /** Unset: no "no ticks during market hours" alarm. */
  readonly marketHours: MarketHours | undefined;
  readonly evaluator: AppFunction;
  readonly outboxSweeper: AppFunction;
  readonly delivery: AlertDelivery;
  readonly ingestService: ecs.FargateService;
  readonly httpApi: apigwv2.HttpApi;
}

const ONE_MINUTE = Duration.minutes(1);
const FIVE_MINUTES = Duration.minutes(5);

/** The evaluator's EMF metrics (Powertools adds the `service` dimension). */
export function evaluatorMetric(metricName: 'Points' | 'AlertsFired' | 'AlertsClaimed' | 'AlertsDuplicate' | 'BatchAgeMs', options: cloudwatch.MetricOptions = {}) {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: EVALUATOR_SERVICE },
    statistic: cloudwatch.Stats.SUM,
    period: ONE_MINUTE,
    ...options,
  });
}

/**
 * The metric math of the no-ticks alarm: the last-trade age while a subscribed symbol's exchange
 * is open (`sessions`: the ingest task counts them by the exchanges' calendars) or inside the UTC
 * hours with symbols subscribed; else 0.
 */
export function marketHoursExpression(hours: MarketHours): string {
  if (hours === 'sessions') return 'IF(open > 0, age, 0)';
  return `IF(DAY(age) <= 5 && HOUR(age) >= ${hours.startHour} && HOUR(age) < ${hours.endHour} && subscribed > 0, age, 0)`;
}

export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'stock-alerts alarms', enforceSSL: true });
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications name an alarm and a threshold, nothing secret. CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key, so encryption would need a customer-managed KMS key ($1/month) for no protected data.',
    });
    if (props.alertEmail !== undefined) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alertEmail));
    const action = new SnsAction(this.topic);
    const alarm = (alarmId: string, alarmProps: cloudwatch.AlarmProps) => {
      const created = new cloudwatch.Alarm(this, alarmId, alarmProps);
      created.addAlarmAction(action);
      created.addOkAction(action);
      this.alarms.push(created);
      return created;
    };

    // Feed: from the watchdog's metrics.
    const heartbeatAge = feedMetric(FEED_METRICS.heartbeatAge);
    const lastTickAge = feedMetric(FEED_METRICS.lastTickAge);
    const connected = feedMetric(FEED_METRICS.connected, { statistic: cloudwatch.Stats.MINIMUM });
    const subscribed = feedMetric(FEED_METRICS.subscribed);
    const openSubscribed = feedMetric(FEED_METRICS.openSubscribed, { statistic: cloudwatch.Stats.MINIMUM });
    const unwatched = feedMetric(FEED_METRICS.unwatched);
    const evaluatorLag = feedMetric(FEED_METRICS.evaluatorLag);
    alarm('FeedHeartbeatStale', {
      alarmDescription: `The ingest task's heartbeat is older than ${HEARTBEAT_STALE_SECONDS} s or missing: the task is not running or cannot write to DynamoDB (GET /health says "down").`,
      metric: heartbeatAge,
      threshold: HEARTBEAT_STALE_SECONDS,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      // Three minutes: a deployment stops the task before starting the next (about a minute without heartbeat).
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    alarm('FeedDisconnected', {
      alarmDescription: 'The ingest task is running but not connected to iTick: a refused token (check the secret), another client on the same key, or the network. The task log says which.',
      metric: connected,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 5,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.marketHours !== undefined) {
      alarm('NoTicksDuringMarketHours', {
        alarmDescription:
          props.marketHours === 'sessions'
            ? `No trade on any watched symbol for ${NO_TICKS_STALE_SECONDS} s while a watched symbol's exchange is surely in its regular session (the NYSE calendar: hours, time zone, holidays): an iTick outage or a plan problem.`
            : `No trade on any watched symbol for ${NO_TICKS_STALE_SECONDS} s during market hours (Mon-Fri ${props.marketHours.startHour}:00-${props.marketHours.endHour}:00 UTC, context marketHoursUtc). Exchange holidays fire it too.`,
        metric: new cloudwatch.MathExpression({
          expression: marketHoursExpression(props.marketHours),
          usingMetrics: props.marketHours === 'sessions' ? { age: lastTickAge, open: openSubscribed } : { age: lastTickAge, subscribed },
          period: ONE_MINUTE,
          label: 'last trade age in market hours (s)',
        }),
        threshold: NO_TICKS_STALE_SECONDS,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    alarm('EvaluatorLagging', {
      alarmDescription: `Ticks wait more than ${EVALUATOR_LAG_ALARM_SECONDS} s for the evaluator: it fails or times out and the ingest task is retrying (see EvaluatorErrors and the task log).`,
      metric: evaluatorLag,
      threshold: EVALUATOR_LAG_ALARM_SECONDS,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm('SymbolsUnwatched', {
      alarmDescription: "Watched symbols are not subscribed: the iTick plan's symbol limit is reached or iTick refused them (GET /health lists them as unwatched).",
      metric: unwatched,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 5,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // Functions: a single error is retried by its caller; repeated errors in five minutes are a pattern.
    for (const [alarmId, fn, threshold, what] of [
      ['EvaluatorErrors', props.evaluator, 5, 'The evaluator fails; the ingest task retries, so ticks wait (EvaluatorLagging follows).'],
      ['NotifierErrors', props.delivery.notifier, 5, 'The notifier fails; deliveries are retried by SQS and end in a dead-letter queue if it keeps failing.'],
      // It runs once a minute: three failed runs out of five.
      ['OutboxSweeperErrors', props.outboxSweeper, 3, 'The outbox sweeper fails: deliveries of alerts the evaluator could not queue stay unsent.'],
    ] as const) {
      alarm(alarmId, {
        alarmDescription: `${what} See the function's log group.`,
        metric: fn.fn.metricErrors({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
        threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    for (const name of DELIVERY_QUEUE_NAMES) {
      const title = name[0]?.toUpperCase() + name.slice(1);
      alarm(`${title}DeadLetterQueueNotEmpty`, {
        alarmDescription: `A ${name} delivery gave up in its dead-letter queue (the notifier could not even record the failure). Inspect it, fix the cause, then redrive it to the source queue.`,
        metric: props.delivery.deadLetterQueues[name].metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    // ECS publishes the service's CPU every minute while a task runs: no sample, no task.
    alarm('IngestTaskNotRunning', {
      alarmDescription: 'No ingest task is running (the service reports no CPU samples). See the ECS service events: image pull, secret, or the deployment circuit breaker.',
      metric: props.ingestService.metricCpuUtilization({ period: ONE_MINUTE, statistic: cloudwatch.Stats.SAMPLE_COUNT }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 5,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });

    const ticksPerSecond = feedMetric(FEED_METRICS.ticksPerSecond);
    this.dashboard = this.createDashboard(props, { heartbeatAge, lastTickAge, connected, subscribed, unwatched, evaluatorLag, ticksPerSecond });
  }

  /** `https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#dashboards:name={name}` */
  get dashboardUrl(): string {
    const { region } = Stack.of(this);
    return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards:name=${this.dashboard.dashboardName}`;
  }

  private createDashboard(props: MonitoringProps, feed: Record<'heartbeatAge' | 'lastTickAge' | 'connected' | 'subscribed' | 'unwatched' | 'evaluatorLag' | 'ticksPerSecond', cloudwatch.Metric>) {
    const stack = Stack.of(this);
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      // Dashboards are global to the account: the region keeps two deployments apart.
      dashboardName: `${stack.stackName}-${stack.region}`,
      defaultInterval: Duration.hours(3),
    });
    const graph = (title: string, left: cloudwatch.IMetric[], extra: Partial<cloudwatch.GraphWidgetProps> = {}) =>
      new cloudwatch.GraphWidget({ title, left, width: 8, height: 6, ...extra });
    const deliveries = (metricName: string, statistic = 'Sum') =>
      new cloudwatch.MathExpression({
        // A search, so every Channel (and whatever other dimensions the notifier adds) shows up.
        expression: `SEARCH('Namespace="${METRICS_NAMESPACE}" MetricName="${metricName}"', '${statistic}', 300)`,
        label: '',
        period: FIVE_MINUTES,
      });
    const points = evaluatorMetric('Points');

    dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: '# stock-alerts\nFeed (ingest heartbeat, once a minute) → evaluation → delivery. Alarms at the bottom.',
        width: 24,
        height: 1,
      }),
    );
    dashboard.addWidgets(
      graph('Feed: heartbeat and last trade age (s)', [feed.heartbeatAge.with({ label: 'heartbeat age' }), feed.lastTickAge.with({ label: 'last trade age' })]),
      graph('Feed: connection and symbols', [feed.subscribed.with({ label: 'subscribed' }), feed.unwatched.with({ label: 'unwatched' })], {
        right: [feed.connected.with({ label: 'connected (1/0)' })],
      }),
      graph('Evaluator lag: oldest unacknowledged tick (s)', [feed.evaluatorLag.with({ label: 'lag' })]),
    );
    dashboard.addWidgets(
      graph('Ticks per second: received from the feed, evaluated after path compression', [
        feed.ticksPerSecond.with({ label: 'received ticks/s', statistic: cloudwatch.Stats.AVERAGE }),
        new cloudwatch.MathExpression({ expression: 'points / PERIOD(points)', usingMetrics: { points }, label: 'evaluated points/s', period: ONE_MINUTE }),
      ]),
      graph('Batch latency (ms)', [
        evaluatorMetric('BatchAgeMs', { statistic: cloudwatch.Stats.AVERAGE, label: 'batch age at evaluation, avg' }),
        evaluatorMetric('BatchAgeMs', { statistic: cloudwatch.Stats.p(99), label: 'batch age at evaluation, p99' }),
        props.evaluator.fn.metricDuration({ statistic: cloudwatch.Stats.p(99), period: ONE_MINUTE, label: 'evaluator duration, p99' }),
      ]),
      graph('Alerts', [
        evaluatorMetric('AlertsFired', { label: 'fired' }),
        evaluatorMetric('AlertsClaimed', { label: 'claimed' }),
        evaluatorMetric('AlertsDuplicate', { label: 'duplicate (retried batch)' }),
      ]),
    );
    dashboard.addWidgets(
      graph('Deliveries sent, by channel', [deliveries('DeliveriesSent')]),
      graph('Deliveries failed and retried, by channel', [deliveries('DeliveriesFailed'), deliveries('DeliveriesRetried')]),
      graph('Tick to delivery, p99 (ms), by channel', [deliveries('TickToDeliveryMs', 'p99')]),
    );
    dashboard.addWidgets(
      graph(
        'Delivery queues: waiting messages (dead-letter queues right)',
        DELIVERY_QUEUE_NAMES.map((name) => props.delivery.queues[name].metricApproximateNumberOfMessagesVisible({ label: name, period: ONE_MINUTE })),
        {
          right: DELIVERY_QUEUE_NAMES.map((name) =>
            props.delivery.deadLetterQueues[name].metricApproximateNumberOfMessagesVisible({ label: `${name} DLQ`, period: ONE_MINUTE }),
          ),
        },
      ),
      graph('HTTP API requests and errors', [
        props.httpApi.metricCount({ period: FIVE_MINUTES, label: 'requests' }),
        props.httpApi.metricClientError({ period: FIVE_MINUTES, label: '4xx' }),
        props.httpApi.metricServerError({ period: FIVE_MINUTES, label: '5xx' }),
      ]),
      graph('Function errors', [
        props.evaluator.fn.metricErrors({ period: FIVE_MINUTES, label: 'evaluator' }),
        props.delivery.notifier.fn.metricErrors({ period: FIVE_MINUTES, label: 'notifier' }),
        props.outboxSweeper.fn.metricErrors({ period: FIVE_MINUTES, label: 'outbox sweeper' }),
      ]),
    );
    dashboard.addWidgets(
      graph('Ingest task CPU and memory (%)', [
        props.ingestService.metricCpuUtilization({ period: ONE_MINUTE, label: 'CPU' }),
        props.ingestService.metricMemoryUtilization({ period: ONE_MINUTE, label: 'memory' }),
      ]),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 16, height: 6 }),
    );
    return dashboard;
  }
}

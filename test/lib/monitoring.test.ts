import { describe, expect, it } from 'vitest';
import { DELIVERY_QUEUE_NAMES } from '../../lib/constructs/alert-delivery';
import { FEED_METRICS } from '../../lib/constructs/feed-watchdog';
import { marketHoursExpression } from '../../lib/constructs/monitoring';
import { EVALUATOR_LAG_ALARM_SECONDS, HEARTBEAT_STALE_SECONDS, NO_TICKS_STALE_SECONDS } from '../../lib/feed-thresholds';
import { nagFindings, stockAlertsStack } from './stack-fixture';

const { stack, template } = stockAlertsStack({ context: { alertEmail: 'ops@example.com' } });
type AlarmProperties = {
  AlarmActions: unknown[];
  OKActions: unknown[];
  MetricName?: string;
  Namespace?: string;
  Threshold: number;
  ComparisonOperator: string;
  EvaluationPeriods: number;
  TreatMissingData: string;
  Metrics?: { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string } } }[];
  Dimensions?: { Name: string; Value: unknown }[];
};
const alarmsOf = (t: typeof template): Record<string, AlarmProperties> =>
  Object.fromEntries(
    Object.entries(t.findResources('AWS::CloudWatch::Alarm')).map(([id, alarm]) => [
      id.replace(/^Monitoring/, '').replace(/[0-9A-F]{8}$/, ''),
      (alarm as { Properties: AlarmProperties }).Properties,
    ]),
  );
const alarms = alarmsOf(template);
const topic = Object.keys(template.findResources('AWS::SNS::Topic'))[0];

describe('Monitoring', () => {
  it('has the feed, function, dead-letter and task alarms', () => {
    expect(Object.keys(alarms).sort()).toEqual(
      [
        'FeedHeartbeatStale',
        'FeedDisconnected',
        'NoTicksDuringMarketHours',
        'EvaluatorLagging',
        'SymbolsUnwatched',
        'EvaluatorErrors',
        'NotifierErrors',
        'OutboxSweeperErrors',
        ...DELIVERY_QUEUE_NAMES.map((name) => `${name[0]?.toUpperCase()}${name.slice(1)}DeadLetterQueueNotEmpty`),
        'IngestTaskNotRunning',
      ].sort(),
    );
  });

  it('notifies the topic on alarm and on recovery, and subscribes the alert email', () => {
    for (const [name, alarm] of Object.entries(alarms)) {
      expect(alarm.AlarmActions, name).toEqual([{ Ref: topic }]);
      expect(alarm.OKActions, name).toEqual([{ Ref: topic }]);
    }
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: { Ref: topic } });
  });

  it('calls the feed stale when the heartbeat is older than GET /health allows, or missing', () => {
    expect(alarms.FeedHeartbeatStale).toMatchObject({
      MetricName: FEED_METRICS.heartbeatAge,
      Threshold: HEARTBEAT_STALE_SECONDS,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('by default looks for trades only while a subscribed symbol\'s exchange is in its regular session', () => {
    const alarm = alarms.NoTicksDuringMarketHours;
    expect(alarm?.Threshold).toBe(NO_TICKS_STALE_SECONDS);
    const expression = alarm?.Metrics?.find((m) => m.Expression !== undefined)?.Expression;
    expect(expression).toBe(marketHoursExpression('sessions'));
    expect(expression).toBe('IF(open > 0, age, 0)');
    expect(alarm?.Metrics?.map((m) => m.MetricStat?.Metric.MetricName).filter(Boolean).sort()).toEqual([FEED_METRICS.lastTickAge, FEED_METRICS.openSubscribed].sort());
    expect(alarm?.TreatMissingData).toBe('notBreaching');
  });

  it('with marketHoursUtc START-END looks for trades only on weekdays inside those UTC hours, and only with symbols subscribed', () => {
    const alarm = alarmsOf(stockAlertsStack({ context: { marketHoursUtc: '15-20' } }).template).NoTicksDuringMarketHours;
    const expression = alarm?.Metrics?.find((m) => m.Expression !== undefined)?.Expression;
    expect(expression).toBe(marketHoursExpression({ startHour: 15, endHour: 20 }));
    expect(expression).toBe('IF(DAY(age) <= 5 && HOUR(age) >= 15 && HOUR(age) < 20 && subscribed > 0, age, 0)');
    expect(alarm?.Metrics?.map((m) => m.MetricStat?.Metric.MetricName).filter(Boolean).sort()).toEqual([FEED_METRICS.lastTickAge, FEED_METRICS.subscribed].sort());
    expect(alarm?.TreatMissingData).toBe('notBreaching');
  });

  it('alarms on evaluator lag past a minute, as docs/ingest.md suggests', () => {
    expect(alarms.EvaluatorLagging).toMatchObject({ MetricName: FEED_METRICS.evaluatorLag, Threshold: EVALUATOR_LAG_ALARM_SECONDS });
  });

  it('alarms on evaluator errors and on any message in a dead-letter queue', () => {
    expect(alarms.EvaluatorErrors).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Threshold: 5 });
    for (const name of DELIVERY_QUEUE_NAMES) {
      expect(alarms[`${name[0]?.toUpperCase()}${name.slice(1)}DeadLetterQueueNotEmpty`]).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  it('reads a service without CPU samples as no task running', () => {
    expect(alarms.IngestTaskNotRunning).toMatchObject({
      Namespace: 'AWS/ECS',
      MetricName: 'CPUUtilization',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
    });
  });

  it('leaves the market-hours alarm out when marketHoursUtc is off', () => {
    const off = stockAlertsStack({ context: { marketHoursUtc: 'off' } }).template;
    expect(Object.keys(off.findResources('AWS::CloudWatch::Alarm')).some((id) => id.includes('NoTicks'))).toBe(false);
  });

  it('has a dashboard with ticks per second, batch latency, alerts fired and deliveries by channel', () => {
    const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0] as { Properties: { DashboardBody: unknown } };
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const text of ['Ticks per second: received from the feed', FEED_METRICS.ticksPerSecond, 'points / PERIOD(points)', 'Batch latency', 'BatchAgeMs', 'AlertsFired', 'DeliveriesSent', 'DeliveriesFailed', 'DeliveriesRetried']) {
      expect(body).toContain(text);
    }
  });

  it('passes cdk-nag AwsSolutions, the unencrypted alarm topic acknowledged with a reason', () => {
    expect(nagFindings(stack.monitoring)).toEqual([]);
  });
});

import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { FEED_METRIC_DATA_EXPRESSION, FEED_METRICS, FeedWatchdog } from '../../lib/constructs/feed-watchdog';
import { Storage } from '../../lib/constructs/storage';
import { heartbeatKey } from '../../storage/item-keys';
import { nagFindings, statementsOfRole, testStack } from './stack-fixture';

const stack = testStack();
const storage = new Storage(stack, 'Storage');
new FeedWatchdog(stack, 'Watchdog', { storage, logRetention: RetentionDays.ONE_MONTH });
const template = Template.fromStack(stack);
const stateMachine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0] as {
  Properties: { StateMachineType: string; DefinitionString: unknown; LoggingConfiguration: { Level: string } };
};
const definition = JSON.stringify(stateMachine.Properties.DefinitionString);

/** Evaluates a `{% … %}` expression as Step Functions would, with `$states` bound. */
async function evaluate(expression: string, states: Record<string, unknown>): Promise<unknown> {
  const body = /^\{%([\s\S]*)%\}$/.exec(expression.trim())?.[1];
  if (body === undefined) throw new Error('not a JSONata template');
  return jsonata(body).evaluate(undefined, { states });
}

const ENTERED = '2026-03-02T14:30:00.000Z';
const now = Date.parse(ENTERED);
const metricData = async (item: Record<string, unknown>) =>
  (await evaluate(FEED_METRIC_DATA_EXPRESSION, { input: { Item: item }, context: { State: { EnteredTime: ENTERED } } })) as {
    MetricName: string;
    Value: number;
    Unit: string;
    Dimensions: unknown;
  }[];
const valueOf = (data: { MetricName: string; Value: number }[], name: string) => data.find((d) => d.MetricName === name)?.Value;

describe('FeedWatchdog', () => {
  it('runs an Express workflow once a minute', () => {
    expect(stateMachine.Properties.StateMachineType).toBe('EXPRESS');
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)', State: 'ENABLED' });
  });

  it('reads the heartbeat item by its key and publishes the metrics computed from it', () => {
    for (const [name, value] of Object.entries(heartbeatKey())) expect(definition).toContain(`\\"${name}\\":{\\"S\\":\\"${value}\\"}`);
    expect(definition).toContain('aws-sdk:cloudwatch:putMetricData');
    for (const name of Object.values(FEED_METRICS)) expect(definition).toContain(name);
  });

  it('turns a live heartbeat into ages in seconds, the connection flag and the symbol counts', async () => {
    const data = await metricData({
      PK: { S: 'HEARTBEAT' },
      SK: { S: 'ingest' },
      connected: { BOOL: true },
      lastTickAt: { N: String(now - 2_500) },
      ticksPerSecond: { N: '412.5' },
      subscribed: { N: '12' },
      openSubscribed: { N: '9' },
      unwatched: { L: [{ S: 'AAPL$US' }, { S: '700$HK' }] },
      lagMs: { N: '150' },
      updatedAt: { N: String(now - 4_000) },
    });
    expect(data.map((d) => [d.MetricName, d.Value, d.Unit])).toEqual([
      [FEED_METRICS.heartbeatAge, 4, 'Seconds'],
      [FEED_METRICS.lastTickAge, 2.5, 'Seconds'],
      [FEED_METRICS.connected, 1, 'None'],
      [FEED_METRICS.ticksPerSecond, 412.5, 'Count/Second'],
      [FEED_METRICS.subscribed, 12, 'Count'],
      [FEED_METRICS.openSubscribed, 9, 'Count'],
      [FEED_METRICS.unwatched, 2, 'Count'],
      [FEED_METRICS.evaluatorLag, 0.15, 'Seconds'],
    ]);
    for (const d of data) expect(d.Dimensions).toEqual([{ Name: 'service', Value: 'feed-watchdog' }]);
  });

  it('reads a task that has seen no trade yet and is disconnected as "no trade for a week", connected 0, no lag', async () => {
    const data = await metricData({
      connected: { BOOL: false },
      lastTickAt: { NULL: true },
      subscribed: { N: '0' },
      unwatched: { L: [] },
      lagMs: { NULL: true },
      updatedAt: { N: String(now - 1_000) },
    });
    expect(valueOf(data, FEED_METRICS.lastTickAge)).toBe(7 * 24 * 3600);
    expect(valueOf(data, FEED_METRICS.connected)).toBe(0);
    expect(valueOf(data, FEED_METRICS.unwatched)).toBe(0);
    expect(valueOf(data, FEED_METRICS.evaluatorLag)).toBe(0);
  });

  it('never reports a negative age when the task’s clock is ahead', async () => {
    const data = await metricData({ connected: { BOOL: true }, updatedAt: { N: String(now + 3_000) }, lastTickAt: { N: String(now + 1_000) } });
    expect(valueOf(data, FEED_METRICS.heartbeatAge)).toBe(0);
    expect(valueOf(data, FEED_METRICS.lastTickAge)).toBe(0);
  });

  it('publishes nothing when there is no heartbeat item, so the alarms see missing data', async () => {
    expect(await evaluate('{% $exists($states.input.Item) %}', { input: {} })).toBe(false);
    expect(await evaluate('{% $exists($states.input.Item) %}', { input: { Item: {} } })).toBe(true);
    expect(definition).toContain('$exists($states.input.Item)');
  });

  it('may read only the table and put metrics only in its namespace', () => {
    const statements = statementsOfRole(template, 'WatchdogStateMachineRole');
    expect(statements).toContainEqual(expect.objectContaining({ Action: 'dynamodb:GetItem' }));
    expect(statements).toContainEqual(
      expect.objectContaining({ Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'StockAlerts' } } }),
    );
    expect(statements.flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('dynamodb:'))).toEqual(['dynamodb:GetItem']);
  });

  it('logs its errors, and passes cdk-nag AwsSolutions with the logging level acknowledged', () => {
    expect(stateMachine.Properties.LoggingConfiguration.Level).toBe('ERROR');
    expect(nagFindings(stack)).toEqual([]);
  });
});

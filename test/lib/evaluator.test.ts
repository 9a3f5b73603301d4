import { Match, Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { loadEvaluatorConfig } from '../../functions/shared/config';
import { readConfig as readIngestConfig } from '../../ingest-task/src/config';
import { AlertDelivery, DELIVERY_QUEUE_NAMES } from '../../lib/constructs/alert-delivery';
import { DashboardSocket } from '../../lib/constructs/dashboard-socket';
import { EVALUATOR_MEMORY_MB, EVALUATOR_TIMEOUT, Evaluator } from '../../lib/constructs/evaluator';
import { Storage } from '../../lib/constructs/storage';
import { ACTIVE_RULES_BY_SYMBOL_INDEX, DELIVERY_OUTBOX_INDEX } from '../../storage/table-definition';
import { functionProperties, nagFindings, resourcesOf, sampleEnvironment, statementsOfRole, testStack } from './stack-fixture';

const stack = testStack();
const storage = new Storage(stack, 'Storage');
const socket = new DashboardSocket(stack, 'Socket', { storage, throttle: { rateLimit: 10, burstLimit: 20 }, logRetention: RetentionDays.ONE_MONTH });
const delivery = new AlertDelivery(stack, 'Delivery', { storage, socket, sender: undefined, logRetention: RetentionDays.ONE_MONTH });
new Evaluator(stack, 'Evaluator', { storage, delivery, logRetention: RetentionDays.ONE_MONTH });
const template = Template.fromStack(stack);
const statements = statementsOfRole(template, 'EvaluatorRole');
const tableId = Object.keys(template.findResources('AWS::DynamoDB::GlobalTable'))[0];

describe('Evaluator', () => {
  it('is an ARM64 Node.js 22 function with 512 MB for its CPU-bound engine', () => {
    const fn = functionProperties(template, 'EvaluatorFunction');
    expect([fn.Runtime, fn.Architectures, fn.MemorySize]).toEqual(['nodejs22.x', ['arm64'], EVALUATOR_MEMORY_MB]);
  });

  it('times out before the ingest task gives up on an invocation (EVALUATOR_TIMEOUT_MS)', () => {
    const ingestTimeoutMs = readIngestConfig({ ITICK_TOKEN: 't', EVALUATOR_FUNCTION_NAME: 'f', TABLE_NAME: 't' }).evaluator.timeoutMs;
    expect(functionProperties(template, 'EvaluatorFunction').Timeout).toBe(EVALUATOR_TIMEOUT.toSeconds());
    expect(EVALUATOR_TIMEOUT.toMilliseconds()).toBeLessThan(ingestTimeoutMs);
  });

  it('gets the table and the four queue URLs as settings its configuration accepts', () => {
    const env = sampleEnvironment(template, functionProperties(template, 'EvaluatorFunction').Environment.Variables);
    const config = loadEvaluatorConfig(env);
    expect(Object.keys(config.queueUrls).sort()).toEqual([...DELIVERY_QUEUE_NAMES].sort());
    expect(new Set(Object.values(config.queueUrls)).size).toBe(DELIVERY_QUEUE_NAMES.length);
  });

  it('may query the table, the active-rules and the outbox indexes, write claims, and send to the delivery queues: nothing more', () => {
    const table = { 'Fn::GetAtt': [tableId, 'Arn'] };
    // Partitions and conditions: test/lib/least-privilege.test.ts.
    const onTable = statements.filter((s) => JSON.stringify(s.Resource) === JSON.stringify(table)).flatMap((s) => [s.Action].flat());
    expect([...new Set(onTable)].sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    for (const index of [ACTIVE_RULES_BY_SYMBOL_INDEX.indexName, DELIVERY_OUTBOX_INDEX.indexName]) {
      expect(statements).toContainEqual(expect.objectContaining({ Action: 'dynamodb:Query', Resource: { 'Fn::Join': ['', [table, `/index/${index}`]] } }));
    }
    const sqs = statements.find((s) => [s.Action].flat().includes('sqs:SendMessage'));
    expect(resourcesOf(sqs ?? { Effect: '', Action: [], Resource: [] })).toHaveLength(DELIVERY_QUEUE_NAMES.length);
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.filter((a) => !/^(dynamodb|sqs|logs):/.test(a))).toEqual([]);
    expect(actions).not.toContain('dynamodb:DeleteItem');
    expect(actions).not.toContain('dynamodb:Scan');
  });

  it('runs the outbox sweeper every minute with the same settings', () => {
    const sweeper = functionProperties(template, 'EvaluatorOutboxSweeperFunction');
    expect([sweeper.Runtime, sweeper.Architectures]).toEqual(['nodejs22.x', ['arm64']]);
    expect(() => loadEvaluatorConfig(sampleEnvironment(template, sweeper.Environment.Variables))).not.toThrow();
    const sweeperId = Object.keys(template.findResources('AWS::Lambda::Function')).find((id) => id.startsWith('EvaluatorOutboxSweeperFunction'));
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [sweeperId, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0 } })],
    });
  });

  it('lets the sweeper query only the outbox index and update what it queued', () => {
    const sweeper = statementsOfRole(template, 'EvaluatorOutboxSweeperRole');
    const table = { 'Fn::GetAtt': [tableId, 'Arn'] };
    expect(sweeper).toContainEqual(expect.objectContaining({ Action: 'dynamodb:UpdateItem', Resource: table }));
    expect(sweeper).toContainEqual(
      expect.objectContaining({ Action: 'dynamodb:Query', Resource: { 'Fn::Join': ['', [table, `/index/${DELIVERY_OUTBOX_INDEX.indexName}`]] } }),
    );
    expect(sweeper.flatMap((s) => [s.Action].flat()).filter((a) => !/^(dynamodb:(Query|UpdateItem)|sqs:(SendMessage|GetQueueAttributes|GetQueueUrl)|logs:(CreateLogStream|PutLogEvents))$/.test(a))).toEqual([]);
  });

  it('passes cdk-nag AwsSolutions', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

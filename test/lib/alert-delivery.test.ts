import { Match, Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { telegramChannel } from '../../core/channels/telegram';
import { loadNotifierConfig } from '../../functions/shared/config';
import {
  AlertDelivery,
  DELIVERY_MAX_ATTEMPTS,
  DELIVERY_QUEUE_NAMES,
  NOTIFIER_TIMEOUT,
} from '../../lib/constructs/alert-delivery';
import { DashboardSocket } from '../../lib/constructs/dashboard-socket';
import { Storage } from '../../lib/constructs/storage';
import { functionProperties, nagFindings, resourcesOf, sampleEnvironment, statementsOfRole, testStack } from './stack-fixture';

function deliveryStack(sender: { kind: 'email' | 'domain'; identity: string; fromAddress: string } | undefined) {
  const stack = testStack();
  const storage = new Storage(stack, 'Storage');
  const socket = new DashboardSocket(stack, 'Socket', { storage, throttle: { rateLimit: 10, burstLimit: 20 }, logRetention: RetentionDays.ONE_MONTH });
  const delivery = new AlertDelivery(stack, 'Delivery', { storage, socket, sender, logRetention: RetentionDays.ONE_MONTH });
  return { stack, delivery, template: Template.fromStack(stack) };
}

const { stack, delivery, template } = deliveryStack({ kind: 'email', identity: 'alerts@example.com', fromAddress: 'alerts@example.com' });
const queues = template.findResources('AWS::SQS::Queue') as Record<string, { Properties: Record<string, unknown> }>;
const notifierStatements = statementsOfRole(template, 'DeliveryNotifierRole');

describe('AlertDelivery', () => {
  it('has one queue per delivery kind, each with its own dead-letter queue', () => {
    expect(Object.keys(queues)).toHaveLength(DELIVERY_QUEUE_NAMES.length * 2);
    for (const name of DELIVERY_QUEUE_NAMES) {
      const queue = stack.getLogicalId(delivery.queues[name].node.defaultChild as never);
      const dlq = stack.getLogicalId(delivery.deadLetterQueues[name].node.defaultChild as never);
      expect(queues[queue]?.Properties.RedrivePolicy, name).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: DELIVERY_MAX_ATTEMPTS + 2 });
      expect(queues[dlq]?.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    }
  });

  it('encrypts every queue and refuses requests without TLS', () => {
    for (const [id, queue] of Object.entries(queues)) expect(queue.Properties.SqsManagedSseEnabled, id).toBe(true);
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(Object.keys(queues).length);
    for (const policy of policies) {
      expect(JSON.stringify(policy)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('hides a message for six times the notifier’s timeout, as SQS event sources need', () => {
    for (const name of DELIVERY_QUEUE_NAMES) {
      const queue = queues[stack.getLogicalId(delivery.queues[name].node.defaultChild as never)];
      expect(queue?.Properties.VisibilityTimeout).toBe(NOTIFIER_TIMEOUT.toSeconds() * 6);
    }
  });

  it('feeds the notifier from all four queues with partial batch failures, Telegram at most two at a time', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', DELIVERY_QUEUE_NAMES.length);
    template.allResourcesProperties('AWS::Lambda::EventSourceMapping', { FunctionResponseTypes: ['ReportBatchItemFailures'], BatchSize: 10 });
    const telegramQueue = stack.getLogicalId(delivery.queues.telegram.node.defaultChild as never);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [telegramQueue, 'Arn'] },
      ScalingConfig: { MaximumConcurrency: telegramChannel.queue.maxConcurrency },
    });
  });

  it('gives the notifier settings its configuration accepts, the token’s secret ARN and never the token', () => {
    const { Environment, Runtime, Architectures, Timeout } = functionProperties(template, 'DeliveryNotifierFunction');
    expect([Runtime, Architectures, Timeout]).toEqual(['nodejs22.x', ['arm64'], NOTIFIER_TIMEOUT.toSeconds()]);
    const env = sampleEnvironment(template, Environment.Variables);
    const config = loadNotifierConfig(env);
    expect(config).toMatchObject({ alertFromEmail: 'alerts@example.com', deliveryMaxAttempts: DELIVERY_MAX_ATTEMPTS, webhookTimeoutMs: 5000 });
    expect(config.telegramBotTokenSecretArn).toMatch(/^arn:aws:secretsmanager:/);
    expect(config.websocketManagementEndpoint).toBe('https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/live');
    expect(Environment.Variables.TELEGRAM_BOT_TOKEN).toBeUndefined();
  });

  it('creates the Telegram secret without a value: nothing of the token is in the template', () => {
    const secrets = Object.values(template.findResources('AWS::SecretsManager::Secret')) as { Properties: Record<string, unknown> }[];
    expect(secrets).toHaveLength(1);
    expect(secrets[0]?.Properties.SecretString).toBeUndefined();
    expect(secrets[0]?.Properties.GenerateSecretString).toBeUndefined();
  });

  it('lets the notifier read only its secret, send only as the configured sender and post only to dashboard connections', () => {
    const secretId = Object.keys(template.findResources('AWS::SecretsManager::Secret'))[0];
    expect(notifierStatements).toContainEqual({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: secretId } });
    expect(notifierStatements).toContainEqual(
      expect.objectContaining({
        Action: ['ses:SendEmail', 'ses:SendRawEmail'],
        Condition: { StringEquals: { 'ses:FromAddress': 'alerts@example.com' } },
      }),
    );
    expect(notifierStatements).toContainEqual(expect.objectContaining({ Action: 'execute-api:ManageConnections' }));
    const tableActions = notifierStatements.flatMap((s) => [s.Action].flat().filter((a) => a.startsWith('dynamodb:')));
    expect([...new Set(tableActions)].sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    for (const statement of notifierStatements) expect(resourcesOf(statement)).not.toContain('*');
  });

  it('creates the SES identity for the sender', () => {
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'alerts@example.com' });
  });

  it('without a sender: no identity, no permission to send, no From address', () => {
    const bare = deliveryStack(undefined);
    bare.template.resourceCountIs('AWS::SES::EmailIdentity', 0);
    expect(JSON.stringify(statementsOfRole(bare.template, 'DeliveryNotifierRole'))).not.toContain('ses:');
    expect(functionProperties(bare.template, 'DeliveryNotifierFunction').Environment.Variables.ALERT_FROM_EMAIL).toBeUndefined();
    expect(nagFindings(bare.stack)).toEqual([]);
  });

  it('with a domain sender: a domain identity (DKIM) and alerts@domain as the From address', () => {
    const domain = deliveryStack({ kind: 'domain', identity: 'example.com', fromAddress: 'alerts@example.com' });
    domain.template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'example.com', DkimSigningAttributes: Match.absent() });
    expect(functionProperties(domain.template, 'DeliveryNotifierFunction').Environment.Variables.ALERT_FROM_EMAIL).toBe('alerts@example.com');
  });

  it('passes cdk-nag AwsSolutions, each wildcard and the secret’s rotation acknowledged with a reason', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

/**
 * Getting a claimed alert to people and machines: one SQS queue per registered channel type
 * (core/channels/registry.ts: email, Telegram, webhook, dashboard push), so that a slow or failing
 * channel never holds up another; each with its own dead-letter queue; the notifier Lambda behind
 * all of them; the SES sender identity; the Telegram bot token's secret. docs/notifications.md
 * describes the senders.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { channelDefinition, DELIVERY_CHANNEL_TYPES, queueUrlSetting, type DeliveryChannelType } from '../../core/channels/registry';
import { DELIVERY_MAX_ATTEMPTS, DELIVERY_VISIBILITY_TIMEOUT_SECONDS, MAX_RECEIVE_COUNT, NOTIFIER_TIMEOUT_SECONDS } from '../../functions/shared/delivery-queue-settings';
import { FUNCTION_ENTRIES } from '../function-entries';
import { acknowledgeWildcardResource } from '../nag-acknowledgements';
import type { SenderConfig } from '../stack-config';
import { AppFunction } from './app-function';
import type { DashboardSocket } from './dashboard-socket';
import { TABLE_ACCESS } from '../table-access';
import type { Storage } from './storage';

/** Each registered channel type (core/channels/registry.ts) has a queue named for it. */
export type DeliveryQueueName = DeliveryChannelType;
export const DELIVERY_QUEUE_NAMES: readonly DeliveryQueueName[] = DELIVERY_CHANNEL_TYPES;

export { DELIVERY_MAX_ATTEMPTS, MAX_RECEIVE_COUNT };
/** Per-attempt webhook timeout (WEBHOOK_TIMEOUT_MS); {@link NOTIFIER_TIMEOUT} leaves room for three attempts and their backoff. */
export const WEBHOOK_TIMEOUT_MS = 5_000;
/** The notifier's timeout (functions/shared/delivery-queue-settings.ts says why this long). */
export const NOTIFIER_TIMEOUT = Duration.seconds(NOTIFIER_TIMEOUT_SECONDS);
/** The delivery queues' visibility timeout, the same locally. */
export const DELIVERY_VISIBILITY_TIMEOUT = Duration.seconds(DELIVERY_VISIBILITY_TIMEOUT_SECONDS);

/**
 * The channel's cap on notifier instances for its queue, when its definition sets one: Telegram's,
 * whose sends take slots on the lanes shared by every instance (storage/send-pacing-repository.ts).
 */
function channelMaxConcurrency(name: DeliveryQueueName): number | undefined {
  const { queue } = channelDefinition(name);
  return 'maxConcurrency' in queue ? queue.maxConcurrency : undefined;
}

/** Lambda's least maxConcurrency of an SQS event source. */
export const MIN_EVENT_SOURCE_CONCURRENCY = 2;

/**
 * Each queue's event-source maxConcurrency. Without a reservation: the channel's cap, if any.
 * With one: the queues without a cap share what the capped ones leave, so the pollers together
 * never ask for more instances than are reserved (more would throttle and push messages towards
 * the dead-letter queues instead of waiting in the queue).
 */
export function eventSourceConcurrency(reserved: number | undefined): Record<DeliveryQueueName, number | undefined> {
  const caps = Object.fromEntries(DELIVERY_QUEUE_NAMES.map((name) => [name, channelMaxConcurrency(name)])) as Record<DeliveryQueueName, number | undefined>;
  if (reserved === undefined) return caps;
  const uncapped = DELIVERY_QUEUE_NAMES.filter((name) => caps[name] === undefined);
  const left = reserved - DELIVERY_QUEUE_NAMES.reduce((sum, name) => sum + (caps[name] ?? 0), 0);
  const share = uncapped.length === 0 ? 0 : Math.floor(left / uncapped.length);
  if (uncapped.length > 0 && share < MIN_EVENT_SOURCE_CONCURRENCY) {
    throw new Error(`a notifier reservation of ${reserved} leaves fewer than ${MIN_EVENT_SOURCE_CONCURRENCY} instances per delivery queue`);
  }
  return Object.fromEntries(DELIVERY_QUEUE_NAMES.map((name) => [name, caps[name] ?? share])) as Record<DeliveryQueueName, number | undefined>;
}

export interface AlertDeliveryProps {
  readonly storage: Storage;
  readonly socket: DashboardSocket;
  /** Unset: no SES identity and no permission to send email. */
  readonly sender: SenderConfig | undefined;
  readonly logRetention: logs.RetentionDays;
  /** The notifier's reserved concurrency (context notifierReservedConcurrency); unset: none. */
  readonly reservedConcurrency?: number | undefined;
}

export class AlertDelivery extends Construct {
  readonly queues: Readonly<Record<DeliveryQueueName, sqs.Queue>>;
  readonly deadLetterQueues: Readonly<Record<DeliveryQueueName, sqs.Queue>>;
  readonly notifier: AppFunction;
  /** Filled by the user after deployment; empty (no value at all) until then. */
  readonly telegramBotToken: secretsmanager.ISecret;
  readonly senderIdentity: ses.EmailIdentity | undefined;

  constructor(scope: Construct, id: string, props: AlertDeliveryProps) {
    super(scope, id);
    const queues = {} as Record<DeliveryQueueName, sqs.Queue>;
    const deadLetterQueues = {} as Record<DeliveryQueueName, sqs.Queue>;
    for (const name of DELIVERY_QUEUE_NAMES) {
      const title = name[0]?.toUpperCase() + name.slice(1);
      // One DLQ per queue: the alarm then says which channel is failing, and a redrive goes back to the right queue.
      deadLetterQueues[name] = new sqs.Queue(this, `${title}DeadLetterQueue`, {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        removalPolicy: RemovalPolicy.DESTROY,
      });
      queues[name] = new sqs.Queue(this, `${title}Queue`, {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        visibilityTimeout: DELIVERY_VISIBILITY_TIMEOUT,
        deadLetterQueue: { queue: deadLetterQueues[name], maxReceiveCount: MAX_RECEIVE_COUNT },
        removalPolicy: RemovalPolicy.DESTROY,
      });
    }
    this.queues = queues;
    this.deadLetterQueues = deadLetterQueues;

    // An L1 secret with neither SecretString nor GenerateSecretString is created without a value
    // (no version) until the user puts the token; until then GetSecretValue answers
    // ResourceNotFoundException, which the notifier takes as "Telegram not configured".
    const telegramSecret = new secretsmanager.CfnSecret(this, 'TelegramBotToken', {
      description: 'stock-alerts: the Telegram bot token from @BotFather. Put it with `aws secretsmanager put-secret-value` (docs/deploy.md).',
    });
    Validations.of(telegramSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'A third-party token: it is rotated at @BotFather, not by Secrets Manager; docs/deploy.md says how to replace it.',
    });
    this.telegramBotToken = secretsmanager.Secret.fromSecretCompleteArn(this, 'TelegramBotTokenRef', telegramSecret.ref);

    this.senderIdentity =
      props.sender === undefined
        ? undefined
        : new ses.EmailIdentity(this, 'Sender', {
            identity: props.sender.kind === 'email' ? ses.Identity.email(props.sender.identity) : ses.Identity.domain(props.sender.identity),
          });

    this.notifier = new AppFunction(this, 'Notifier', {
      entry: FUNCTION_ENTRIES.notifier,
      description: 'Notifier: sends alerts by email, Telegram, webhook and to open dashboards',
      service: 'notifier',
      timeout: NOTIFIER_TIMEOUT,
      logRetention: props.logRetention,
      reservedConcurrency: props.reservedConcurrency,
      environment: {
        TABLE_NAME: props.storage.tableName,
        ...(props.sender === undefined ? {} : { ALERT_FROM_EMAIL: props.sender.fromAddress }),
        // The ARN only: the function reads the token at cold start, so it is in no template or environment.
        TELEGRAM_BOT_TOKEN_SECRET_ARN: this.telegramBotToken.secretArn,
        WEBSOCKET_MANAGEMENT_ENDPOINT: props.socket.managementEndpoint,
        DELIVERY_MAX_ATTEMPTS: String(DELIVERY_MAX_ATTEMPTS),
        WEBHOOK_TIMEOUT_MS: String(WEBHOOK_TIMEOUT_MS),
      },
    });
    const notifier = this.notifier.fn;
    // Read an alert, record a delivery outcome, find and forget dashboard connections, read the owner's webhook secret, take pacing slots (lib/table-access.ts).
    props.storage.grant(notifier, TABLE_ACCESS.notifier);
    props.socket.grantPostToConnection(this.notifier.role);
    notifier.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.telegramBotToken.secretArn] }),
    );
    if (props.sender !== undefined) {
      // In the SES sandbox, SES also authorizes a send against the (verified) recipient's
      // identity, so the resource must cover the account's identities; the condition pins the
      // sender to the configured address.
      const identities = Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: '*' });
      notifier.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['ses:SendEmail', 'ses:SendRawEmail'],
          resources: [identities],
          conditions: { StringEquals: { 'ses:FromAddress': props.sender.fromAddress } },
        }),
      );
      acknowledgeWildcardResource(
        this.notifier.role,
        identities,
        'In the SES sandbox a send is authorized against the recipient identity as well; the ses:FromAddress condition allows only the configured sender.',
      );
    }

    const concurrency = eventSourceConcurrency(props.reservedConcurrency);
    for (const name of DELIVERY_QUEUE_NAMES) {
      // A delivery that waits for its pacing slot goes back on its own queue as a delayed message.
      this.queues[name].grantSendMessages(notifier);
      const maxConcurrency = concurrency[name];
      notifier.addEventSource(
        new SqsEventSource(this.queues[name], {
          batchSize: 10,
          reportBatchItemFailures: true,
          ...(maxConcurrency === undefined ? {} : { maxConcurrency }),
        }),
      );
    }

  }

  /** The queue URLs as the evaluator's settings (EMAIL_QUEUE_URL, …). */
  get queueUrlEnvironment(): Record<string, string> {
    return Object.fromEntries(DELIVERY_QUEUE_NAMES.map((name) => [queueUrlSetting(name), this.queues[name].queueUrl]));
  }

  /** sqs:SendMessage on the four delivery queues. */
  grantSend(grantee: iam.IGrantable): void {
    for (const name of DELIVERY_QUEUE_NAMES) this.queues[name].grantSendMessages(grantee);
  }
}

/**
 * The notifier Lambda: reads delivery messages from the per-channel SQS queues and delivers
 * them (deliver.ts). Reports partial batch failures, so one failing delivery never makes the
 * queue hand out the others again, pushes a retried message back by its backoff, and puts a
 * delivery that waits for its pacing slot back on its queue as a new, delayed message. Made for a
 * configuration: handler.ts is the Lambda entry, the local stack passes its own.
 */
import middy from '@middy/core';
import { ChangeMessageVisibilityCommand, GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { deliveryMessageSchema } from '../../core/delivery/delivery-message';
import { LOCAL_CREDENTIALS } from '../../core/local-credentials';
import type { NotifierConfig } from '../shared/config';
import { errorMessage } from '../shared/error-message';
import { logger } from '../shared/logger';
import { deliver } from './deliver';
import { createNotifierDeps, metrics } from './dependencies';

/** The message attribute that carries a requeued delivery's reserved pacing slot (epoch ms). */
const SLOT_AT_ATTRIBUTE = 'slotAt';

function slotAtOf(record: SQSRecord): number | undefined {
  const value = Number(record.messageAttributes?.[SLOT_AT_ATTRIBUTE]?.stringValue);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** The notifier's handler, with its senders and clients made now (once per Lambda instance). */
export async function createNotifierHandler(config: NotifierConfig) {
  const deps = await createNotifierDeps(config);
  const sqs = new SQSClient({
    region: config.region,
    ...(config.sqsEndpoint === undefined ? {} : { endpoint: config.sqsEndpoint, credentials: LOCAL_CREDENTIALS }),
  });
  const queueUrls = new Map<string, Promise<string | undefined>>();

  /** The queue URL of a record's source queue (from its ARN), looked up once. */
  function queueUrlOf(record: SQSRecord): Promise<string | undefined> {
    let url = queueUrls.get(record.eventSourceARN);
    if (url === undefined) {
      const [, , , , account, name] = record.eventSourceARN.split(':');
      url = sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account })).then((r) => r.QueueUrl);
      queueUrls.set(record.eventSourceARN, url);
    }
    return url;
  }

  async function delay(record: SQSRecord, delayMs: number): Promise<void> {
    try {
      const url = await queueUrlOf(record);
      if (url === undefined) return;
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: record.receiptHandle, VisibilityTimeout: Math.min(43_200, Math.ceil(delayMs / 1000)) }));
    } catch (error) {
      // The queue's own visibility timeout then decides when the message comes back.
      logger.warn('could not set the retry delay of a delivery', { error: errorMessage(error) });
    }
  }

  /**
   * The message again on the record's queue, the whole seconds of `delayMs` from now (SQS delays
   * are whole seconds, at most 15 minutes): it waits out the rest, under a second, when it comes back.
   */
  async function requeue(record: SQSRecord, slotAt: number, delayMs: number): Promise<boolean> {
    try {
      const url = await queueUrlOf(record);
      if (url === undefined) return false;
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: record.body,
          DelaySeconds: Math.min(900, Math.max(1, Math.floor(delayMs / 1000))),
          // An attribute, not a body field: a notifier of an older version reads the body as it always did.
          MessageAttributes: { [SLOT_AT_ATTRIBUTE]: { DataType: 'Number', StringValue: String(slotAt) } },
        }),
      );
      return true;
    } catch (error) {
      // The original then comes back after its visibility timeout, and takes a new slot.
      logger.warn('could not put a paced delivery back on its queue', { error: errorMessage(error) });
      return false;
    }
  }

  async function handleRecord(record: SQSRecord): Promise<SQSBatchItemFailure | null> {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      body = undefined;
    }
    const message = deliveryMessageSchema.safeParse(body);
    if (!message.success) {
      // Not ours to retry: a malformed message would fail the same way forever.
      logger.error('dropped a delivery message that does not match the schema', { messageId: record.messageId });
      return null;
    }
    try {
      const outcome = await deliver(deps, message.data, { slotAt: slotAtOf(record) });
      if ('requeue' in outcome) {
        if (await requeue(record, outcome.requeue.slotAt, outcome.delayMs)) return null;
      } else {
        if (!outcome.retry) return null;
        await delay(record, outcome.delayMs);
      }
    } catch (error) {
      logger.error('delivery failed unexpectedly; the queue will hand it out again', { error: errorMessage(error) });
    }
    return { itemIdentifier: record.messageId };
  }

  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .handler(async (event) => {
      metrics.addMetric('DeliveryMessages', MetricUnit.Count, event.Records.length);
      const results = await Promise.all(event.Records.map(handleRecord));
      return { batchItemFailures: results.filter((r): r is SQSBatchItemFailure => r !== null) };
    });
}

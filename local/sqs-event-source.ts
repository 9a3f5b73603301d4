/**
 * Lambda's SQS event source mapping, played locally for an in-process handler: long-polls a queue
 * with the real SQS client, hands each batch to the handler as a real `SQSEvent`, and settles it
 * the way Lambda does with `ReportBatchItemFailures` on:
 * - the handler returns (nothing or `{ batchItemFailures: [] }`): the whole batch is deleted;
 * - it returns `{ batchItemFailures: [{ itemIdentifier: messageId }, ...] }`: the others are
 *   deleted, the listed ones stay and reappear after their visibility timeout (and go to the
 *   dead-letter queue after the queue's maxReceiveCount);
 * - it throws, times out, or names an id that is not in the batch: nothing is deleted.
 * `stop()` ends the long poll, lets a running batch finish, and resolves.
 */
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { lambdaContext } from './lambda-context';

export type SqsBatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface SqsEventSourceOptions {
  sqs: SQSClient;
  queueUrl: string;
  handler: SqsBatchHandler;
  /** Messages per batch, 1 to 10 (Lambda's default is 10). */
  batchSize?: number;
  /** Seconds of each long poll, 0 to 20. */
  waitTimeSeconds?: number;
  /** Overrides the queue's visibility timeout for received messages (seconds). */
  visibilityTimeoutSeconds?: number;
  /** Pollers working in parallel (Lambda starts with five; one keeps local logs in order). */
  concurrency?: number;
  /** The function's timeout: a batch still running after it counts as failed. */
  timeoutMs?: number;
  functionName?: string;
  /** Told about failures the handler cannot report (receive errors, throws, timeouts). */
  onError?: (error: unknown) => void;
  /** Told how each batch ended. */
  onBatch?: (outcome: BatchOutcome) => void;
}

export interface BatchOutcome {
  messageIds: string[];
  deleted: string[];
  /** Left on the queue to be received again. */
  retried: string[];
  /** The handler threw or timed out. */
  failed: boolean;
}

export interface SqsEventSource {
  /** Batches handled so far. */
  readonly batches: number;
  stop(): Promise<void>;
}

/**
 * @example
 * const source = await startSqsEventSource({ sqs, queueUrl, handler: notifier.handler });
 * await source.stop();
 */
export async function startSqsEventSource(options: SqsEventSourceOptions): Promise<SqsEventSource> {
  const batchSize = options.batchSize ?? 10;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) throw new RangeError('batchSize must be a whole number from 1 to 10');
  const functionName = options.functionName ?? 'local-function';
  const timeoutMs = options.timeoutMs ?? 30_000;
  const region = await options.sqs.config.region();
  const { Attributes } = await options.sqs.send(new GetQueueAttributesCommand({ QueueUrl: options.queueUrl, AttributeNames: ['QueueArn'] }));
  const queueArn = Attributes?.QueueArn ?? options.queueUrl;
  const abort = new AbortController();
  let batches = 0;
  let stopped = false;

  async function poll(): Promise<void> {
    let failures = 0;
    while (!stopped) {
      let messages: Message[];
      try {
        const received = await options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: batchSize,
            WaitTimeSeconds: options.waitTimeSeconds ?? 20,
            ...(options.visibilityTimeoutSeconds === undefined ? {} : { VisibilityTimeout: options.visibilityTimeoutSeconds }),
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: abort.signal },
        );
        messages = received.Messages ?? [];
        failures = 0;
      } catch (error) {
        if (stopped) return;
        options.onError?.(error);
        // The queue is unreachable: back off (up to 5 s) rather than spin.
        failures++;
        await sleep(Math.min(5_000, 100 * 2 ** failures), abort.signal);
        continue;
      }
      if (messages.length > 0) {
        await runBatch(messages);
        batches++;
      }
    }
  }

  async function runBatch(messages: Message[]): Promise<void> {
    const records = messages.map((message) => toRecord(message, queueArn, region));
    const ids = records.map((record) => record.messageId);
    let retried: string[];
    let failed = false;
    try {
      const response = await withTimeout(options.handler({ Records: records }, lambdaContext(functionName, { timeoutMs, memoryMb: 1024, logStream: 'local/sqs-event-source' })), timeoutMs);
      retried = failuresOf(response, ids);
    } catch (error) {
      options.onError?.(error);
      retried = ids;
      failed = true;
    }
    const toDelete = records.filter((record) => !retried.includes(record.messageId));
    if (toDelete.length > 0) {
      try {
        const result = await options.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: options.queueUrl,
            Entries: toDelete.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
          }),
        );
        for (const failure of result.Failed ?? []) options.onError?.(new Error(`could not delete message ${failure.Id}: ${failure.Code} ${failure.Message ?? ''}`));
      } catch (error) {
        options.onError?.(error);
      }
    }
    options.onBatch?.({ messageIds: ids, deleted: toDelete.map((r) => r.messageId), retried, failed });
  }

  const pollers = Array.from({ length: options.concurrency ?? 1 }, () => poll());
  const done = Promise.all(pollers).then(() => undefined);
  let stopping: Promise<void> | undefined;

  return {
    get batches() {
      return batches;
    },
    stop: () => {
      stopping ??= (async () => {
        stopped = true;
        abort.abort();
        await done;
      })();
      return stopping;
    },
  };
}

/**
 * The ids to leave on the queue. Like Lambda: an empty or missing list means all succeeded; an
 * item that names no message of the batch (or is malformed) fails the whole batch.
 */
function failuresOf(response: SQSBatchResponse | void, ids: string[]): string[] {
  if (response === undefined || response === null) return [];
  const items: unknown = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (items === undefined || items === null) return [];
  if (!Array.isArray(items)) return ids;
  const failed: string[] = [];
  for (const item of items as unknown[]) {
    const id = (item as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !ids.includes(id)) return ids;
    failed.push(id);
  }
  return failed;
}

function toRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      dataType: value.DataType ?? 'String',
      ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
      ...(value.BinaryValue === undefined ? {} : { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? '',
      SenderId: attributes.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? '',
      ...(attributes.AWSTraceHeader === undefined ? {} : { AWSTraceHeader: attributes.AWSTraceHeader }),
      ...(attributes.DeadLetterQueueSourceArn === undefined ? {} : { DeadLetterQueueSourceArn: attributes.DeadLetterQueueSourceArn }),
    },
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes === undefined ? {} : { md5OfMessageAttributes: message.MD5OfMessageAttributes }),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}


async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`Task timed out after ${(ms / 1000).toFixed(2)} seconds`), { name: 'Sandbox.Timedout' })), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSqsEventSource, type BatchOutcome, type SqsBatchHandler, type SqsEventSource } from '../../local/sqs-event-source';
import { startSqsServer, type SqsServer } from '../../local/sqs-server';
import { eventually } from '../support/eventually';
import { LOCAL_AWS } from '../support/local-aws';

/** One SQS second lasts 40 ms: a 1-second visibility timeout brings failed messages back quickly. */
let server: SqsServer;
let sqs: SQSClient;
let source: SqsEventSource | undefined;
let queues = 0;

beforeAll(async () => {
  server = await startSqsServer({ secondMs: 40 });
  sqs = new SQSClient({ ...LOCAL_AWS, endpoint: server.endpoint, maxAttempts: 1 });
});
afterEach(async () => {
  await source?.stop();
  source = undefined;
});
afterAll(async () => {
  sqs.destroy();
  await server.close();
});

async function newQueue(attributes: Record<string, string> = {}) {
  const { QueueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: `source-${++queues}`, Attributes: { VisibilityTimeout: '1', ...attributes } }));
  return QueueUrl;
}

async function run(queueUrl: string, handler: SqsBatchHandler, batchSize = 10) {
  const outcomes: BatchOutcome[] = [];
  const errors: unknown[] = [];
  source = await startSqsEventSource({ sqs, queueUrl, handler, batchSize, functionName: 'notifier', onBatch: (o) => outcomes.push(o), onError: (e) => errors.push(e) });
  return { outcomes, errors };
}

async function visibleCount(QueueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
}

describe('the local SQS event source', () => {
  it("hands the handler a real SQSEvent and deletes the batch when it succeeds", async () => {
    const queue = await newQueue();
    await sqs.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: '{"alertId":"a1"}', MessageAttributes: { kind: { DataType: 'String', StringValue: 'alert' } } }));
    const events: SQSEvent[] = [];
    await run(queue, async (event, context) => {
      expect(context.functionName).toBe('notifier');
      events.push(event);
    });
    await eventually(() => events.length === 1, 'one batch');
    const record = events[0]?.Records[0] as SQSRecord;
    expect(record).toMatchObject({
      body: '{"alertId":"a1"}',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:source-${queues}`,
      awsRegion: 'us-east-1',
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: expect.any(String), SenderId: expect.any(String), ApproximateFirstReceiveTimestamp: expect.any(String) },
      messageAttributes: { kind: { dataType: 'String', stringValue: 'alert' } },
      md5OfBody: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    await eventually(async () => (await visibleCount(queue)) === 0, 'the batch to be deleted');
  });

  it('deletes the successes of a partial batch and lets the reported failures come back', async () => {
    const queue = await newQueue();
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: queue, Entries: ['ok-1', 'fail', 'ok-2'].map((body) => ({ Id: body, MessageBody: body })) }));
    const seen: Array<[string, string]> = [];
    await run(queue, async (event) => {
      for (const record of event.Records) seen.push([record.body, record.attributes.ApproximateReceiveCount]);
      const failing = event.Records.filter((r) => r.body === 'fail' && r.attributes.ApproximateReceiveCount === '1');
      return { batchItemFailures: failing.map((r) => ({ itemIdentifier: r.messageId })) };
    });
    await eventually(() => seen.some(([body, count]) => body === 'fail' && count === '2'), 'the failed message to come back');
    expect(seen.filter(([body]) => body.startsWith('ok'))).toEqual([
      ['ok-1', '1'],
      ['ok-2', '1'],
    ]);
    await eventually(async () => (await visibleCount(queue)) === 0, 'the queue to drain');
  });

  it('leaves the whole batch when the handler throws, or names an item that is not in the batch', async () => {
    const queue = await newQueue();
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: queue, Entries: ['a', 'b'].map((body) => ({ Id: body, MessageBody: body })) }));
    let calls = 0;
    const { outcomes, errors } = await run(queue, async () => {
      calls++;
      if (calls === 1) throw new Error('notifier broke');
      if (calls === 2) return { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] };
      return undefined;
    });
    await eventually(() => outcomes.some((o) => o.deleted.length === 2), 'a successful third run');
    expect(outcomes.slice(0, 2).map((o) => [o.failed, o.retried.length, o.deleted.length])).toEqual([
      [true, 2, 0],
      [false, 2, 0],
    ]);
    expect(errors).toEqual([expect.objectContaining({ message: 'notifier broke' })]);
  });

  it('feeds the dead-letter queue once a message has failed maxReceiveCount times', async () => {
    const dlq = await newQueue();
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }));
    const queue = await newQueue({ RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: 3 }) });
    await sqs.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: 'poison' }));
    const receiveCounts: string[] = [];
    await run(queue, async (event) => {
      receiveCounts.push(...event.Records.map((r) => r.attributes.ApproximateReceiveCount));
      return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
    });
    const dead = await eventually(async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq }))).Messages?.[0], 'the dead letter');
    expect(dead.Body).toBe('poison');
    expect(receiveCounts).toEqual(['1', '2', '3']);
  });

  it('respects the batch size', async () => {
    const queue = await newQueue();
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: queue, Entries: Array.from({ length: 5 }, (_, i) => ({ Id: `m${i}`, MessageBody: String(i) })) }));
    const sizes: number[] = [];
    await run(queue, async (event) => void sizes.push(event.Records.length), 2);
    await eventually(() => sizes.reduce((a, b) => a + b, 0) === 5, 'all five messages');
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2);
  });

  it('stops promptly while a long poll is waiting, and lets a running batch finish', async () => {
    const queue = await newQueue();
    let started = false;
    let finished = false;
    await run(queue, async () => {
      started = true;
      await new Promise((resolve) => setTimeout(resolve, 100));
      finished = true;
    });
    await sqs.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: 'x' }));
    await eventually(() => started, 'the batch to start');
    expect(finished).toBe(false);
    await source?.stop();
    expect(finished).toBe(true);
    expect(await visibleCount(queue)).toBe(0);

    // Idle, the poller sits in a 20-second long poll: stop must not wait for it.
    const idle = await newQueue();
    const stopAt = Date.now();
    await run(idle, async () => undefined);
    await source?.stop();
    expect(Date.now() - stopAt).toBeLessThan(2_000);
  });
});

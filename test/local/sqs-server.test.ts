import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  MessageNotInflight,
  QueueDoesNotExist,
  QueueNameExists,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  TooManyEntriesInBatchRequest,
  type Message,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqsServer, type SqsServer } from '../../local/sqs-server';
import { LOCAL_AWS } from '../support/local-aws';

/** One SQS second lasts 50 ms here: visibility timeouts and waits of seconds take a blink. */
const SECOND_MS = 50;
let server: SqsServer;
let sqs: SQSClient;
let queueCount = 0;

beforeAll(async () => {
  server = await startSqsServer({ secondMs: SECOND_MS });
  sqs = new SQSClient({ ...LOCAL_AWS, endpoint: server.endpoint, maxAttempts: 1 });
});
afterAll(async () => {
  sqs.destroy();
  await server.close();
});

async function newQueue(attributes: Record<string, string> = {}): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `queue-${++queueCount}`, Attributes: attributes }));
  return QueueUrl ?? '';
}

const receive = (QueueUrl: string, extra: Partial<ConstructorParameters<typeof ReceiveMessageCommand>[0]> = {}) =>
  sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'], ...extra })).then((r) => r.Messages ?? []);

async function counts(QueueUrl: string) {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
  );
  return { visible: Number(Attributes.ApproximateNumberOfMessages), inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible), delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed) };
}

const later = (sqsSeconds: number) => new Promise((resolve) => setTimeout(resolve, sqsSeconds * SECOND_MS + 10));

describe('the local SQS server, through @aws-sdk/client-sqs', () => {
  it('creates queues idempotently and finds them by name', async () => {
    const url = await newQueue({ VisibilityTimeout: '5' });
    expect(url).toBe(server.queueUrl(`queue-${queueCount}`));
    expect((await sqs.send(new CreateQueueCommand({ QueueName: `queue-${queueCount}`, Attributes: { VisibilityTimeout: '5' } }))).QueueUrl).toBe(url);
    await expect(sqs.send(new CreateQueueCommand({ QueueName: `queue-${queueCount}`, Attributes: { VisibilityTimeout: '6' } }))).rejects.toBeInstanceOf(QueueNameExists);
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: `queue-${queueCount}` }))).QueueUrl).toBe(url);
  });

  it("answers an unknown queue with the SDK's QueueDoesNotExist", async () => {
    const error = await sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueDoesNotExist);
    expect(error).toMatchObject({ name: 'QueueDoesNotExist', message: 'The specified queue does not exist.', $metadata: { httpStatusCode: 400 } });
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: server.queueUrl('nope'), MessageBody: 'x' }))).rejects.toBeInstanceOf(QueueDoesNotExist);
  });

  it('sends, receives and deletes, with the MD5s and attributes the SDK expects', async () => {
    const queue = await newQueue();
    const sent = await sqs.send(
      new SendMessageCommand({ QueueUrl: queue, MessageBody: '{"alertId":"a1"} ✓', MessageAttributes: { channel: { DataType: 'String', StringValue: 'email' } } }),
    );
    expect(sent.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    const [message, ...rest] = await receive(queue, { MessageAttributeNames: ['All'] });
    expect(rest).toEqual([]);
    expect(message).toMatchObject({
      MessageId: sent.MessageId,
      Body: '{"alertId":"a1"} ✓',
      MessageAttributes: { channel: { DataType: 'String', StringValue: 'email' } },
      MD5OfMessageAttributes: sent.MD5OfMessageAttributes,
      Attributes: { ApproximateReceiveCount: '1', SentTimestamp: expect.stringMatching(/^\d+$/), SenderId: expect.any(String) },
    });
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queue, ReceiptHandle: message?.ReceiptHandle }));
    expect(await counts(queue)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it.each([
    // Reference values from the test suites of other SQS implementations (sqslite, sqs-md5 checkers).
    [{ ordinal: { DataType: 'Number', StringValue: '1' }, category: { DataType: 'String', StringValue: 'test' } }, 'd21ae90c49061e927f57df5f5d72be1f'],
    [{ SellerName: { DataType: 'String', StringValue: 'Example Store' } }, 'cd28f3b68aeee4b2eac9c66f2f694b58'],
  ])('computes MD5OfMessageAttributes as SQS does (%j)', async (MessageAttributes, md5) => {
    const queue = await newQueue();
    expect((await sqs.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: 'x', MessageAttributes }))).MD5OfMessageAttributes).toBe(md5);
  });

  it('hides a received message for its visibility timeout, then hands it out again with a higher receive count', async () => {
    const queue = await newQueue({ VisibilityTimeout: '2' });
    await sqs.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: 'once' }));
    const [first] = await receive(queue);
    expect(await receive(queue)).toEqual([]);
    expect(await counts(queue)).toEqual({ visible: 0, inFlight: 1, delayed: 0 });
    await later(2);
    const [second] = await receive(queue);
    expect(second?.MessageId).toBe(first?.MessageId);
    expect(second?.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(second?.ReceiptHandle).not.toBe(first?.ReceiptHandle);
    // The first receive's handle is stale: deleting with it succeeds and deletes nothing, as in SQS.
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queue, ReceiptHandle: first?.ReceiptHandle }));
    expect((await counts(queue)).inFlight).toBe(1);
  });

  it('changes visibility of in-flight messages, one or in a batch', async () => {
    const queue = await newQueue({ VisibilityTimeout: '100' });
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: queue, Entries: [{ Id: 'a', MessageBody: 'a' }, { Id: 'b', MessageBody: 'b' }] }));
    const messages = await receive(queue);
    expect(messages).toHaveLength(2);
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queue, ReceiptHandle: messages[0]?.ReceiptHandle, VisibilityTimeout: 0 }));
    expect((await receive(queue)).map((m) => m.Body)).toEqual(['a']);

    const result = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queue,
        Entries: [
          { Id: 'b', ReceiptHandle: messages[1]?.ReceiptHandle, VisibilityTimeout: 0 },
          { Id: 'stale', ReceiptHandle: messages[0]?.ReceiptHandle, VisibilityTimeout: 0 },
        ],
      }),
    );
    expect(result.Successful).toEqual([{ Id: 'b' }]);
    expect(result.Failed).toEqual([{ Id: 'stale', SenderFault: true, Code: 'InvalidParameterValue', Message: expect.stringContaining('not available for visibility timeout change') }]);
  });

  it('refuses to change the visibility of a message that is not in flight', async () => {
    const queue = await newQueue({ VisibilityTimeout: '1' });
    await sqs.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: 'x' }));
    const [message] = await receive(queue);
    await later(1);
    await expect(sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queue, ReceiptHandle: message?.ReceiptHandle, VisibilityTimeout: 5 }))).rejects.toBeInstanceOf(MessageNotInflight);
  });

  it('deletes in batches and reports per-entry failures', async () => {
    const queue = await newQueue();
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: queue, Entries: ['1', '2', '3'].map((n) => ({ Id: `m${n}`, MessageBody: n })) }));
    const messages = await receive(queue);
    const result = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queue,
        Entries: [...messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })), { Id: 'bad', ReceiptHandle: 'not-a-handle' }],
      }),
    );
    expect(result.Successful).toHaveLength(3);
    expect(result.Failed).toEqual([{ Id: 'bad', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: expect.any(String) }]);
    expect(await counts(queue)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('checks batches as SQS does', async () => {
    const queue = await newQueue();
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' }));
    await expect(sqs.send(new SendMessageBatchCommand({ QueueUrl: queue, Entries: eleven }))).rejects.toBeInstanceOf(TooManyEntriesInBatchRequest);
    await expect(sqs.send(new SendMessageBatchCommand({ QueueUrl: queue, Entries: [{ Id: 'a', MessageBody: 'x' }, { Id: 'a', MessageBody: 'y' }] }))).rejects.toMatchObject({
      name: 'BatchEntryIdsNotDistinct',
    });
    await expect(sqs.send(new ReceiveMessageCommand({ QueueUrl: queue, MaxNumberOfMessages: 11 }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('long-polls: answers as soon as a message arrives, or empty when the wait is over', async () => {
    const queue = await newQueue();
    const started = Date.now();
    expect(await receive(queue, { WaitTimeSeconds: 2 })).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * SECOND_MS - 5);

    const polling = receive(queue, { WaitTimeSeconds: 20 });
    await later(1);
    await sqs.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: 'wake up' }));
    expect((await polling).map((m) => m.Body)).toEqual(['wake up']);
  });

  it('long-polls through a visibility timeout running out', async () => {
    const queue = await newQueue({ VisibilityTimeout: '3' });
    await sqs.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: 'again' }));
    await receive(queue);
    expect((await receive(queue, { WaitTimeSeconds: 20 })).map((m) => m.Attributes?.ApproximateReceiveCount)).toEqual(['2']);
  });

  it('holds back delayed messages, per message or by the queue default', async () => {
    const queue = await newQueue({ DelaySeconds: '2' });
    await sqs.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: 'queue delay' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: 'no delay', DelaySeconds: 0 }));
    expect(await counts(queue)).toEqual({ visible: 1, inFlight: 0, delayed: 1 });
    expect((await receive(queue)).map((m) => m.Body)).toEqual(['no delay']);
    await later(2);
    expect((await receive(queue)).map((m) => m.Body)).toEqual(['queue delay']);
  });

  it('moves a message to the dead-letter queue once it was received maxReceiveCount times', async () => {
    const dlq = await newQueue();
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }));
    const queue = await newQueue({ VisibilityTimeout: '0' });
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queue, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: 2 }) } }));
    await sqs.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: 'poison' }));

    const receivedCounts: string[] = [];
    for (let i = 0; i < 3; i++) {
      for (const message of await receive(queue)) receivedCounts.push(message.Attributes?.ApproximateReceiveCount ?? '');
    }
    expect(receivedCounts).toEqual(['1', '2']);
    const dead: Message[] = await receive(dlq);
    expect(dead.map((m) => [m.Body, m.Attributes?.DeadLetterQueueSourceArn])).toEqual([['poison', expect.stringMatching(/:queue-\d+$/)]]);
  });

  it('refuses a redrive policy to a queue that does not exist', async () => {
    await expect(
      newQueue({ RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:missing', maxReceiveCount: 3 }) }),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });
});

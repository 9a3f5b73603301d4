/**
 * A minimal Amazon SQS on loopback, speaking the AWS JSON 1.0 protocol that @aws-sdk/client-sqs v3
 * uses (`POST /`, `X-Amz-Target: AmazonSQS.<Action>`, `application/x-amz-json-1.0`), so the real
 * client works against it with only `endpoint` changed. Standard queues only, in memory.
 *
 * Actions: CreateQueue, GetQueueUrl, ListQueues, DeleteQueue, PurgeQueue, GetQueueAttributes,
 * SetQueueAttributes, SendMessage(Batch), ReceiveMessage, DeleteMessage(Batch),
 * ChangeMessageVisibility(Batch). Behaviour that matters for a Lambda event source is kept:
 * visibility timeouts, per-message and per-queue DelaySeconds, long polling (WaitTimeSeconds,
 * answering as soon as one message is visible), ApproximateReceiveCount, a RedrivePolicy that
 * moves a message to its dead-letter queue once it has been received maxReceiveCount times,
 * receipt handles that go stale on every new receive (a stale delete succeeds and deletes
 * nothing, as in SQS), body MD5s the SDK checks, and errors in SQS's JSON shape with the
 * `x-amzn-query-error` header the SDK maps to its exception classes.
 * Not modelled: FIFO queues, permissions, tags, encryption, message move tasks; signatures and
 * credentials are not checked.
 *
 * `secondMs` scales SQS's seconds (visibility timeout, delays, waits, retention) for tests: with
 * 50, a 1-second visibility timeout lasts 50 ms. Timestamps stay real epoch milliseconds.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback-server';

export interface SqsServerOptions {
  host?: string;
  /** 0 or unset: a free port. */
  port?: number;
  region?: string;
  accountId?: string;
  /** Milliseconds in one SQS second (default 1000). */
  secondMs?: number;
}

export interface SqsServer {
  /** For the SQS client (`endpoint`), e.g. `http://127.0.0.1:41234`. */
  readonly endpoint: string;
  readonly port: number;
  /** The URL a queue of this name has (or will have) on this server. */
  queueUrl(name: string): string;
  /** Closes the server; pending long polls are dropped. Safe to call twice. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Model

/** A message attribute as the JSON protocol carries it (BinaryValue base64). */
interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

interface StoredMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  attributes: Record<string, MessageAttributeValue>;
  md5OfAttributes: string | undefined;
  awsTraceHeader: string | undefined;
  sentAt: number;
  /** Epoch ms from which it may be received (delay, visibility timeout). */
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt: number | undefined;
  /** The handle of the latest receive; older ones are stale. */
  receiptHandle: string | undefined;
  deadLetterSourceArn: string | undefined;
}

interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

interface Queue {
  name: string;
  url: string;
  arn: string;
  /** Settable attributes, as strings (the wire form). */
  attributes: Map<string, string>;
  createdAt: number;
  modifiedAt: number;
  messages: StoredMessage[];
  /** Long polls waiting for this queue to change. */
  waiters: Set<() => void>;
}

const DEFAULT_ATTRIBUTES: Record<string, string> = {
  VisibilityTimeout: '30',
  DelaySeconds: '0',
  ReceiveMessageWaitTimeSeconds: '0',
  MessageRetentionPeriod: '345600',
  MaximumMessageSize: '262144',
};

/** Settable attributes with their allowed integer range. */
const NUMERIC_ATTRIBUTES: Record<string, [number, number]> = {
  VisibilityTimeout: [0, 43_200],
  DelaySeconds: [0, 900],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  MessageRetentionPeriod: [60, 1_209_600],
  MaximumMessageSize: [1_024, 1_048_576],
};
/** Accepted and kept, without effect here. */
const OPAQUE_ATTRIBUTES = new Set(['Policy', 'KmsMasterKeyId', 'KmsDataKeyReusePeriodSeconds', 'SqsManagedSseEnabled', 'RedriveAllowPolicy']);
const READ_ONLY_ATTRIBUTES = [
  'QueueArn',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
];
const SYSTEM_ATTRIBUTES = ['SenderId', 'SentTimestamp', 'ApproximateReceiveCount', 'ApproximateFirstReceiveTimestamp', 'AWSTraceHeader', 'DeadLetterQueueSourceArn'];

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
const MAX_BATCH_ENTRIES = 10;
/** Characters SQS accepts in a message (docs: "allowed characters in XML"). */
const VALID_BODY = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

// ---------------------------------------------------------------------------------------------
// Errors in SQS's JSON shape

class SqsError extends Error {
  constructor(
    /** The `__type` shape name, e.g. QueueDoesNotExist. */
    readonly type: string,
    /** The query-protocol code in `x-amzn-query-error`, e.g. AWS.SimpleQueueService.NonExistentQueue. */
    readonly queryCode: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const errors = {
  queueDoesNotExist: () => new SqsError('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 400, 'The specified queue does not exist.'),
  invalidParameter: (message: string) => new SqsError('InvalidParameterValueException', 'InvalidParameterValue', 400, message),
  missingParameter: (name: string) => new SqsError('MissingParameter', 'MissingParameter', 400, `The request must contain the parameter ${name}.`),
  invalidAttributeName: (name: string) => new SqsError('InvalidAttributeName', 'InvalidAttributeName', 400, `Unknown Attribute ${name}.`),
  queueNameExists: (attribute: string) =>
    new SqsError('QueueNameExists', 'QueueAlreadyExists', 400, `A queue already exists with the same name and a different value for attribute ${attribute}`),
  receiptHandleIsInvalid: (handle: string) => new SqsError('ReceiptHandleIsInvalid', 'ReceiptHandleIsInvalid', 404, `The input receipt handle "${handle}" is not a valid receipt handle.`),
  messageNotInflight: () => new SqsError('MessageNotInflight', 'AWS.SimpleQueueService.MessageNotInflight', 400, 'Message is not in flight.'),
  invalidMessageContents: () => new SqsError('InvalidMessageContents', 'InvalidMessageContents', 400, 'Invalid characters found in the message body.'),
  unsupported: (message: string) => new SqsError('UnsupportedOperation', 'AWS.SimpleQueueService.UnsupportedOperation', 400, message),
  emptyBatch: () => new SqsError('EmptyBatchRequest', 'AWS.SimpleQueueService.EmptyBatchRequest', 400, 'There should be at least one entry in the request.'),
  tooManyEntries: (count: number) =>
    new SqsError('TooManyEntriesInBatchRequest', 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', 400, `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${count}.`),
  idsNotDistinct: (id: string) => new SqsError('BatchEntryIdsNotDistinct', 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', 400, `Id ${id} repeated.`),
  invalidBatchEntryId: () =>
    new SqsError('InvalidBatchEntryId', 'AWS.SimpleQueueService.InvalidBatchEntryId', 400, 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.'),
  batchTooLong: (limit: number) => new SqsError('BatchRequestTooLong', 'AWS.SimpleQueueService.BatchRequestTooLong', 400, `Batch requests cannot be longer than ${limit} bytes.`),
};

// ---------------------------------------------------------------------------------------------
// Wire helpers

type Input = Record<string, unknown>;

function text(input: Input, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw errors.invalidParameter(`Value for parameter ${name} must be a string.`);
  return value;
}

function requiredText(input: Input, name: string): string {
  const value = text(input, name);
  if (value === undefined || value === '') throw errors.missingParameter(name);
  return value;
}

function integer(input: Input, name: string, [min, max]: [number, number]): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw errors.invalidParameter(`Value ${JSON.stringify(value)} for parameter ${name} is invalid. Reason: Must be between ${min} and ${max}, if provided.`);
  }
  return value;
}

function stringList(input: Input, name: string): string[] {
  const value = input[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw errors.invalidParameter(`Value for parameter ${name} must be a list of strings.`);
  return value as string[];
}

function objectOf(input: Input, name: string): Input {
  const value = input[name];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw errors.invalidParameter(`Value for parameter ${name} must be a map.`);
  return value as Input;
}

function md5Hex(data: string | Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}

/**
 * MD5 of message attributes as SQS computes it: for each attribute by name, the length-prefixed
 * (4 bytes, big-endian) UTF-8 name and data type, a transport byte (1 string, 2 binary), the
 * length-prefixed value.
 */
function md5OfMessageAttributes(attributes: Record<string, MessageAttributeValue>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  const lengthPrefixed = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  };
  for (const name of names) {
    const value = attributes[name] as MessageAttributeValue;
    lengthPrefixed(Buffer.from(name, 'utf8'));
    lengthPrefixed(Buffer.from(value.DataType, 'utf8'));
    if (value.StringValue !== undefined) {
      parts.push(Buffer.from([1]));
      lengthPrefixed(Buffer.from(value.StringValue, 'utf8'));
    } else {
      parts.push(Buffer.from([2]));
      lengthPrefixed(Buffer.from(value.BinaryValue ?? '', 'base64'));
    }
  }
  return md5Hex(Buffer.concat(parts));
}

function parseMessageAttributes(raw: Input): Record<string, MessageAttributeValue> {
  const names = Object.keys(raw);
  if (names.length > 10) throw errors.invalidParameter('Number of message attributes [' + names.length + '] exceeds the allowed maximum [10].');
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const name of names) {
    const value = raw[name] as Input | null;
    const dataType = value === null || typeof value !== 'object' ? undefined : text(value, 'DataType');
    if (value === null || dataType === undefined || !/^(String|Number|Binary)(\..+)?$/.test(dataType)) {
      throw errors.invalidParameter(`The type of message attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`);
    }
    const stringValue = text(value, 'StringValue');
    const binaryValue = text(value, 'BinaryValue');
    if (dataType.startsWith('Binary') ? binaryValue === undefined : stringValue === undefined) {
      throw errors.invalidParameter(`The message attribute '${name}' must contain a non-empty message attribute value for message attribute type '${dataType}'.`);
    }
    attributes[name] = dataType.startsWith('Binary') ? { DataType: dataType, BinaryValue: binaryValue } : { DataType: dataType, StringValue: stringValue };
  }
  return attributes;
}

function messageSize(body: string, attributes: Record<string, MessageAttributeValue>): number {
  let size = Buffer.byteLength(body, 'utf8');
  for (const [name, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(value.DataType);
    size += value.StringValue !== undefined ? Buffer.byteLength(value.StringValue) : Buffer.from(value.BinaryValue ?? '', 'base64').length;
  }
  return size;
}

/** Receipt handles name queue, message and receive; a new receive makes older handles stale. */
function newReceiptHandle(queue: string, messageId: string): string {
  return Buffer.from(JSON.stringify([queue, messageId, randomUUID()])).toString('base64url');
}

function parseReceiptHandle(handle: string): { queue: string; messageId: string } {
  try {
    const parts: unknown = JSON.parse(Buffer.from(handle, 'base64url').toString('utf8'));
    if (Array.isArray(parts) && parts.length === 3 && parts.every((p) => typeof p === 'string')) {
      return { queue: parts[0] as string, messageId: parts[1] as string };
    }
  } catch {
    // falls through to the error below
  }
  throw errors.receiptHandleIsInvalid(handle);
}

// ---------------------------------------------------------------------------------------------
// Server

/**
 * @example
 * const sqs = await startSqsServer();
 * const client = new SQSClient({ endpoint: sqs.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS }); // core/local-credentials.ts
 * const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'deliveries' }));
 */
export async function startSqsServer(options: SqsServerOptions = {}): Promise<SqsServer> {
  const host = options.host ?? '127.0.0.1';
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const secondMs = options.secondMs ?? 1000;
  const queues = new Map<string, Queue>();
  let closed = false;
  let baseUrl = '';

  const seconds = (n: number) => n * secondMs;
  const arnOf = (name: string) => `arn:aws:sqs:${region}:${accountId}:${name}`;
  const urlOf = (name: string) => `${baseUrl}/${accountId}/${name}`;
  const numberAttribute = (queue: Queue, name: string) => Number(queue.attributes.get(name) ?? DEFAULT_ATTRIBUTES[name]);

  function queueOf(input: Input): Queue {
    const url = requiredText(input, 'QueueUrl');
    // Any host and account: the last path segment names the queue (as SQS does for its own hosts).
    const name = url.replace(/\/+$/, '').split('/').pop() ?? '';
    const queue = queues.get(name);
    if (queue === undefined) throw errors.queueDoesNotExist();
    return queue;
  }

  function notify(queue: Queue): void {
    for (const wake of [...queue.waiters]) wake();
  }

  function redrivePolicyOf(queue: Queue): RedrivePolicy | undefined {
    const raw = queue.attributes.get('RedrivePolicy');
    return raw === undefined || raw === '' ? undefined : (JSON.parse(raw) as RedrivePolicy);
  }

  /** Drops messages past the retention period. */
  function sweep(queue: Queue, now: number): void {
    const retention = seconds(numberAttribute(queue, 'MessageRetentionPeriod'));
    queue.messages = queue.messages.filter((message) => message.sentAt + retention > now);
  }

  function validateAttributes(raw: Input): Map<string, string> {
    const attributes = new Map<string, string>();
    for (const [name, value] of Object.entries(raw)) {
      if (typeof value !== 'string') throw errors.invalidParameter(`Value for attribute ${name} must be a string.`);
      const range = NUMERIC_ATTRIBUTES[name];
      if (range !== undefined) {
        const n = Number(value);
        if (!/^\d+$/.test(value) || n < range[0] || n > range[1]) {
          throw errors.invalidParameter(`Invalid value for the parameter ${name}. Reason: must be between ${range[0]} and ${range[1]}.`);
        }
      } else if (name === 'RedrivePolicy') {
        if (value !== '') attributes.set(name, JSON.stringify(validateRedrivePolicy(value)));
        else attributes.set(name, '');
        continue;
      } else if (name === 'FifoQueue' || name === 'ContentBasedDeduplication') {
        if (value === 'true') throw errors.unsupported('FIFO queues are not supported by the local SQS server.');
      } else if (!OPAQUE_ATTRIBUTES.has(name)) {
        throw errors.invalidAttributeName(name);
      }
      attributes.set(name, value);
    }
    return attributes;
  }

  function validateRedrivePolicy(value: string): RedrivePolicy {
    let parsed: { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
    try {
      parsed = JSON.parse(value) as typeof parsed;
    } catch {
      throw errors.invalidParameter('Invalid value for the parameter RedrivePolicy. Reason: Redrive policy is not a valid JSON map.');
    }
    const maxReceiveCount = Number(parsed.maxReceiveCount);
    if (typeof parsed.deadLetterTargetArn !== 'string' || !Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
      throw errors.invalidParameter('Value for parameter RedrivePolicy is invalid. Reason: Redrive policy needs deadLetterTargetArn and a maxReceiveCount from 1 to 1000.');
    }
    const target = parsed.deadLetterTargetArn.split(':').pop() ?? '';
    if (!queues.has(target)) throw errors.invalidParameter('Value for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.');
    return { deadLetterTargetArn: parsed.deadLetterTargetArn, maxReceiveCount };
  }

  function newMessage(queue: Queue, input: Input): StoredMessage {
    const body = text(input, 'MessageBody');
    if (body === undefined || body === '') throw errors.missingParameter('MessageBody');
    if (!VALID_BODY.test(body)) throw errors.invalidMessageContents();
    const delay = integer(input, 'DelaySeconds', [0, 900]) ?? numberAttribute(queue, 'DelaySeconds');
    const attributes = parseMessageAttributes(objectOf(input, 'MessageAttributes'));
    const maxSize = numberAttribute(queue, 'MaximumMessageSize');
    if (messageSize(body, attributes) > maxSize) {
      throw errors.invalidParameter(`One or more parameters are invalid. Reason: Message must be shorter than ${maxSize} bytes.`);
    }
    const traceHeader = objectOf(input, 'MessageSystemAttributes').AWSTraceHeader as MessageAttributeValue | undefined;
    const now = Date.now();
    return {
      messageId: randomUUID(),
      body,
      md5OfBody: md5Hex(body),
      attributes,
      md5OfAttributes: md5OfMessageAttributes(attributes),
      awsTraceHeader: traceHeader?.StringValue,
      sentAt: now,
      visibleAt: now + seconds(delay),
      receiveCount: 0,
      firstReceivedAt: undefined,
      receiptHandle: undefined,
      deadLetterSourceArn: undefined,
    };
  }

  function enqueue(queue: Queue, message: StoredMessage) {
    queue.messages.push(message);
    notify(queue);
    const result: Input = { MessageId: message.messageId, MD5OfMessageBody: message.md5OfBody };
    if (message.md5OfAttributes !== undefined) result.MD5OfMessageAttributes = message.md5OfAttributes;
    return result;
  }

  function moveToDeadLetterQueue(source: Queue, message: StoredMessage, policy: RedrivePolicy, now: number): boolean {
    const target = queues.get(policy.deadLetterTargetArn.split(':').pop() ?? '');
    if (target === undefined) return false;
    source.messages = source.messages.filter((m) => m !== message);
    target.messages.push({ ...message, visibleAt: now, receiveCount: 0, firstReceivedAt: undefined, receiptHandle: undefined, deadLetterSourceArn: source.arn });
    notify(target);
    return true;
  }

  /** Takes up to `max` visible messages, making them invisible for `visibilityMs`. */
  function collect(queue: Queue, max: number, visibilityMs: number): StoredMessage[] {
    const now = Date.now();
    sweep(queue, now);
    const policy = redrivePolicyOf(queue);
    const taken: StoredMessage[] = [];
    for (const message of [...queue.messages]) {
      if (taken.length >= max) break;
      if (message.visibleAt > now) continue;
      // Received maxReceiveCount times already and back again: it goes to the dead-letter queue.
      if (policy !== undefined && message.receiveCount >= policy.maxReceiveCount && moveToDeadLetterQueue(queue, message, policy, now)) continue;
      message.receiveCount++;
      message.firstReceivedAt ??= now;
      message.receiptHandle = newReceiptHandle(queue.name, message.messageId);
      message.visibleAt = now + visibilityMs;
      taken.push(message);
    }
    return taken;
  }

  function nextVisibleAt(queue: Queue): number {
    return queue.messages.reduce((earliest, message) => Math.min(earliest, message.visibleAt), Infinity);
  }

  /** Resolves when the queue changes, at `until`, or when the caller goes away. */
  function waitForChange(queue: Queue, until: number, gone: { value: boolean; wake?: () => void }): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        queue.waiters.delete(wake);
        gone.wake = undefined;
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, until - Date.now()));
      queue.waiters.add(wake);
      gone.wake = wake;
    });
  }

  function systemAttributesOf(message: StoredMessage, requested: string[]): Record<string, string> {
    const all = requested.includes('All');
    const values: Record<string, string | undefined> = {
      SenderId: `AIDA${accountId}LOCAL`,
      SentTimestamp: String(message.sentAt),
      ApproximateReceiveCount: String(message.receiveCount),
      ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
      AWSTraceHeader: message.awsTraceHeader,
      DeadLetterQueueSourceArn: message.deadLetterSourceArn,
    };
    const out: Record<string, string> = {};
    for (const name of SYSTEM_ATTRIBUTES) {
      const value = values[name];
      if (value !== undefined && (all || requested.includes(name))) out[name] = value;
    }
    return out;
  }

  function messageAttributesOf(message: StoredMessage, requested: string[]): Record<string, MessageAttributeValue> {
    const wanted = (name: string) =>
      requested.some((pattern) => pattern === 'All' || pattern === '.*' || pattern === name || (pattern.endsWith('.*') && name.startsWith(pattern.slice(0, -1))));
    return Object.fromEntries(Object.entries(message.attributes).filter(([name]) => wanted(name)));
  }

  function queueAttributes(queue: Queue, requested: string[]): Record<string, string> {
    const now = Date.now();
    sweep(queue, now);
    const all = requested.includes('All');
    for (const name of requested) {
      if (name !== 'All' && !(name in DEFAULT_ATTRIBUTES) && !READ_ONLY_ATTRIBUTES.includes(name) && name !== 'RedrivePolicy' && !OPAQUE_ATTRIBUTES.has(name)) {
        throw errors.invalidAttributeName(name);
      }
    }
    const inFlight = queue.messages.filter((m) => m.visibleAt > now && m.receiptHandle !== undefined).length;
    const delayed = queue.messages.filter((m) => m.visibleAt > now && m.receiptHandle === undefined).length;
    const values: Record<string, string> = {
      ...DEFAULT_ATTRIBUTES,
      ...Object.fromEntries([...queue.attributes].filter(([, value]) => value !== '')),
      QueueArn: queue.arn,
      ApproximateNumberOfMessages: String(queue.messages.length - inFlight - delayed),
      ApproximateNumberOfMessagesNotVisible: String(inFlight),
      ApproximateNumberOfMessagesDelayed: String(delayed),
      CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
      LastModifiedTimestamp: String(Math.floor(queue.modifiedAt / 1000)),
    };
    return Object.fromEntries(Object.entries(values).filter(([name]) => all || requested.includes(name)));
  }

  function batchEntries(input: Input): Input[] {
    const entries = input.Entries;
    if (entries === undefined || entries === null) throw errors.missingParameter('Entries');
    if (!Array.isArray(entries)) throw errors.invalidParameter('Value for parameter Entries must be a list.');
    if (entries.length === 0) throw errors.emptyBatch();
    if (entries.length > MAX_BATCH_ENTRIES) throw errors.tooManyEntries(entries.length);
    const ids = new Set<string>();
    for (const entry of entries as Input[]) {
      const id = typeof entry?.Id === 'string' ? entry.Id : '';
      if (!BATCH_ENTRY_ID.test(id)) throw errors.invalidBatchEntryId();
      if (ids.has(id)) throw errors.idsNotDistinct(id);
      ids.add(id);
    }
    return entries as Input[];
  }

  /** Runs `each` per entry, reporting per-entry SQS errors in `Failed` as SQS does. */
  function perEntry(entries: Input[], each: (entry: Input) => Input): { Successful: Input[]; Failed: Input[] } {
    const Successful: Input[] = [];
    const Failed: Input[] = [];
    for (const entry of entries) {
      try {
        Successful.push({ Id: entry.Id, ...each(entry) });
      } catch (error) {
        if (!(error instanceof SqsError)) throw error;
        Failed.push({ Id: entry.Id, SenderFault: true, Code: error.queryCode, Message: error.message });
      }
    }
    return { Successful, Failed };
  }

  function findInFlight(queue: Queue, handle: string): StoredMessage | undefined {
    const { queue: queueName, messageId } = parseReceiptHandle(handle);
    if (queueName !== queue.name) throw errors.receiptHandleIsInvalid(handle);
    return queue.messages.find((m) => m.messageId === messageId && m.receiptHandle === handle);
  }

  function deleteMessage(queue: Queue, handle: string): void {
    const message = findInFlight(queue, handle);
    // A stale handle (the message was received again since) succeeds and deletes nothing.
    if (message !== undefined) queue.messages = queue.messages.filter((m) => m !== message);
  }

  function changeVisibility(queue: Queue, handle: string, timeout: number): void {
    const message = findInFlight(queue, handle);
    const now = Date.now();
    if (message === undefined) {
      throw errors.invalidParameter(`Value ${handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`);
    }
    if (message.visibleAt <= now) throw errors.messageNotInflight();
    message.visibleAt = now + seconds(timeout);
    if (timeout === 0) notify(queue);
  }

  const VISIBILITY_RANGE: [number, number] = [0, 43_200];

  const actions: Record<string, (input: Input, request: { gone: { value: boolean; wake?: () => void } }) => Input | Promise<Input>> = {
    CreateQueue: (input) => {
      const name = requiredText(input, 'QueueName');
      if (name.endsWith('.fifo')) throw errors.unsupported('FIFO queues are not supported by the local SQS server.');
      if (!QUEUE_NAME.test(name)) throw errors.invalidParameter('Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
      const attributes = validateAttributes(objectOf(input, 'Attributes'));
      const existing = queues.get(name);
      if (existing !== undefined) {
        for (const [attribute, value] of attributes) {
          const current = existing.attributes.get(attribute) ?? DEFAULT_ATTRIBUTES[attribute];
          if (current !== value) throw errors.queueNameExists(attribute);
        }
        return { QueueUrl: existing.url };
      }
      const now = Date.now();
      queues.set(name, { name, url: urlOf(name), arn: arnOf(name), attributes, createdAt: now, modifiedAt: now, messages: [], waiters: new Set() });
      return { QueueUrl: urlOf(name) };
    },

    GetQueueUrl: (input) => {
      const queue = queues.get(requiredText(input, 'QueueName'));
      if (queue === undefined) throw errors.queueDoesNotExist();
      return { QueueUrl: queue.url };
    },

    ListQueues: (input) => {
      const prefix = text(input, 'QueueNamePrefix') ?? '';
      return { QueueUrls: [...queues.values()].filter((q) => q.name.startsWith(prefix)).map((q) => q.url) };
    },

    DeleteQueue: (input) => {
      const queue = queueOf(input);
      queues.delete(queue.name);
      notify(queue);
      return {};
    },

    PurgeQueue: (input) => {
      const queue = queueOf(input);
      queue.messages = [];
      return {};
    },

    GetQueueAttributes: (input) => {
      const requested = stringList(input, 'AttributeNames');
      return { Attributes: queueAttributes(queueOf(input), requested.length === 0 ? [] : requested) };
    },

    SetQueueAttributes: (input) => {
      const queue = queueOf(input);
      for (const [name, value] of validateAttributes(objectOf(input, 'Attributes'))) queue.attributes.set(name, value);
      queue.modifiedAt = Date.now();
      notify(queue);
      return {};
    },

    SendMessage: (input) => {
      const queue = queueOf(input);
      return enqueue(queue, newMessage(queue, input));
    },

    SendMessageBatch: (input) => {
      const queue = queueOf(input);
      const entries = batchEntries(input);
      const total = entries.reduce((sum, entry) => sum + Buffer.byteLength(typeof entry.MessageBody === 'string' ? entry.MessageBody : ''), 0);
      const limit = numberAttribute(queue, 'MaximumMessageSize');
      if (total > limit) throw errors.batchTooLong(limit);
      return perEntry(entries, (entry) => {
        const { MessageId, MD5OfMessageBody, MD5OfMessageAttributes } = enqueue(queue, newMessage(queue, entry));
        return MD5OfMessageAttributes === undefined ? { MessageId, MD5OfMessageBody } : { MessageId, MD5OfMessageBody, MD5OfMessageAttributes };
      });
    },

    ReceiveMessage: async (input, { gone }) => {
      let queue = queueOf(input);
      const max = integer(input, 'MaxNumberOfMessages', [1, 10]) ?? 1;
      const visibilityMs = seconds(integer(input, 'VisibilityTimeout', VISIBILITY_RANGE) ?? numberAttribute(queue, 'VisibilityTimeout'));
      const waitSeconds = integer(input, 'WaitTimeSeconds', [0, 20]) ?? numberAttribute(queue, 'ReceiveMessageWaitTimeSeconds');
      const systemNames = [...stringList(input, 'AttributeNames'), ...stringList(input, 'MessageSystemAttributeNames')];
      const attributeNames = stringList(input, 'MessageAttributeNames');
      const deadline = Date.now() + seconds(waitSeconds);
      let taken = collect(queue, max, visibilityMs);
      while (taken.length === 0 && Date.now() < deadline && !gone.value && !closed) {
        await waitForChange(queue, Math.min(deadline, nextVisibleAt(queue)), gone);
        const current = queues.get(queue.name);
        if (current === undefined || gone.value || closed) return { Messages: [] };
        queue = current;
        taken = collect(queue, max, visibilityMs);
      }
      return {
        Messages: taken.map((message) => {
          const attributes = messageAttributesOf(message, attributeNames);
          const out: Input = {
            MessageId: message.messageId,
            ReceiptHandle: message.receiptHandle,
            MD5OfBody: message.md5OfBody,
            Body: message.body,
          };
          if (systemNames.length > 0) out.Attributes = systemAttributesOf(message, systemNames);
          if (Object.keys(attributes).length > 0) {
            out.MessageAttributes = attributes;
            out.MD5OfMessageAttributes = md5OfMessageAttributes(attributes);
          }
          return out;
        }),
      };
    },

    DeleteMessage: (input) => {
      deleteMessage(queueOf(input), requiredText(input, 'ReceiptHandle'));
      return {};
    },

    DeleteMessageBatch: (input) => {
      const queue = queueOf(input);
      return perEntry(batchEntries(input), (entry) => {
        deleteMessage(queue, requiredText(entry, 'ReceiptHandle'));
        return {};
      });
    },

    ChangeMessageVisibility: (input) => {
      const queue = queueOf(input);
      const timeout = integer(input, 'VisibilityTimeout', VISIBILITY_RANGE);
      if (timeout === undefined) throw errors.missingParameter('VisibilityTimeout');
      changeVisibility(queue, requiredText(input, 'ReceiptHandle'), timeout);
      return {};
    },

    ChangeMessageVisibilityBatch: (input) => {
      const queue = queueOf(input);
      return perEntry(batchEntries(input), (entry) => {
        const timeout = integer(entry, 'VisibilityTimeout', VISIBILITY_RANGE);
        if (timeout === undefined) throw errors.missingParameter('VisibilityTimeout');
        changeVisibility(queue, requiredText(entry, 'ReceiptHandle'), timeout);
        return {};
      });
    },
  };

  const server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, new SqsError('InternalError', 'InternalError', 500, `the local SQS server failed: ${String(error)}`));
    });
  });

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const target = String(request.headers['x-amz-target'] ?? '');
    const action = target.startsWith('AmazonSQS.') ? actions[target.slice('AmazonSQS.'.length)] : undefined;
    if (request.method !== 'POST' || action === undefined) {
      const message = target === '' ? 'the local SQS server speaks the AWS JSON 1.0 protocol only (X-Amz-Target: AmazonSQS.<Action>)' : `unknown operation ${target}`;
      sendJson(response, 400, { __type: 'com.amazon.coral.service#UnknownOperationException', message });
      return;
    }
    let input: Input;
    try {
      const parsed: unknown = body === '' ? {} : JSON.parse(body);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      input = parsed as Input;
    } catch {
      sendJson(response, 400, { __type: 'com.amazon.coral.service#SerializationException', message: 'the request body is not a JSON object' });
      return;
    }
    // A long poll whose caller left must not take messages it can no longer hand over.
    const gone: { value: boolean; wake?: () => void } = { value: false };
    response.once('close', () => {
      if (!response.writableEnded) {
        gone.value = true;
        gone.wake?.();
      }
    });
    try {
      const output = await action(input, { gone });
      if (!gone.value) sendJson(response, 200, output);
    } catch (error) {
      if (!(error instanceof SqsError)) throw error;
      sendError(response, error);
    }
  }

  const listening = await listenOnLoopback(server, host, options.port ?? 0);
  const port = listening.port;
  baseUrl = `http://${host}:${port}`;
  let closing: Promise<void> | undefined;

  return {
    endpoint: baseUrl,
    port,
    queueUrl: urlOf,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        closed = true;
        for (const queue of queues.values()) notify(queue);
        void listening.close().then(resolve);
      });
      return closing;
    },
  };
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response
    .writeHead(status, { ...headers, 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': randomUUID() })
    .end(text);
}

function sendError(response: ServerResponse, error: SqsError): void {
  const fault = error.status >= 500 ? 'Receiver' : 'Sender';
  sendJson(response, error.status, { __type: `com.amazonaws.sqs#${error.type}`, message: error.message }, { 'x-amzn-query-error': `${error.queryCode};${fault}` });
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

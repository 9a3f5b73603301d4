/**
 * The whole alert pipeline in-process, for the delivery-pipeline integration tests: one local
 * stack per test file (local/stack.ts without feed or ingest task, on the run's DynamoDB Local,
 * with a fresh table), rules created through the real HTTP API with the stack's dev key, batches
 * handed to the real evaluator over the Lambda Invoke API, and what the far ends received: the
 * SES emulator's store, the Telegram stand-in, webhook receivers, dashboards.
 *
 * Waiting is by polling with a deadline. "Nothing more will arrive" is judged from the queues:
 * once every delivery queue (and the dead-letter queue) is empty, with nothing in flight or
 * delayed, every queued delivery has been handled and every send has happened.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { inject } from 'vitest';
import * as z from 'zod';
import { BATCH_EVENT_VERSION, batchResultSchema, type BatchEvent, type BatchResult } from '../../core/feed';
import { alertSchema, ruleSchema, type Alert, type Rule } from '../../core/rule-model';
import { startLocalStack, type LocalStack } from '../../local/stack';
import type { SentMail } from '../../local/ses-server';
import { createRule as storeRule } from '../../storage/rules-repository';
import { ruleRecord } from './api-fixtures';
import { eventually } from './eventually';
import { LOCAL_AWS } from './local-aws';
import { uniqueTableName } from './dynamodb';

export const ALERT_FROM_EMAIL = 'alerts@stock-alerts.test';
/** How often the local evaluator re-reads the rules' versions: a new rule is live within this. */
export const RULE_CACHE_CHECK_MS = 100;
/** Owner of the probe rules (see {@link Pipeline.untilRulesLive}): never the dev owner. */
const PROBE_OWNER = 'pipeline-probe';
/** The local stack's dead-letter queue of the delivery queues. */
const DEAD_LETTER_QUEUE = 'deliveries-dlq';

export interface PipelineOptions {
  /** Settings of the in-process functions, set before the stack imports them. */
  env?: Record<string, string>;
  sweepEveryMs?: number;
}

/** What the evaluator answered: its result, or the error of a failed invocation. */
export type Invocation = { ok: true; result: BatchResult } | { ok: false; error: string };

const alertPageSchema = z.object({ items: z.array(alertSchema), nextCursor: z.string().nullable() });

let positions = 0;

/** A symbol no other test uses. */
export const uniqueSymbol = () => `P${randomUUID().replace(/-/g, '').slice(0, 8).toUpperCase()}$US`;
/** A Telegram chat no other test uses (the sender rate-limits per chat). */
export const uniqueChatId = () => String(randomInt(100_000_000, 999_999_999));
export const uniqueEmail = (label = 'trader') => `${label}-${randomUUID().slice(0, 8)}@example.com`;

export class Pipeline {
  private readonly lambda: LambdaClient;
  private readonly sqs: SQSClient;

  private constructor(readonly stack: LocalStack) {
    this.lambda = new LambdaClient({ ...LOCAL_AWS, endpoint: stack.lambdaEndpoint, maxAttempts: 1 });
    this.sqs = new SQSClient({ ...LOCAL_AWS, endpoint: stack.services.sqs.endpoint, maxAttempts: 1 });
  }

  static async start(options: PipelineOptions = {}): Promise<Pipeline> {
    Object.assign(process.env, { RULE_CACHE_CHECK_MS: String(RULE_CACHE_CHECK_MS), ...options.env });
    const endpoint = inject('dynamodbEndpoint');
    const stack = await startLocalStack({
      feed: false,
      apiPort: 0,
      tableName: uniqueTableName(),
      ...(endpoint === undefined ? {} : { dynamodbEndpoint: endpoint }),
      alertFromEmail: ALERT_FROM_EMAIL,
      batchWindowMs: 250,
      simulatorTicksPerSecond: 0,
      print: () => undefined,
      ...(options.sweepEveryMs === undefined ? {} : { sweepEveryMs: options.sweepEveryMs }),
    });
    return new Pipeline(stack);
  }

  get telegram() {
    const standIn = this.stack.services.telegram;
    if (standIn === null) throw new Error('the pipeline runs the Telegram stand-in');
    return standIn;
  }

  /** `POST /rules` with the dev key; the answer is the created rule. */
  async createRule(body: Record<string, unknown>): Promise<Rule> {
    const response = await fetch(`${this.stack.apiUrl}/rules`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.stack.devApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer: unknown = await response.json();
    if (response.status !== 201) throw new Error(`POST /rules answered ${response.status}: ${JSON.stringify(answer)}`);
    return ruleSchema.parse(answer);
  }

  /** `GET /alerts?ruleId=` with the dev key: the rule's alerts, newest first. */
  async alertsOf(ruleId: string): Promise<Alert[]> {
    const response = await fetch(`${this.stack.apiUrl}/alerts?ruleId=${encodeURIComponent(ruleId)}`, {
      headers: { authorization: `Bearer ${this.stack.devApiKey}` },
    });
    if (response.status !== 200) throw new Error(`GET /alerts answered ${response.status}`);
    return alertPageSchema.parse(await response.json()).items;
  }

  /** Waits until the rule has an alert whose deliveries are all finished (sent or failed), and returns the rule's alerts. */
  async untilDelivered(ruleId: string, timeoutMs = 15_000): Promise<Alert[]> {
    return eventually(
      async () => {
        const alerts = await this.alertsOf(ruleId);
        return alerts.length > 0 && alerts.every((a) => a.deliveries.every((d) => d.status !== 'pending')) && alerts;
      },
      `the deliveries of rule ${ruleId} to finish`,
      timeoutMs,
    );
  }

  /**
   * A batch of one symbol that crosses 200 upwards (199 → 201, ticks 100 ms apart ending now),
   * with positions no other batch has: a fresh shard state, as after an ingest start.
   */
  crossing(symbol: string, options: { prices?: number[]; fromPos?: number } = {}): BatchEvent {
    const prices = options.prices ?? [199, 201];
    const now = Date.now();
    const fromPos = options.fromPos ?? now * 1000 + (positions += 1000);
    return {
      version: BATCH_EVENT_VERSION,
      shard: 0,
      seq: positions,
      fromPos,
      toPos: fromPos + prices.length - 1,
      sentAt: now,
      symbols: [{ symbol, points: prices.map((price, i): [number, number, number] => [price, now - (prices.length - 1 - i) * 100, 1]) }],
    };
  }

  /** Invokes the evaluator (RequestResponse, no client retries: a retry is a test's decision). */
  async invoke(event: BatchEvent): Promise<Invocation> {
    const answer = await this.lambda.send(new InvokeCommand({ FunctionName: 'evaluator', Payload: Buffer.from(JSON.stringify(event)) }));
    const payload: unknown = JSON.parse(Buffer.from(answer.Payload ?? new Uint8Array()).toString('utf8') || 'null');
    if (answer.FunctionError !== undefined) return { ok: false, error: String((payload as { errorMessage?: unknown } | null)?.errorMessage ?? answer.FunctionError) };
    return { ok: true, result: batchResultSchema.parse(payload) };
  }

  /** Invokes the evaluator and fails unless it answered. */
  async evaluate(event: BatchEvent): Promise<BatchResult> {
    const invocation = await this.invoke(event);
    if (!invocation.ok) throw new Error(`the evaluator failed: ${invocation.error}`);
    return invocation.result;
  }

  /**
   * Waits until the evaluator sees every rule written so far. Its rule cache re-reads the rules'
   * versions every RULE_CACHE_CHECK_MS; a probe rule written now (of another owner, on its own
   * symbol, without channels) fires once that read happened after it, and so after every earlier
   * rule. Then a test's batch is judged against its rules on the first invocation.
   */
  async untilRulesLive(): Promise<void> {
    const probe = ruleRecord(PROBE_OWNER, { symbol: uniqueSymbol(), channels: [] });
    await storeRule(this.stack.services.db, probe, { quota: 1_000_000, now: new Date() });
    await eventually(async () => (await this.evaluate(this.crossing(probe.symbol))).claimed === 1, 'the evaluator to see the new rules', 5_000);
  }

  /** Mail the SES emulator holds for `to`. */
  async mailTo(to: string): Promise<SentMail[]> {
    const ses = this.stack.services.ses;
    if (ses === null) throw new Error('the pipeline runs the local SES');
    return (await ses.readMail()).filter((mail) => mail.destination.to.includes(to));
  }

  /** Messages on a queue: waiting, in flight (being delivered or waiting for a retry) and delayed. */
  async queueDepth(queueUrl: string): Promise<number> {
    const { Attributes = {} } = await this.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
      }),
    );
    return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible) + Number(Attributes.ApproximateNumberOfMessagesDelayed);
  }

  /**
   * Waits until every delivery queue is empty: all queued deliveries handled, every send done.
   * Fails if anything went to the dead-letter queue.
   */
  async untilQueuesDrained(timeoutMs = 15_000): Promise<void> {
    const urls = Object.values(this.stack.services.queueUrls);
    await eventually(async () => (await Promise.all(urls.map((url) => this.queueDepth(url)))).every((depth) => depth === 0), 'the delivery queues to drain', timeoutMs);
    const dead = await this.queueDepth(this.stack.services.sqs.queueUrl(DEAD_LETTER_QUEUE));
    if (dead > 0) throw new Error(`${dead} deliveries went to the dead-letter queue`);
  }

  /** Deletes a delivery queue (a queue that is down) and returns how to bring it back as it was. */
  async takeQueueDown(kind: 'email' | 'telegram' | 'webhook' | 'dashboard'): Promise<() => Promise<void>> {
    const url = this.stack.services.queueUrls[kind] ?? '';
    const { Attributes = {} } = await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['VisibilityTimeout', 'RedrivePolicy'] }));
    await this.sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    return async () => {
      const created = await this.sqs.send(new CreateQueueCommand({ QueueName: url.split('/').pop() ?? '', Attributes }));
      if (created.QueueUrl !== url) throw new Error(`the queue came back at ${created.QueueUrl ?? '?'}, not ${url}`);
    };
  }

  async stop(): Promise<void> {
    this.lambda.destroy();
    this.sqs.destroy();
    await this.stack.stop();
  }
}

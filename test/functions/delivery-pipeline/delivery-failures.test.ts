/**
 * Deliveries that do not go through at once, through the real local servers: Telegram's 429 is
 * waited out as it asks; a channel that is down fails on its own (the others are delivered) and
 * is recorded `failed` after DELIVERY_MAX_ATTEMPTS; an alert whose deliveries could not be queued
 * stays in the outbox until the sweeper queues them.
 *
 * The notifier runs with DELIVERY_MAX_ATTEMPTS=2 and DELIVERY_RETRY_BASE_MS=100 (production: 5
 * and 5 s), so that the queue hands a failed delivery out again after a second, not after 5 s.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { WEBHOOK_RETRY } from '../../../functions/notifier/channels/webhook-sender';
import { verifyWebhookSignature } from '../../../functions/notifier/channels/webhook-signature';
import { alertKeyOf } from '../../../storage/alerts-repository';
import { listOutbox } from '../../../storage/delivery-outbox';
import { eventually } from '../../support/eventually';
import { aWebhookReceiver, type WebhookReceiver } from '../../support/delivery-webhook-receiver';
import { Pipeline, uniqueChatId, uniqueEmail, uniqueSymbol } from '../../support/pipeline-stack';

const MAX_ATTEMPTS = 2;
/** The outbox sweeper's interval here (every minute in AWS). */
const SWEEP_EVERY_MS = 200;

let pipeline: Pipeline;
beforeAll(async () => {
  pipeline = await Pipeline.start({
    // The retries provoked here log warnings by design: print only errors.
    env: { DELIVERY_MAX_ATTEMPTS: String(MAX_ATTEMPTS), DELIVERY_RETRY_BASE_MS: '100', POWERTOOLS_LOG_LEVEL: 'ERROR' },
    sweepEveryMs: SWEEP_EVERY_MS,
  });
});
afterAll(async () => {
  await pipeline?.stop();
});

const hookOf = (receiver: WebhookReceiver) => `http://127.0.0.1:${receiver.port}/hook`;

describe('deliveries that do not go through at once', () => {
  it("waits out Telegram's 429 for its retry_after on the queue, then sends the message once", async () => {
    const chatId = uniqueChatId();
    const rule = await pipeline.createRule({ symbol: uniqueSymbol(), condition: { type: 'crosses_above', value: 200 }, channels: [{ type: 'telegram', chatId }] });
    await pipeline.untilRulesLive();
    pipeline.telegram.failNext({ kind: 'too_many_requests', retryAfterSeconds: 1 }, 1, chatId);
    const requestsBefore = pipeline.telegram.requestCount;

    const invokedAt = Date.now();
    await pipeline.evaluate(pipeline.crossing(rule.symbol));
    const [alert] = await pipeline.untilDelivered(rule.id);

    // The 429 came after the invocation; the message at least retry_after after the 429.
    const messages = pipeline.telegram.messagesTo(chatId);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.receivedAt).toBeGreaterThanOrEqual(invokedAt + 1000);
    expect(pipeline.telegram.requestCount - requestsBefore).toBe(2);
    // Waited out on the queue (the chat's lane held off): the alert records both attempts.
    expect(alert?.deliveries).toEqual([{ channel: 'telegram', status: 'sent', attempts: 2 }]);
    await pipeline.untilQueuesDrained();
  });

  it('delivers the other channels while one is down, and records that one failed after its attempts', async () => {
    const down = await aWebhookReceiver();
    // Far more 500s than the notifier will ask for: the receiver is down for the whole test.
    down.answer(...Array.from({ length: 4 * MAX_ATTEMPTS * WEBHOOK_RETRY.maxAttempts }, () => ({ status: 500 })));
    const [email, chatId] = [uniqueEmail(), uniqueChatId()];
    const rule = await pipeline.createRule({
      symbol: uniqueSymbol(),
      condition: { type: 'crosses_above', value: 200 },
      channels: [
        { type: 'email', to: email },
        { type: 'webhook', url: hookOf(down) },
        { type: 'telegram', chatId },
      ],
    });
    await pipeline.untilRulesLive();

    await pipeline.evaluate(pipeline.crossing(rule.symbol));
    const [alert, ...others] = await pipeline.untilDelivered(rule.id);
    await pipeline.untilQueuesDrained();

    expect(others).toEqual([]);
    expect(alert?.deliveries).toEqual([
      { channel: 'email', status: 'sent', attempts: 1 },
      { channel: 'webhook', status: 'failed', attempts: MAX_ATTEMPTS, error: 'webhook answered HTTP 500 Internal Server Error' },
      { channel: 'telegram', status: 'sent', attempts: 1 },
    ]);
    expect(await pipeline.mailTo(email)).toHaveLength(1);
    expect(pipeline.telegram.messagesTo(chatId)).toHaveLength(1);
    // Each attempt is one send with its own few quick retries, every request signed.
    expect(down.requests).toHaveLength(MAX_ATTEMPTS * WEBHOOK_RETRY.maxAttempts);
    const secret = pipeline.stack.webhookSecret ?? '';
    expect(down.requests.every((r) => verifyWebhookSignature(r.body, r.headers['x-signature'], secret))).toBe(true);
    expect(new Set(down.requests.map((r) => JSON.parse(r.body.toString('utf8')).alertId))).toEqual(new Set([alert?.id]));
  });

  it('delivers an alert whose deliveries could not be queued once the sweeper finds it in the outbox', async () => {
    const receiver = await aWebhookReceiver();
    const rule = await pipeline.createRule({ symbol: uniqueSymbol(), condition: { type: 'crosses_above', value: 200 }, channels: [{ type: 'webhook', url: hookOf(receiver) }] });
    await pipeline.untilRulesLive();
    const bringBack = await pipeline.takeQueueDown('webhook');
    let restored = false;
    onTestFinished(async () => {
      if (!restored) await bringBack();
    });
    // Ticks positioned a minute ago: the sweeper leaves alerts younger than 30 s to their evaluator.
    const event = pipeline.crossing(rule.symbol, { fromPos: (Date.now() - 60_000) * 1000 });

    const invocation = await pipeline.invoke(event);
    expect(invocation).toEqual({ ok: false, error: expect.stringMatching(/queue does not exist/i) });
    // Claimed (the ingest task would retry the batch, and find it claimed), not delivered.
    const [alert, ...others] = await pipeline.alertsOf(rule.id);
    expect(others).toEqual([]);
    expect(alert?.deliveries).toEqual([{ channel: 'webhook', status: 'pending', attempts: 0 }]);
    const key = alert === undefined ? '' : alertKeyOf(alert);
    const inOutbox = async () => (await listOutbox(pipeline.stack.services.db, new Date(), 100)).some((entry) => entry.alertKey === key);
    expect(await inOutbox()).toBe(true);
    expect(receiver.requests).toEqual([]);

    await bringBack();
    restored = true;
    await eventually(() => receiver.requests.length > 0, 'the swept delivery to reach the webhook', 15_000);
    expect(await pipeline.untilDelivered(rule.id)).toEqual([{ ...alert, deliveries: [{ channel: 'webhook', status: 'sent', attempts: 1 }] }]);
    await eventually(async () => !(await inOutbox()), 'the alert to leave the outbox');
    await pipeline.untilQueuesDrained();

    expect(receiver.requests).toHaveLength(1);
  });
});

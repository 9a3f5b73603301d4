/**
 * The evaluator and the notifier together, through real local servers (DynamoDB Local, the SES
 * emulator, the Telegram stand-in, a webhook receiver, the dashboard WebSocket API): a crossing
 * becomes one alert, delivered once on each of its channels — also when the ingest task retries
 * the batch, retries it with later ticks merged in, or two evaluators get the same batch at once.
 *
 * Claims make the alert exactly-once (storage/trigger-state-repository.ts); a retried or raced
 * batch queues the still-pending deliveries again, and the notifier skips a copy whose delivery
 * is done or leased by another worker (storage/deliveries-repository.ts), so it sends nothing.
 * The local stack polls each queue with one poller, so copies are handled one after the other
 * here; the lease against copies handled at the same time is proven in
 * test/functions/notifier/deliver.test.ts and test/storage/deliveries-repository.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { BatchEvent } from '../../../core/feed';
import type { Rule } from '../../../core/rule-model';
import { DASHBOARD_SUBPROTOCOL } from '../../../functions/dashboard-socket/subprotocol';
import { verifyWebhookSignature } from '../../../functions/notifier/channels/webhook-signature';
import { openClient } from '../../support/delivery-dashboard';
import { eventually } from '../../support/eventually';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/delivery-webhook-receiver';
import { ALERT_FROM_EMAIL, Pipeline, uniqueChatId, uniqueEmail, uniqueSymbol } from '../../support/pipeline-stack';

let pipeline: Pipeline;
beforeAll(async () => {
  pipeline = await Pipeline.start();
});
afterAll(async () => {
  await pipeline?.stop();
});

interface EveryChannelRule {
  rule: Rule;
  email: string;
  chatId: string;
  webhook: WebhookReceiver;
}

/** A rule "crosses above 200" that alerts by email, Telegram and webhook (a receiver of its own), live in the evaluator. */
async function aRuleOnEveryChannel(overrides: Record<string, unknown> = {}): Promise<EveryChannelRule> {
  const webhook = await startWebhookReceiver();
  onTestFinished(() => webhook.close());
  const email = uniqueEmail();
  const chatId = uniqueChatId();
  const rule = await pipeline.createRule({
    symbol: uniqueSymbol(),
    condition: { type: 'crosses_above', value: 200 },
    channels: [
      { type: 'email', to: email },
      { type: 'telegram', chatId },
      { type: 'webhook', url: `http://127.0.0.1:${webhook.port}/hook` },
    ],
    ...overrides,
  });
  await pipeline.untilRulesLive();
  return { rule, email, chatId, webhook };
}

const SENT_EVERYWHERE = [
  { channel: 'email', status: 'sent', attempts: 1 },
  { channel: 'telegram', status: 'sent', attempts: 1 },
  { channel: 'webhook', status: 'sent', attempts: 1 },
];

/**
 * Without a cooldown the engine fires again on a retried batch whatever trigger state it reads
 * (the one before the claim, or after it): the retry reaches the claim, finds the alert, and
 * queues its pending deliveries a second time. That is the path under test; with a cooldown the
 * retry may not fire at all, which sends nothing twice trivially.
 */
const FIRES_ON_EVERY_RETRY = { cooldownSeconds: 0 };

/** Exactly one alert for the rule, one email, one Telegram message and one webhook call. */
async function expectDeliveredOnce({ rule, email, chatId, webhook }: EveryChannelRule): Promise<void> {
  const alerts = await pipeline.alertsOf(rule.id);
  expect(alerts).toHaveLength(1);
  expect(alerts[0]?.deliveries).toEqual(SENT_EVERYWHERE);
  expect(await pipeline.mailTo(email)).toHaveLength(1);
  expect(pipeline.telegram.messagesTo(chatId)).toHaveLength(1);
  expect(webhook.requests).toHaveLength(1);
}

const lastTickAt = (event: BatchEvent) => event.symbols[0]?.points.at(-1)?.[1] ?? Number.NaN;

describe('one alert per crossing, each channel once', () => {
  it('turns a crossing into one alert sent by email, Telegram, a signed webhook and to the open dashboard', async () => {
    const dashboard = await openClient(pipeline.stack.webSocketUrl, [DASHBOARD_SUBPROTOCOL, pipeline.stack.devApiKey]);
    onTestFinished(() => dashboard.close());
    const target = await aRuleOnEveryChannel();
    const { rule, email, chatId, webhook } = target;
    const event = pipeline.crossing(rule.symbol);

    expect(await pipeline.evaluate(event)).toMatchObject({ fired: 1, claimed: 1 });
    await pipeline.untilQueuesDrained();

    // GET /alerts: the alert resource exactly (no lease or other bookkeeping in it).
    const [alert] = await pipeline.alertsOf(rule.id);
    const tickAt = new Date(lastTickAt(event)).toISOString();
    expect(alert).toEqual({
      id: expect.any(String),
      ruleId: rule.id,
      symbol: rule.symbol,
      price: 201,
      condition: { type: 'crosses_above', value: 200 },
      message: `${rule.symbol} crossed above 200: last 201 at ${tickAt}`,
      tickAt,
      triggeredAt: new Date(Math.floor(event.fromPos / 1000)).toISOString(),
      deliveries: SENT_EVERYWHERE,
    });
    await expectDeliveredOnce(target);
    if (alert === undefined) throw new Error('no alert');

    const [mail] = await pipeline.mailTo(email);
    expect(mail).toMatchObject({ from: ALERT_FROM_EMAIL, destination: { to: [email] }, subject: `${rule.symbol} crossed above 200 — 201` });
    expect(mail?.body.text).toContain(`${rule.symbol} crossed above 200: last 201 at ${tickAt}`);
    expect(mail?.body.text).toMatch(/^Price: +201$/m);
    expect(mail?.body.text).toContain(`alert ${alert.id}`);

    const [message] = pipeline.telegram.messagesTo(chatId);
    expect(message?.parseMode).toBe('HTML');
    expect(message?.plainText).toContain(`${rule.symbol} · 201`);
    expect(message?.plainText).toContain(`rule ${rule.id}`);

    const [call] = webhook.requests;
    expect(call).toMatchObject({ method: 'POST', path: '/hook', headers: { 'content-type': 'application/json', 'user-agent': 'stock-alerts' } });
    const secret = pipeline.stack.webhookSecret ?? '';
    expect(secret).not.toBe('');
    expect(verifyWebhookSignature(call?.body ?? Buffer.alloc(0), call?.headers['x-signature'], secret)).toBe(true);
    expect(verifyWebhookSignature(call?.body ?? Buffer.alloc(0), call?.headers['x-signature'], `${secret}x`)).toBe(false);
    expect(JSON.parse(call?.body.toString('utf8') ?? '')).toEqual({
      alertId: alert.id,
      ruleId: rule.id,
      symbol: rule.symbol,
      price: 201,
      condition: { type: 'crosses_above', value: 200 },
      message: alert.message,
      tickAt,
      triggeredAt: alert.triggeredAt,
      sentAt: expect.any(String),
    });

    // The dashboard gets the alert as GET /alerts lists it (its deliveries as they stood), once,
    // and each delivery's outcome as it was recorded.
    const { deliveries, ...pushed } = alert;
    const frames = await eventually(() => {
      const mine = dashboard.received.filter((frame) => frame.includes(alert.id)).map((frame) => JSON.parse(frame) as { type: string; index?: number; delivery?: unknown });
      return mine.length >= 1 + deliveries.length && mine;
    }, 'the dashboard push and the delivery outcomes');
    expect(frames.filter((f) => f.type === 'alert')).toEqual([{ type: 'alert', alert: { ...pushed, deliveries: expect.any(Array) } }]);
    const outcomes = frames.filter((f) => f.type === 'delivery').sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    expect(outcomes).toEqual(deliveries.map((delivery, index) => ({ type: 'delivery', alertId: alert.id, index, delivery })));
  });

  it('sends nothing twice when the batch is retried, or retried with later ticks merged in', async () => {
    const target = await aRuleOnEveryChannel(FIRES_ON_EVERY_RETRY);
    const event = pipeline.crossing(target.rule.symbol);
    const later = lastTickAt(event);
    const merged: BatchEvent = {
      ...event,
      toPos: event.toPos + 2,
      symbols: [{ symbol: target.rule.symbol, points: [...(event.symbols[0]?.points ?? []), [202, later + 100, 1], [203, later + 200, 1]] }],
    };

    expect(await pipeline.evaluate(event)).toMatchObject({ fired: 1, claimed: 1 });
    expect(await pipeline.evaluate(event)).toMatchObject({ fired: 1, claimed: 0 });
    expect(await pipeline.evaluate(merged)).toMatchObject({ fired: 1, claimed: 0 });
    await pipeline.untilQueuesDrained();

    await expectDeliveredOnce(target);
  });

  it('sends once when two evaluators get the same batch at the same time', async () => {
    const target = await aRuleOnEveryChannel(FIRES_ON_EVERY_RETRY);
    const event = pipeline.crossing(target.rule.symbol);

    const results = await Promise.all([pipeline.evaluate(event), pipeline.evaluate(event)]);
    expect(results.map((r) => r.fired)).toEqual([1, 1]);
    expect(results.map((r) => r.claimed).sort()).toEqual([0, 1]);
    await pipeline.untilQueuesDrained();

    await expectDeliveredOnce(target);
  });
});

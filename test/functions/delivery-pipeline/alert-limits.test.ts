/**
 * The alert limits through the real local stack (api.md "Limits and flood guard"), at their
 * default settings:
 * - the flood guard: a `repeat` rule without cooldown that fires 16 times within 3 minutes is
 *   paused by the 16th fire (`pausedReason: "flood_guard"`), whose alert is delivered as the one
 *   pause notice; a 17th crossing fires nothing;
 * - alerts per minute: an owner whose 121 rules fire in one minute gets 120 alerts sent, the
 *   121st recorded with delivery status `rate_limited`, and one notice; a retried batch adds
 *   nothing; another owner's alerts in the same minute are untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAlerts } from '../../../storage/alerts-repository';
import { createRule as storeRule, getRule } from '../../../storage/rules-repository';
import { ruleRecord } from '../../support/api-fixtures';
import { aWebhookReceiver, type WebhookReceiver } from '../../support/delivery-webhook-receiver';
import { uniqueOwner } from '../../support/dynamodb';
import { eventually } from '../../support/eventually';
import { Pipeline, uniqueChatId, uniqueSymbol } from '../../support/pipeline-stack';

let pipeline: Pipeline;
beforeAll(async () => {
  pipeline = await Pipeline.start({ env: { POWERTOOLS_LOG_LEVEL: 'ERROR' } });
});
afterAll(async () => {
  await pipeline?.stop();
});

const messagesOf = (receiver: WebhookReceiver) => receiver.requests.map((r) => (JSON.parse(r.body.toString('utf8')) as { message: string }).message);

describe('the flood guard', () => {
  it('pauses a rule on its 16th fire within 3 minutes, with pausedReason flood_guard and one notice', async () => {
    const receiver = await aWebhookReceiver();
    const rule = await pipeline.createRule({
      symbol: uniqueSymbol(),
      condition: { type: 'crosses_above', value: 200 },
      trigger: 'repeat',
      cooldownSeconds: 0,
      channels: [{ type: 'webhook', url: `http://127.0.0.1:${receiver.port}/hook` }],
    });
    await pipeline.untilRulesLive();

    const claimed: number[] = [];
    for (let i = 0; i < 17; i++) claimed.push((await pipeline.evaluate(pipeline.crossing(rule.symbol))).claimed);
    // 16 fires claimed (the 16th is the notice), the 17th crossing finds the rule paused.
    expect(claimed).toEqual([...Array.from({ length: 16 }, () => 1), 0]);

    const messages = await eventually(() => receiver.requests.length >= 16 && messagesOf(receiver), 'the 16 webhooks', 20_000);
    const notices = messages.filter((m) => m.includes('rule paused'));
    expect(notices).toEqual([`${rule.symbol} rule paused: it fired more than 15 times in 3 minutes; resume it with PATCH {status: active}`]);
    expect(messages).toHaveLength(16);

    const stored = await fetch(`${pipeline.stack.apiUrl}/rules/${rule.id}`, { headers: { authorization: `Bearer ${pipeline.stack.devApiKey}` } });
    expect(await stored.json()).toMatchObject({ status: 'paused', pausedReason: 'flood_guard', triggerCount: 16 });

    // Resumed, the rule fires again, with pausedReason cleared.
    const resumed = await fetch(`${pipeline.stack.apiUrl}/rules/${rule.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${pipeline.stack.devApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'active' }),
    });
    expect(await resumed.json()).toMatchObject({ status: 'active', pausedReason: null });
    await pipeline.untilRulesLive();
    expect((await pipeline.evaluate(pipeline.crossing(rule.symbol))).claimed).toBe(1);
  });
});

describe('alerts per minute', () => {
  it('sends 120 of an owner’s 121 alerts in a minute, records the 121st rate_limited with one notice, and leaves another owner alone', async () => {
    const [owner, other] = [uniqueOwner('busy'), uniqueOwner('calm')];
    const symbol = uniqueSymbol();
    const chats = new Map<string, string>();
    for (let i = 0; i < 121; i++) {
      const chatId = uniqueChatId();
      const rule = ruleRecord(owner, { symbol, channels: [{ type: 'telegram', chatId }] });
      chats.set(rule.id, chatId);
      await storeRule(pipeline.stack.services.db, rule, { quota: 1_000, now: new Date() });
    }
    const calmChat = uniqueChatId();
    await storeRule(pipeline.stack.services.db, ruleRecord(other, { symbol, channels: [{ type: 'telegram', chatId: calmChat }] }), { quota: 1_000, now: new Date() });
    await pipeline.untilRulesLive();

    const batch = pipeline.crossing(symbol);
    expect((await pipeline.evaluate(batch)).claimed).toBe(122);
    // A retried batch (the same positions) claims nothing more and counts nothing twice.
    expect((await pipeline.evaluate({ ...batch, seq: batch.seq + 1 })).claimed).toBe(0);

    const alerts = await eventually(
      async () => {
        const page = await listAlerts(pipeline.stack.services.db, owner, { limit: 500 });
        const settled = page.items.filter((a) => a.deliveries.every((d) => d.status !== 'pending'));
        return settled.length === 122 && page.items;
      },
      'the busy owner’s alerts to settle',
      30_000,
    );
    const held = alerts.filter((a) => a.deliveries.every((d) => d.status === 'rate_limited'));
    const notices = alerts.filter((a) => a.message.startsWith('alerts are being held back'));
    const sent = alerts.filter((a) => a.deliveries.every((d) => d.status === 'sent'));
    expect(held).toHaveLength(1);
    expect(notices).toHaveLength(1);
    expect(notices[0]?.message).toBe('alerts are being held back: more than 120 alerts this minute; see GET /alerts');
    expect(sent).toHaveLength(121); // 120 alerts and the notice

    // The held-back alert's chat got the notice, never the alert; every other chat got its alert once.
    const heldChat = chats.get(held[0]?.ruleId ?? '') as string;
    expect(pipeline.telegram.messagesTo(heldChat).map((m) => m.plainText)).toEqual([expect.stringContaining('alerts are being held back')]);
    for (const [ruleId, chatId] of chats) if (ruleId !== held[0]?.ruleId) expect(pipeline.telegram.messagesTo(chatId)).toHaveLength(1);
    expect(pipeline.telegram.messagesTo(calmChat)).toHaveLength(1);
    expect((await getRule(pipeline.stack.services.db, owner, held[0]?.ruleId ?? ''))?.status).toBe('active');
  });
});

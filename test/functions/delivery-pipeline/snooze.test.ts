/**
 * `snoozedUntil` through the real local stack (api.md "Schedules, snooze and bar-close
 * evaluation"): while a rule is snoozed what it fires is recorded in `GET /alerts` with delivery
 * status `snoozed` and nothing is sent; `PATCH {"snoozedUntil": null}` ends the snooze without
 * re-arming the rule; a past time is refused naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rule } from '../../../core/rule-model';
import { eventually } from '../../support/eventually';
import { Pipeline, uniqueChatId, uniqueSymbol } from '../../support/pipeline-stack';

let pipeline: Pipeline;
beforeAll(async () => {
  pipeline = await Pipeline.start({ env: { POWERTOOLS_LOG_LEVEL: 'ERROR' } });
});
afterAll(async () => {
  await pipeline?.stop();
});

async function patch(ruleId: string, body: Record<string, unknown>): Promise<{ status: number; body: Rule & { error?: string; details?: unknown } }> {
  const response = await fetch(`${pipeline.stack.apiUrl}/rules/${ruleId}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${pipeline.stack.devApiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Rule & { error?: string } };
}

describe('snoozedUntil', () => {
  it('records what a snoozed rule fires as snoozed, sends nothing, and sends again once the snooze is ended', async () => {
    const chatId = uniqueChatId();
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const rule = await pipeline.createRule({
      symbol: uniqueSymbol(),
      condition: { type: 'crosses_above', value: 200 },
      trigger: 'rearm',
      cooldownSeconds: 0,
      snoozedUntil: until,
      channels: [{ type: 'telegram', chatId }],
    });
    expect(rule.snoozedUntil).toBe(until);
    await pipeline.untilRulesLive();

    expect((await pipeline.evaluate(pipeline.crossing(rule.symbol))).claimed).toBe(1);
    const [snoozed] = await pipeline.untilDelivered(rule.id);
    expect(snoozed?.deliveries).toEqual([{ channel: 'telegram', status: 'snoozed', attempts: 0 }]);
    await pipeline.untilQueuesDrained();
    expect(pipeline.telegram.messagesTo(chatId)).toEqual([]);

    const woken = await patch(rule.id, { snoozedUntil: null });
    expect(woken.status).toBe(200);
    expect(woken.body).toMatchObject({ snoozedUntil: null, status: 'active' });
    await pipeline.untilRulesLive();
    expect((await pipeline.evaluate(pipeline.crossing(rule.symbol))).claimed).toBe(1);
    await eventually(() => pipeline.telegram.messagesTo(chatId).length === 1, 'the alert after the snooze', 10_000);
    const alerts = await pipeline.alertsOf(rule.id);
    expect(alerts.map((a) => a.deliveries[0]?.status).sort()).toEqual(['sent', 'snoozed']);
  });

  it('refuses a snoozedUntil in the past with a 400 naming the field, and changes nothing', async () => {
    const rule = await pipeline.createRule({ symbol: uniqueSymbol(), condition: { type: 'crosses_above', value: 200 } });
    const refused = await patch(rule.id, { snoozedUntil: '2020-01-01T00:00:00Z' });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('snoozedUntil');
    const stored = await fetch(`${pipeline.stack.apiUrl}/rules/${rule.id}`, { headers: { authorization: `Bearer ${pipeline.stack.devApiKey}` } });
    expect(await stored.json()).toMatchObject({ snoozedUntil: null, updatedAt: rule.updatedAt });
  });
});

/**
 * Delivery lanes through the real local stack (local SQS, the notifier, DynamoDB Local for the
 * pacing lanes, the Telegram stand-in), with production's settings (attempts, backoff, lanes):
 * - one destination that fails never delays another (api.md "Channels", last bullet): while one
 *   chat answers 500 for the whole test, a healthy chat gets an alert from every crossing within
 *   the batch window plus 1 s of the crossing's invocation (its latencies are printed);
 * - a hot symbol: 150 rules of 150 chats crossing at once deliver 150 messages, each once, as fast
 *   as the bot's ~30 a second allows and never faster (the time is printed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TELEGRAM_LIMITS } from '../../../core/channels/telegram';
import { createRule as storeRule } from '../../../storage/rules-repository';
import { ruleRecord } from '../../support/api-fixtures';
import { uniqueOwner } from '../../support/dynamodb';
import { eventually } from '../../support/eventually';
import { Pipeline, uniqueChatId, uniqueSymbol } from '../../support/pipeline-stack';

/** The local stack's batch window (test/support/pipeline-stack.ts). */
const BATCH_WINDOW_MS = 250;
const ROUNDS = 6;

let pipeline: Pipeline;
beforeAll(async () => {
  // The failing chat's retries log warnings by design: print only errors.
  pipeline = await Pipeline.start({ env: { POWERTOOLS_LOG_LEVEL: 'ERROR' } });
});
afterAll(async () => {
  await pipeline?.stop();
});

describe('a failing destination beside a healthy one', () => {
  it("delivers every crossing to the healthy chat within the batch window + 1 s while another chat answers 500", async () => {
    const [failing, healthy] = [uniqueChatId(), uniqueChatId()];
    const symbol = uniqueSymbol();
    const rule = (chatId: string) =>
      pipeline.createRule({ symbol, condition: { type: 'crosses_above', value: 200 }, trigger: 'rearm', cooldownSeconds: 0, channels: [{ type: 'telegram', chatId }] });
    // The failing chat's rules outnumber the healthy one's: its messages crowd the same queue.
    for (let i = 0; i < 4; i++) await rule(failing);
    await rule(healthy);
    await pipeline.untilRulesLive();
    pipeline.telegram.failNext({ kind: 'server_error' }, 10_000, failing);

    const latencies: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const invokedAt = Date.now();
      expect((await pipeline.evaluate(pipeline.crossing(symbol))).claimed).toBe(5);
      const message = await eventually(
        () => pipeline.telegram.messagesTo(healthy)[round - 1],
        `crossing ${round} to reach the healthy chat`,
        BATCH_WINDOW_MS + 3_000,
      );
      latencies.push(message.receivedAt - invokedAt);
      // Telegram allows a chat one message a second: crossings further apart are not paced.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, invokedAt + 1_100 - Date.now())));
    }
    console.log(`healthy chat, invocation → message (ms), ${ROUNDS} crossings while another chat fails: ${latencies.join(', ')}`);

    expect(pipeline.telegram.messagesTo(healthy)).toHaveLength(ROUNDS);
    expect(pipeline.telegram.messagesTo(failing)).toHaveLength(0);
    // Loose on purpose (timings belong to bench:delivery): within the batch window + 1 s.
    for (const latency of latencies) expect(latency).toBeLessThan(BATCH_WINDOW_MS + 1_000);
  });
});

describe('a hot symbol', () => {
  it("delivers 150 alerts of one crossing to 150 chats, each once, at the bot's global rate", async () => {
    const RULES = 150;
    const symbol = uniqueSymbol();
    const owners = Array.from({ length: 10 }, () => uniqueOwner('hot'));
    const chats = Array.from({ length: RULES }, () => uniqueChatId());
    for (let i = 0; i < RULES; i++) {
      const rule = ruleRecord(owners[i % owners.length] as string, { symbol, channels: [{ type: 'telegram', chatId: chats[i] as string }] });
      await storeRule(pipeline.stack.services.db, rule, { quota: 1_000, now: new Date() });
    }
    await pipeline.untilRulesLive();

    const invokedAt = Date.now();
    expect((await pipeline.evaluate(pipeline.crossing(symbol))).claimed).toBe(RULES);
    const mine = new Set(chats);
    const received = await eventually(
      () => {
        const messages = pipeline.telegram.messages.filter((m) => mine.has(m.chatId));
        return messages.length >= RULES && messages;
      },
      'the 150 messages',
      30_000,
    );
    const times = received.map((m) => m.receivedAt).sort((a, b) => a - b);
    console.log(`hot symbol: ${RULES} Telegram messages in ${(times[times.length - 1] as number) - invokedAt} ms after the invocation`);
    // (The first test's failing chat keeps its retries on the queue: duplicates would show within a second or two.)
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    // Each chat exactly once.
    expect(pipeline.telegram.messages.filter((m) => mine.has(m.chatId)).map((m) => m.chatId).sort()).toEqual([...chats].sort());
    // Never faster than the bot's limit: any n > 30 consecutive messages span at least (n − 30) / 30 s (a little clock slack).
    const { capacity, periodMs } = TELEGRAM_LIMITS.overall;
    for (let i = 0; i + capacity < times.length; i += 1) {
      const n = capacity + 1;
      expect((times[i + capacity] as number) - (times[i] as number), `${n} messages from #${i}`).toBeGreaterThanOrEqual(((n - capacity) / capacity) * periodMs - 20);
    }
  });
});

import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../../../functions/notifier/channels/delivery-clock';
import { TelegramSender, type TelegramSenderOptions } from '../../../../functions/notifier/channels/telegram-sender';
import { startTelegramStandIn, type TelegramStandIn } from '../../../../local/telegram-stand-in';
import { fastClock } from '../../../support/delivery-clocks';
import { aDeliverable, HOSTILE_TEXT } from '../../../support/delivery-fixtures';

const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const chat = (chatId: string) => ({ type: 'telegram', chatId }) as const;

let telegram: TelegramStandIn;
/** Shared by sender and stand-in: 20× real time, so waits of seconds take tenths. */
let clock: Clock;

beforeAll(async () => {
  clock = fastClock(20);
  telegram = await startTelegramStandIn({ now: () => clock.now() });
});
afterAll(() => telegram.close());
afterEach(() => telegram.clear());

const senderFor = (options: Partial<TelegramSenderOptions> = {}) =>
  new TelegramSender({ botToken: TOKEN, apiBase: telegram.apiBase, clock, random: () => 0.5, ...options });

describe('the Telegram sender, against the Bot API stand-in', () => {
  it('sends an HTML message that shows the user text exactly as written', async () => {
    const result = await senderFor().send(chat('424242'), aDeliverable({ message: HOSTILE_TEXT, note: 'keep <calm> & carry on' }));
    expect(result).toEqual({ ok: true });
    const [message] = telegram.messagesTo('424242');
    expect(message?.parseMode).toBe('HTML');
    expect(message?.plainText).toBe(`AAPL$US · 200.5\n${HOSTILE_TEXT}\nkeep <calm> & carry on\nrule R1b2C3d4E5f6G7h8I9j0K1`);
    expect(message?.parameters).toMatchObject({ chat_id: '424242', link_preview_options: { is_disabled: true } });
  });

  it('delivers an alert too long for Telegram (4096 characters), cut with an ellipsis instead of refused', async () => {
    const result = await senderFor().send(chat('424243'), aDeliverable({ message: 'x'.repeat(5000), note: 'sell half' }));
    expect(result).toEqual({ ok: true });
    const [message] = telegram.messagesTo('424243');
    expect([...(message?.plainText ?? '')].length).toBeLessThanOrEqual(4096);
    expect(message?.plainText).toMatch(/^AAPL\$US · 200\.5\nx+…\n(…\n)?rule R1b2C3d4E5f6G7h8I9j0K1$/);
  });

  it('waits retry_after on a 429 and then sends', async () => {
    telegram.failNext({ kind: 'too_many_requests', retryAfterSeconds: 2 });
    const started = clock.now();
    expect(await senderFor().send(chat('1001'), aDeliverable())).toEqual({ ok: true });
    expect(telegram.requestCount).toBe(2);
    expect(telegram.messagesTo('1001')[0]?.receivedAt).toBeGreaterThanOrEqual(started + 2_000);
  });

  it('hands a 429 whose wait exceeds the budget back to the queue with retryAfterMs', async () => {
    telegram.failNext({ kind: 'too_many_requests', retryAfterSeconds: 30 });
    const result = await senderFor().send(chat('1002'), aDeliverable());
    expect(result).toEqual({ ok: false, retryable: true, retryAfterMs: 30_000, error: 'Telegram 429: Too Many Requests: retry after 30' });
    expect(telegram.requestCount).toBe(1);
  });

  it('retries server errors and dropped connections with backoff', async () => {
    telegram.failNext({ kind: 'server_error', status: 502 });
    telegram.failNext({ kind: 'disconnect' });
    expect(await senderFor().send(chat('1003'), aDeliverable())).toEqual({ ok: true });
    expect(telegram.requestCount).toBe(3);
    expect(telegram.messagesTo('1003')).toHaveLength(1);
  });

  it('gives up after a few attempts on a lasting outage, as retryable', async () => {
    telegram.failNext({ kind: 'server_error' }, 10);
    const result = await senderFor().send(chat('1004'), aDeliverable());
    expect(result).toEqual({ ok: false, retryable: true, error: 'Telegram 500: Internal Server Error' });
    expect(telegram.requestCount).toBe(3);
  });

  it('does not retry a blocked bot or an unknown chat, and says why', async () => {
    telegram.failNext({ kind: 'bot_blocked' });
    expect(await senderFor().send(chat('1005'), aDeliverable())).toEqual({
      ok: false,
      retryable: false,
      error: 'Telegram 403: Forbidden: bot was blocked by the user',
    });
    telegram.failNext({ kind: 'chat_not_found' });
    expect(await senderFor().send(chat('1006'), aDeliverable())).toMatchObject({ retryable: false, error: 'Telegram 400: Bad Request: chat not found' });
    expect(telegram.requestCount).toBe(2);
  });

  it('times out a request that gets no answer, as retryable', async () => {
    telegram.failNext({ kind: 'hang' }, 5);
    const result = await senderFor({ timeoutMs: 100, retry: { maxAttempts: 2 } }).send(chat('1007'), aDeliverable());
    expect(result).toEqual({ ok: false, retryable: true, error: 'Telegram did not answer within 100 ms' });
  });

  it('rejects a wrong token without retrying', async () => {
    const standIn = await startTelegramStandIn({ token: TOKEN });
    const result = await new TelegramSender({ botToken: '1:wrong', apiBase: standIn.apiBase }).send(chat('1008'), aDeliverable());
    expect(result).toEqual({ ok: false, retryable: false, error: 'Telegram 401: Unauthorized' });
    await standIn.close();
  });
});

describe('the Telegram rate limits, end to end', () => {
  it('sends at most one message per second to one chat', async () => {
    const sender = senderFor();
    const results = await Promise.all([1, 2, 3].map((n) => sender.send(chat('2001'), aDeliverable({ message: `alert ${n}` }))));
    expect(results.every((r) => r.ok)).toBe(true);
    const received = telegram.messagesTo('2001');
    // In order, and a second apart (less a little network latency, measured on the 20× clock).
    expect(received.map((m) => m.plainText.split('\n')[1])).toEqual(['alert 1', 'alert 2', 'alert 3']);
    for (let i = 1; i < received.length; i++) {
      expect((received[i]?.receivedAt ?? 0) - (received[i - 1]?.receivedAt ?? 0)).toBeGreaterThanOrEqual(900);
    }
  });

  it('keeps to about 30 messages per second overall', async () => {
    const sender = senderFor();
    const chats = Array.from({ length: 45 }, (_, i) => String(3000 + i));
    const results = await Promise.all(chats.map((id) => sender.send(chat(id), aDeliverable())));
    expect(results.every((r) => r.ok)).toBe(true);
    const times = telegram.messages.map((m) => m.receivedAt).sort((a, b) => a - b);
    expect(times).toHaveLength(45);
    // A bucket of 30 refilled at 30/s: any n messages span at least (n - 30) / 30 seconds.
    for (let i = 0; i < times.length; i++) {
      for (let j = i + 30; j < times.length; j++) {
        const n = j - i + 1;
        expect((times[j] ?? 0) - (times[i] ?? 0), `${n} messages`).toBeGreaterThanOrEqual(((n - 30) / 30) * 1000 - 100);
      }
    }
  });
});

describe('the bot token', () => {
  it('never appears in errors', async () => {
    // An unparsable base makes fetch quote the whole URL, token included, in its error.
    const result = await new TelegramSender({ botToken: TOKEN, apiBase: 'http://bad host', clock }).send(chat('1'), aDeliverable());
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    expect(JSON.stringify(result)).not.toContain(TOKEN.split(':')[1]);
    expect(JSON.stringify(result)).toContain('<redacted>');
  });

  it('never appears in the log output', async () => {
    const written: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    };
    // Powertools writes INFO and below to stdout, WARN and ERROR to stderr.
    const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(capture), vi.spyOn(process.stderr, 'write').mockImplementation(capture)];
    try {
      const logger = new Logger({ serviceName: 'delivery-test', logLevel: 'DEBUG' });
      telegram.failNext({ kind: 'server_error' });
      telegram.failNext({ kind: 'disconnect' });
      await senderFor({ logger }).send(chat('4001'), aDeliverable());
      await new TelegramSender({ botToken: TOKEN, apiBase: 'http://bad host', logger, clock, retry: { maxAttempts: 2 } }).send(chat('4002'), aDeliverable());
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    const output = written.join('');
    expect(output).toContain('telegram send will be retried');
    expect(output).not.toContain(TOKEN.split(':')[1]);
  });
});

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

  it('answers a 429 after one request as retryable, with retry_after as retryAfterMs (the lane holds the chat off, the queue retries)', async () => {
    telegram.failNext({ kind: 'too_many_requests', retryAfterSeconds: 30 });
    const result = await senderFor().send(chat('1002'), aDeliverable());
    expect(result).toEqual({ ok: false, retryable: true, retryAfterMs: 30_000, error: 'Telegram 429: Too Many Requests: retry after 30' });
    expect(telegram.requestCount).toBe(1);
  });

  it('answers a server error or a dropped connection after one request, as retryable (the queue retries, not the invocation)', async () => {
    telegram.failNext({ kind: 'server_error', status: 502 });
    expect(await senderFor().send(chat('1003'), aDeliverable())).toEqual({ ok: false, retryable: true, error: 'Telegram 502: Internal Server Error' });
    telegram.failNext({ kind: 'disconnect' });
    expect(await senderFor().send(chat('1003'), aDeliverable())).toMatchObject({ ok: false, retryable: true });
    expect(telegram.requestCount).toBe(2);
    expect(await senderFor().send(chat('1003'), aDeliverable())).toEqual({ ok: true });
  });

  it('retries inside one send only when configured to, with backoff, and gives up as retryable', async () => {
    telegram.failNext({ kind: 'server_error' }, 10);
    const result = await senderFor({ retry: { maxAttempts: 3, budgetMs: 5_000 } }).send(chat('1004'), aDeliverable());
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
    const result = await senderFor({ timeoutMs: 100 }).send(chat('1007'), aDeliverable());
    expect(result).toEqual({ ok: false, retryable: true, error: 'Telegram did not answer within 100 ms' });
  });

  it('rejects a wrong token without retrying', async () => {
    const standIn = await startTelegramStandIn({ token: TOKEN });
    const result = await new TelegramSender({ botToken: '1:wrong', apiBase: standIn.apiBase }).send(chat('1008'), aDeliverable());
    expect(result).toEqual({ ok: false, retryable: false, error: 'Telegram 401: Unauthorized' });
    await standIn.close();
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
      await new TelegramSender({ botToken: TOKEN, apiBase: 'http://bad host', logger, clock, retry: { maxAttempts: 2, budgetMs: 5_000 } }).send(chat('4002'), aDeliverable());
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    const output = written.join('');
    expect(output).toContain('telegram send will be retried');
    expect(output).not.toContain(TOKEN.split(':')[1]);
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseTelegramHtml, startTelegramStandIn, type TelegramStandIn } from '../../local/telegram-stand-in';

const TOKEN = '42:local-token_abc';
let telegram: TelegramStandIn;
const printed: string[] = [];

beforeAll(async () => {
  telegram = await startTelegramStandIn({ print: (line) => printed.push(line) });
});
afterAll(() => telegram.close());
afterEach(() => {
  telegram.clear();
  printed.length = 0;
});

const call = (method: string, init: RequestInit = {}, token = TOKEN) => fetch(`${telegram.apiBase}/bot${token}/${method}`, { method: 'POST', ...init });
const json = (body: unknown): RequestInit => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('the Telegram Bot API stand-in', () => {
  it('answers sendMessage like the Bot API and keeps the message', async () => {
    const response = await call('sendMessage', json({ chat_id: 123456789, text: '<b>AAPL$US</b> &lt;3', parse_mode: 'HTML' }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      ok: true,
      result: {
        message_id: expect.any(Number),
        from: expect.objectContaining({ id: 42, is_bot: true }),
        chat: { id: 123456789, type: 'private' },
        date: expect.any(Number),
        text: 'AAPL$US <3',
      },
    });
    expect(telegram.messagesTo('123456789')).toMatchObject([{ chatId: '123456789', text: '<b>AAPL$US</b> &lt;3', plainText: 'AAPL$US <3' }]);
    expect(printed).toEqual(['[telegram] chat 123456789: AAPL$US <3']);
  });

  it('accepts form-encoded and query-string parameters', async () => {
    await call('sendMessage', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'chat_id=-100123&text=form' });
    await call('sendMessage?chat_id=%40somechannel&text=query');
    expect(telegram.messages.map((m) => [m.chatId, m.plainText])).toEqual([
      ['-100123', 'form'],
      ['@somechannel', 'query'],
    ]);
  });

  it("refuses text that Telegram's HTML parser would refuse", async () => {
    for (const text of ['1 < 2', 'a & b', '<script>x</script>', '<b>open', '<b><i>x</b></i>', '&nbsp;']) {
      const response = await call('sendMessage', json({ chat_id: 1, text, parse_mode: 'HTML' }));
      expect(response.status, text).toBe(400);
      expect(((await response.json()) as { description: string }).description, text).toMatch(/^Bad Request: can't parse entities/);
    }
    expect(telegram.messages).toEqual([]);
  });

  it('refuses a bad token, an unknown method and an empty text', async () => {
    expect((await call('sendMessage', json({ chat_id: 1, text: 'x' }), 'not-a-token')).status).toBe(401);
    expect((await call('sendPigeon', json({}))).status).toBe(404);
    const empty = await call('sendMessage', json({ chat_id: 1, text: ' ' }));
    expect(await empty.json()).toEqual({ ok: false, error_code: 400, description: 'Bad Request: message text is empty' });
  });

  it('fails the next requests as programmed, optionally for one chat only', async () => {
    telegram.failNext({ kind: 'too_many_requests', retryAfterSeconds: 3 }, 1, '7');
    const other = await call('sendMessage', json({ chat_id: 8, text: 'x' }));
    expect(other.status).toBe(200);
    const throttled = await call('sendMessage', json({ chat_id: 7, text: 'x' }));
    expect(throttled.status).toBe(429);
    expect(await throttled.json()).toEqual({ ok: false, error_code: 429, description: 'Too Many Requests: retry after 3', parameters: { retry_after: 3 } });

    telegram.failNext({ kind: 'bot_blocked' });
    expect(await (await call('sendMessage', json({ chat_id: 7, text: 'x' }))).json()).toMatchObject({ error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    telegram.failNext({ kind: 'disconnect' });
    await expect(call('sendMessage', json({ chat_id: 7, text: 'x' }))).rejects.toThrow();
    expect(telegram.requestCount).toBe(4);
    expect(telegram.messages.map((m) => m.chatId)).toEqual(['8']);
  });

  it('answers getMe', async () => {
    expect(await (await call('getMe')).json()).toMatchObject({ ok: true, result: { id: 42, is_bot: true } });
  });

  it('decodes numeric entities and keeps known tags', () => {
    expect(parseTelegramHtml('<a href="https://x.test">&#60;x&#x3E;</a> <code>&quot;</code>')).toEqual({ ok: true, text: '<x> "' });
  });

  it('stops cleanly, even with a request left hanging', async () => {
    const standIn = await startTelegramStandIn();
    standIn.failNext({ kind: 'hang' });
    const pending = fetch(`${standIn.apiBase}/bot${TOKEN}/sendMessage`, { method: 'POST', ...json({ chat_id: 1, text: 'x' }) }).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await standIn.close();
    expect(await pending).toBeInstanceOf(Error);
  });
});

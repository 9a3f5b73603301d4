import { describe, expect, it } from 'vitest';
import {
  dashboardBody,
  dashboardMessage,
  deliveryUpdateMessage,
  emailHtml,
  emailSubject,
  emailText,
  telegramText,
  webhookBody,
  webhookPayload,
} from '../../../../functions/notifier/channels/message-formats';
import { parseTelegramHtml } from '../../../../local/telegram-stand-in';
import { aDeliverable, HOSTILE_TEXT } from '../../../support/delivery-fixtures';

describe('alert message formats', () => {
  it('names symbol, condition and price in the email subject', () => {
    expect(emailSubject(aDeliverable())).toBe('AAPL$US crossed above 200 — 200.5');
    expect(emailSubject(aDeliverable({ condition: { type: 'enters_channel', lower: 190, upper: 210 }, price: 195 }))).toBe('AAPL$US entered 190–210 — 195');
  });

  it('keeps the subject on one line whatever the condition text holds', () => {
    expect(emailSubject(aDeliverable({ symbol: 'AAPL$US\r\nBcc: x@evil.test' }))).not.toMatch(/[\r\n]/);
  });

  it('lists the alert details in the plain-text email and ends with a footer naming the rule', () => {
    const text = emailText(aDeliverable({ note: 'sell half' }));
    expect(text.split('\n')[0]).toBe('AAPL$US crossed above 200: last 200.5 at 2026-03-02T14:30:00.250Z');
    expect(text).toMatch(/^Price: +200\.5$/m);
    expect(text).toMatch(/^Condition: +crossed above 200$/m);
    expect(text).toMatch(/^Tick time: +2026-03-02T14:30:00\.250Z$/m);
    expect(text).toMatch(/^Note: +sell half$/m);
    expect(text).toContain('rule R1b2C3d4E5f6G7h8I9j0K1');
  });

  it('leaves the note out when there is none', () => {
    expect(emailText(aDeliverable())).not.toMatch(/^Note:/m);
    expect(telegramText(aDeliverable())).not.toContain('<i>');
  });

  it('escapes every piece of user text in the HTML email', () => {
    const html = emailHtml(aDeliverable({ message: HOSTILE_TEXT, note: HOSTILE_TEXT }));
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>bold');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt; &#39;quote&#39; &amp;amp; 1 &lt; 2 &gt; 0');
  });

  it('escapes user text for Telegram so that it reads exactly as written', () => {
    const text = telegramText(aDeliverable({ message: HOSTILE_TEXT, note: 'a<b & c>d' }));
    const parsed = parseTelegramHtml(text);
    expect(parsed).toEqual({ ok: true, text: expect.stringContaining(HOSTILE_TEXT) });
    expect(parsed.ok && parsed.text).toContain('a<b & c>d');
    // Telegram's HTML mode only wants &, < and > replaced: quotes stay as they are.
    expect(text).toContain(`alert("x")`);
  });

  it('builds the webhook body with exactly the documented fields', () => {
    const payload = webhookPayload(aDeliverable(), Date.parse('2026-03-02T14:30:01Z'));
    expect(Object.keys(payload)).toEqual(['alertId', 'ruleId', 'symbol', 'price', 'condition', 'message', 'tickAt', 'triggeredAt', 'sentAt']);
    expect(payload.sentAt).toBe('2026-03-02T14:30:01.000Z');
  });

  it('pushes the alert to dashboards in the shape of GET /alerts, with its deliveries as they stand', () => {
    const deliveries = [{ channel: 'telegram' as const, status: 'sent' as const, attempts: 1 }, { channel: 'email' as const, status: 'pending' as const, attempts: 0 }];
    expect(dashboardMessage(aDeliverable({ deliveries }))).toEqual({
      type: 'alert',
      alert: {
        id: 'A1b2C3d4E5f6G7h8I9j0K1',
        ruleId: 'R1b2C3d4E5f6G7h8I9j0K1',
        symbol: 'AAPL$US',
        price: 200.5,
        condition: { type: 'crosses_above', value: 200 },
        message: expect.any(String),
        tickAt: '2026-03-02T14:30:00.250Z',
        triggeredAt: '2026-03-02T14:30:00.400Z',
        deliveries,
      },
    });
  });

  it('tells the dashboards a delivery outcome by alert id and position', () => {
    expect(deliveryUpdateMessage('A1', 1, { channel: 'email', status: 'pending', attempts: 2, error: 'SES answered 503' })).toEqual({
      type: 'delivery',
      alertId: 'A1',
      index: 1,
      delivery: { channel: 'email', status: 'pending', attempts: 2, error: 'SES answered 503' },
    });
  });

  it('cuts a Telegram text longer than 4096 characters with an ellipsis, markup intact, the rule id kept', () => {
    const message = `${'&'.repeat(500)}${'😀'.repeat(2000)}`;
    const text = telegramText(aDeliverable({ message, note: 'sell <half>' }));
    expect(text.length).toBeLessThanOrEqual(4096);
    const parsed = parseTelegramHtml(text);
    expect(parsed.ok).toBe(true);
    expect(parsed.ok && parsed.text.split('\n')[1]).toMatch(/^&+(?:😀)+…$/u);
    expect(text).toContain('rule <code>R1b2C3d4E5f6G7h8I9j0K1</code>');
    // The message took the room: of the note, after it, an ellipsis at most is left.
    expect(text).not.toContain('sell');
  });

  it('cuts the note, not the message, when only the two together are too long for Telegram', () => {
    const text = telegramText(aDeliverable({ message: 'm'.repeat(3900), note: 'n'.repeat(500) }));
    expect(text.length).toBe(4096);
    expect(text).toContain('m'.repeat(3900));
    expect(text).toMatch(/<i>n+…<\/i>/);
  });

  it('keeps texts within their limits untouched', () => {
    const alert = aDeliverable({ message: 'x'.repeat(1000), note: 'y'.repeat(500) });
    expect(telegramText(alert)).toContain(`${'x'.repeat(1000)}\n<i>${'y'.repeat(500)}</i>`);
    expect(JSON.parse(webhookBody(alert, 0)).message).toBe('x'.repeat(1000));
    expect(JSON.parse(dashboardBody(alert)).alert.message).toBe('x'.repeat(1000));
  });

  it('cuts an email subject to 200 characters with an ellipsis', () => {
    const subject = emailSubject(aDeliverable({ condition: { type: 'any', conditions: Array.from({ length: 20 }, (_, i) => ({ type: 'crosses_above' as const, value: 100 + i })) } }));
    expect(subject).toHaveLength(200);
    expect(subject.endsWith('…')).toBe(true);
  });

  it('cuts the message of a webhook body over 64 KiB, and of a dashboard push over 128 KiB, keeping valid JSON', () => {
    const alert = aDeliverable({ message: '"é'.repeat(70_000) });
    const body = webhookBody(alert, Date.parse('2026-03-02T14:30:01Z'));
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(64 * 1024);
    expect(Buffer.byteLength(body)).toBeGreaterThan(64 * 1024 - 16);
    expect(JSON.parse(body)).toMatchObject({ alertId: 'A1b2C3d4E5f6G7h8I9j0K1', message: expect.stringMatching(/^("é)+"?…$/), sentAt: '2026-03-02T14:30:01.000Z' });
    const pushed = dashboardBody(alert);
    expect(Buffer.byteLength(pushed)).toBeLessThanOrEqual(128 * 1024);
    expect(JSON.parse(pushed)).toMatchObject({ type: 'alert', alert: { id: 'A1b2C3d4E5f6G7h8I9j0K1', message: expect.stringMatching(/…$/) } });
  });
});

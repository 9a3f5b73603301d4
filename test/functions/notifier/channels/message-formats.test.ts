import { describe, expect, it } from 'vitest';
import {
  dashboardMessage,
  deliveryUpdateMessage,
  emailHtml,
  emailSubject,
  emailText,
  telegramText,
  webhookPayload,
} from '../../../../functions/notifier/channels/message-formats';
import { alertNotificationSchema } from '../../../../functions/notifier/channels/notification';
import { parseTelegramHtml } from '../../../../local/telegram-stand-in';
import { aNotification, HOSTILE_TEXT } from '../../../support/delivery-fixtures';

describe('alert message formats', () => {
  it('names symbol, condition and price in the email subject', () => {
    expect(emailSubject(aNotification())).toBe('AAPL$US crossed above 200 — 200.5');
    expect(emailSubject(aNotification({ condition: { type: 'enters_channel', lower: 190, upper: 210 }, price: 195 }))).toBe('AAPL$US entered 190–210 — 195');
  });

  it('keeps the subject on one line whatever the condition text holds', () => {
    expect(emailSubject(aNotification({ symbol: 'AAPL$US\r\nBcc: x@evil.test' }))).not.toMatch(/[\r\n]/);
  });

  it('lists the alert details in the plain-text email and ends with a footer naming the rule', () => {
    const text = emailText(aNotification({ note: 'sell half' }));
    expect(text.split('\n')[0]).toBe('AAPL$US crossed above 200: last 200.5 at 2026-03-02T14:30:00.250Z');
    expect(text).toMatch(/^Price: +200\.5$/m);
    expect(text).toMatch(/^Condition: +crossed above 200$/m);
    expect(text).toMatch(/^Tick time: +2026-03-02T14:30:00\.250Z$/m);
    expect(text).toMatch(/^Note: +sell half$/m);
    expect(text).toContain('rule R1b2C3d4E5f6G7h8I9j0K1');
  });

  it('leaves the note out when there is none', () => {
    expect(emailText(aNotification())).not.toMatch(/^Note:/m);
    expect(telegramText(aNotification())).not.toContain('<i>');
  });

  it('escapes every piece of user text in the HTML email', () => {
    const html = emailHtml(aNotification({ message: HOSTILE_TEXT, note: HOSTILE_TEXT }));
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>bold');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt; &#39;quote&#39; &amp;amp; 1 &lt; 2 &gt; 0');
  });

  it('escapes user text for Telegram so that it reads exactly as written', () => {
    const text = telegramText(aNotification({ message: HOSTILE_TEXT, note: 'a<b & c>d' }));
    const parsed = parseTelegramHtml(text);
    expect(parsed).toEqual({ ok: true, text: expect.stringContaining(HOSTILE_TEXT) });
    expect(parsed.ok && parsed.text).toContain('a<b & c>d');
    // Telegram's HTML mode only wants &, < and > replaced: quotes stay as they are.
    expect(text).toContain(`alert("x")`);
  });

  it('builds the webhook body with exactly the documented fields', () => {
    const payload = webhookPayload(aNotification(), Date.parse('2026-03-02T14:30:01Z'));
    expect(Object.keys(payload)).toEqual(['alertId', 'ruleId', 'symbol', 'price', 'condition', 'message', 'tickAt', 'triggeredAt', 'sentAt']);
    expect(payload.sentAt).toBe('2026-03-02T14:30:01.000Z');
  });

  it('pushes the alert to dashboards in the shape of GET /alerts, with its deliveries as they stand', () => {
    const deliveries = [{ channel: 'telegram' as const, status: 'sent' as const, attempts: 1 }, { channel: 'email' as const, status: 'pending' as const, attempts: 0 }];
    expect(dashboardMessage(aNotification(), deliveries)).toEqual({
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

  it('validates the queue message body against the notification schema', () => {
    expect(alertNotificationSchema.parse(aNotification())).toEqual(aNotification());
    expect(alertNotificationSchema.safeParse({ ...aNotification(), tickAt: 'yesterday' }).success).toBe(false);
    expect(alertNotificationSchema.safeParse({ ...aNotification(), extra: 1 }).success).toBe(false);
  });
});

/**
 * Message bounds of issue #16: the largest rule the API accepts — a 500-character note, a
 * 1000-character message template that repeats `{{note}}`, the longest symbol and a five-part
 * condition — rendered as the evaluator renders it (renderMessage) and formatted by every
 * channel's formatter (the senders' `format`), stays within each channel's limit (Telegram 4096
 * characters, email subject 200, webhook body 64 KiB, dashboard push 128 KiB), cut with an
 * ellipsis, and stays well-formed. message-bounds-delivery.test.ts sends it through the senders.
 */
import { describe, expect, it } from 'vitest';
import type { LengthLimit } from '../../../../core/channels/definition';
import { channelDefinition, DELIVERY_CHANNEL_TYPES } from '../../../../core/channels/registry';
import { renderMessage } from '../../../../core/engine';
import { MAX_MESSAGE_LENGTH, MAX_NOTE_LENGTH, ruleCreateSchema } from '../../../../core/rule-model';
import { CHANNEL_IMPLEMENTATIONS } from '../../../../functions/notifier/channels/registry';
import { emailSubject, telegramText, webhookPayload } from '../../../../functions/notifier/channels/message-formats';
import { ELLIPSIS } from '../../../../functions/notifier/channels/text-limits';
import { parseTelegramHtml } from '../../../../local/telegram-stand-in';
import { largestAcceptedAlert, SENT_AT } from '../../../support/largest-alert';

const measure = (text: string, limit: LengthLimit) => (limit.unit === 'bytes' ? Buffer.byteLength(text, 'utf8') : text.length);

describe('the largest rule the API accepts', () => {
  const { rule, deliverable } = largestAcceptedAlert();

  it('is a valid rule at every length limit of the rule model', () => {
    expect(ruleCreateSchema.safeParse(rule).success).toBe(true);
    expect(rule.note).toHaveLength(MAX_NOTE_LENGTH);
    expect(rule.message).toHaveLength(MAX_MESSAGE_LENGTH);
    // The rendered message is far beyond any channel: 118 notes of 500 characters and more.
    expect(deliverable.alert.message.length).toBeGreaterThan(59_000);
    expect(deliverable.alert.message).toBe(
      renderMessage(rule.message, { symbol: rule.symbol, condition: rule.condition, price: deliverable.alert.price, at: Date.parse(deliverable.alert.tickAt), note: rule.note }),
    );
  });

  it.each(DELIVERY_CHANNEL_TYPES)('renders within every limit of the %s channel, cut with an ellipsis', (type) => {
    const parts: Record<string, string> = CHANNEL_IMPLEMENTATIONS[type].format(deliverable, SENT_AT);
    const limits = Object.entries(channelDefinition(type).message) as Array<[string, LengthLimit]>;
    expect(limits.length).toBeGreaterThan(0);
    for (const [part, limit] of limits) {
      const text = parts[part] ?? '';
      console.log(`${type} ${part}: ${measure(text, limit)} of ${limit.max} ${limit.unit}`);
      expect(measure(text, limit), `${type} ${part}`).toBeLessThanOrEqual(limit.max);
      expect(text, `${type} ${part}`).toContain(ELLIPSIS);
    }
  });

  it('keeps the Telegram text valid HTML, within 4096 characters as the user sees it, the rule id last', () => {
    const parsed = parseTelegramHtml(telegramText(deliverable));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect([...parsed.text].length).toBeLessThanOrEqual(4096);
    expect(parsed.text.split('\n').at(-1)).toBe(`rule ${deliverable.alert.ruleId}`);
  });

  it('keeps the email subject on one line', () => {
    expect(emailSubject(deliverable)).not.toMatch(/[\r\n]/);
    expect(emailSubject(deliverable).endsWith(ELLIPSIS)).toBe(true);
  });

  it('cuts only the message of the webhook and dashboard bodies: valid JSON, every other field whole', () => {
    const webhook = JSON.parse(CHANNEL_IMPLEMENTATIONS.webhook.format(deliverable, SENT_AT).body) as Record<string, unknown>;
    const { message, ...rest } = webhookPayload(deliverable, SENT_AT);
    expect(webhook).toEqual({ ...rest, message: expect.stringMatching(/…$/u) });
    expect(message.startsWith(String(webhook.message).slice(0, -1))).toBe(true);

    const pushed = JSON.parse(CHANNEL_IMPLEMENTATIONS.dashboard.format(deliverable).body) as { alert: Record<string, unknown> };
    expect({ ...pushed.alert, message: null }).toEqual({ ...deliverable.alert, message: null });
    expect(String(pushed.alert.message).endsWith(ELLIPSIS)).toBe(true);
  });

  it('shows a 500-character note whole on Telegram with the default message', () => {
    const { deliverable: withDefault } = largestAcceptedAlert({ message: null });
    const parsed = parseTelegramHtml(telegramText(withDefault));
    expect(parsed.ok && parsed.text).toContain(`\n${withDefault.note ?? ''}\n`);
  });
});

/**
 * Telegram through the Bot API (`sendMessage`, HTML parse mode): a chat id or a public
 * @channelname per channel. Telegram's published limits (core.telegram.org/bots/faq): one message
 * per second to a chat, 20 a minute to a group or channel, about 30 a second overall.
 */
import * as z from 'zod';
import { mustBe } from '../rule-model/validation';
import { defineRuleChannel, type BucketLimit } from './definition';

/** Telegram's published limits (core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this). */
export const TELEGRAM_LIMITS = {
  perChat: { capacity: 1, periodMs: 1_000 },
  /** Groups, supergroups and channels: chat ids starting with `-` or `@`. */
  perGroup: { capacity: 20, periodMs: 60_000 },
  overall: { capacity: 30, periodMs: 1_000 },
} as const satisfies Record<string, BucketLimit>;

/** Groups, supergroups and channels have negative ids (or a public @name); users positive ones. */
export function isGroupChat(chatId: string): boolean {
  return chatId.startsWith('-') || chatId.startsWith('@');
}

export const telegramChannel = defineRuleChannel({
  type: 'telegram',
  title: 'Telegram',
  schema: z.strictObject({
    type: z.literal('telegram'),
    chatId: z
      .string({ error: mustBe('a string') })
      .regex(/^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$/, {
        error: 'must be a Telegram chat id (digits, e.g. "123456789") or a public @channelname',
      }),
  }),
  destination: { kind: 'address', field: 'chatId' },
  form: { label: 'Telegram chat id', placeholder: '123456789', inputMode: 'text' },
  // Telegram counts 4096 characters after parsing the markup; counted on the HTML as sent, it always fits.
  message: { text: { max: 4096, unit: 'characters' } },
  rateLimits: {
    paced: true,
    lanes: (channel) => {
      const chatId = String(channel.chatId);
      return [
        { key: `telegram:chat:${chatId}`, limit: TELEGRAM_LIMITS.perChat },
        ...(isGroupChat(chatId) ? [{ key: `telegram:group:${chatId}`, limit: TELEGRAM_LIMITS.perGroup }] : []),
        { key: 'telegram:bot', limit: TELEGRAM_LIMITS.overall },
      ];
    },
  },
  // The lanes hold across instances; 2 (the smallest maximum SQS event sources accept) keeps the bot's sends few at a time.
  queue: { maxConcurrency: 2 },
});

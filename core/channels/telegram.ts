/**
 * Telegram through the Bot API (`sendMessage`, HTML parse mode): a chat id or a public
 * @channelname per channel. Telegram's published limits (core.telegram.org/bots/faq): one message
 * per second to a chat, 20 a minute to a group or channel, about 30 a second overall.
 */
import * as z from 'zod';
import { mustBe } from '../rule-model/validation';
import { defineRuleChannel } from './definition';

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
    buckets: {
      perChat: { capacity: 1, periodMs: 1_000 },
      /** Groups, supergroups and channels: chat ids starting with `-` or `@`. */
      perGroup: { capacity: 20, periodMs: 60_000 },
      overall: { capacity: 30, periodMs: 1_000 },
    },
  },
  // Each instance paces itself, so the instances are few: 2 is the smallest maximum SQS event sources accept.
  queue: { maxConcurrency: 2 },
});

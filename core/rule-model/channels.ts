/** Delivery channels of a rule: where its alerts go. */
import * as z from 'zod';
import { mustBe } from './validation';

export const emailChannelSchema = z.strictObject({
  type: z.literal('email'),
  to: z.email({ error: mustBe('an email address') }).max(254, { error: 'must be at most 254 characters' }),
});

export const telegramChannelSchema = z.strictObject({
  type: z.literal('telegram'),
  chatId: z
    .string({ error: mustBe('a string') })
    .regex(/^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$/, {
      error: 'must be a Telegram chat id (digits, e.g. "123456789") or a public @channelname',
    }),
});

export const webhookChannelSchema = z.strictObject({
  type: z.literal('webhook'),
  url: z
    .string({ error: mustBe('a string') })
    .max(2048, { error: 'must be at most 2048 characters' })
    .refine(isHttpUrl, { message: 'must be an absolute http(s) URL' }),
});

function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'https:' || protocol === 'http:';
}

export const CHANNEL_TYPES = ['email', 'telegram', 'webhook'] as const;

export const channelSchema = z.discriminatedUnion('type', [emailChannelSchema, telegramChannelSchema, webhookChannelSchema], {
  error: () => `must be one of ${CHANNEL_TYPES.join(', ')}`,
});

export type Channel = z.infer<typeof channelSchema>;
export type ChannelType = Channel['type'];

/** Webhooks: a signed JSON POST to a URL the user gives, vetted by the URL policy (url-destination.ts). */
import * as z from 'zod';
import { defineRuleChannel } from './definition';
import { destinationUrlSchema } from './url-destination';

export const webhookChannel = defineRuleChannel({
  type: 'webhook',
  title: 'webhook',
  schema: z.strictObject({ type: z.literal('webhook'), url: destinationUrlSchema }),
  destination: { kind: 'url', field: 'url' },
  form: { label: 'Webhook URL', placeholder: 'https://example.com/hook', inputMode: 'url' },
  message: { body: { max: 64 * 1024, unit: 'bytes' } },
  rateLimits: { paced: false, why: 'each receiver is its own destination; its 429 and Retry-After answers are honoured' },
  queue: {},
});

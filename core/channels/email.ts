/** Email through Amazon SES: one address per channel; the sender is the deployment's (ALERT_FROM_EMAIL). */
import * as z from 'zod';
import { mustBe } from '../rule-model/validation';
import { defineRuleChannel } from './definition';

export const emailChannel = defineRuleChannel({
  type: 'email',
  title: 'email',
  schema: z.strictObject({
    type: z.literal('email'),
    to: z.email({ error: mustBe('an email address') }).max(254, { error: 'must be at most 254 characters' }),
  }),
  destination: { kind: 'address', field: 'to' },
  form: { label: 'Email address', placeholder: 'me@example.com', inputMode: 'email' },
  message: { subject: { max: 200, unit: 'characters' } },
  // The account's sending rate (SES_MAX_SEND_RATE), shared by every address; SES's Throttling answers are retried too.
  rateLimits: { paced: true, lanes: (_channel, settings) => [{ key: 'ses:account', limit: { capacity: settings.sesMaxSendRate, periodMs: 1_000 } }] },
  queue: {},
});

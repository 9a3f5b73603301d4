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
  rateLimits: { paced: false, why: "SES enforces the account's sending rate; its Throttling answers are retried" },
  queue: {},
});

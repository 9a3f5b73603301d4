/**
 * What the notifier hands to each channel: one fired alert with its rendered text. The schema is
 * the contract of the delivery queue's message body (the evaluator writes it, the notifier parses
 * it), so both sides validate against the same definition.
 */
import * as z from 'zod';
import { conditionSchema } from '../../../core/rule-model';

export const alertNotificationSchema = z.strictObject({
  alertId: z.string().min(1),
  /** Owner of the rule: selects the webhook secret and the dashboard connections. */
  owner: z.string().min(1),
  ruleId: z.string().min(1),
  symbol: z.string().min(1),
  price: z.number(),
  /** Time of the tick that fired the rule, ISO-8601 UTC. */
  tickAt: z.iso.datetime(),
  /** When the evaluator claimed the alert, ISO-8601 UTC. */
  triggeredAt: z.iso.datetime(),
  condition: conditionSchema,
  /** The rule's message template rendered by core/engine renderMessage: user text, never markup. */
  message: z.string(),
  note: z.string().nullable(),
});

export type AlertNotification = z.infer<typeof alertNotificationSchema>;

/** The alert resource of `GET /alerts`: one fired rule, with the state of each of its deliveries. */
import * as z from 'zod';
import { DELIVERY_CHANNEL_TYPES, type DeliveryChannelType } from '../channels/registry';
import { conditionSchema } from './conditions';

/**
 * `rate_limited`: held back by the owner's alerts-per-minute limit (OWNER_ALERTS_PER_MINUTE);
 * `snoozed`: fired while the rule's `snoozedUntil` was ahead. Either way the alert is recorded but
 * never queued, and the notifier treats the delivery as done.
 */
export const DELIVERY_STATUSES = ['pending', 'sent', 'failed', 'rate_limited', 'snoozed'] as const;

// Every registered channel type (the registry is never empty: test/core/channels/registry.test.ts).
const deliveryChannels = DELIVERY_CHANNEL_TYPES as [DeliveryChannelType, ...DeliveryChannelType[]];

export const deliverySchema = z.strictObject({
  channel: z.enum(deliveryChannels),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.int(),
  error: z.string().optional(),
});

export const alertSchema = z.strictObject({
  id: z.string(),
  ruleId: z.string(),
  symbol: z.string(),
  price: z.number(),
  condition: conditionSchema,
  message: z.string(),
  tickAt: z.string(),
  triggeredAt: z.string(),
  deliveries: z.array(deliverySchema),
});

export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export type Delivery = z.infer<typeof deliverySchema>;
export type Alert = z.infer<typeof alertSchema>;

/** The alert with every delivery in `status` (a held-back alert, or a notice sent in an alert's place). */
export function withDeliveryStatus(alert: Alert, status: DeliveryStatus): Alert {
  return { ...alert, deliveries: alert.deliveries.map((delivery) => ({ ...delivery, status })) };
}

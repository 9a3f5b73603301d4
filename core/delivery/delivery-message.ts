/**
 * The message the evaluator queues for each delivery of a claimed alert, and the notifier reads.
 * One message per channel, on the queue of its type, so a slow or failing channel never holds up
 * another; each channel every alert goes to (the dashboard push) is a message of its own, of that
 * kind. The message only points at the alert: the alert record holds the channels as they were
 * when it fired. Versioned like the batch event.
 */
import * as z from 'zod';
import { ALERT_WIDE_CHANNEL_TYPES, type AlertWideChannelType } from '../channels/registry';

export const DELIVERY_MESSAGE_VERSION = 1 as const;

const alertRef = {
  version: z.literal(DELIVERY_MESSAGE_VERSION),
  owner: z.string().min(1),
  /** Sort key of the alert item in the owner's alert partition. */
  alertKey: z.string().min(1),
};

export const deliveryMessageSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('channel'),
    ...alertRef,
    /** Position of the delivery in the alert's `deliveries` and `channels`. */
    index: z.int().nonnegative(),
  }),
  // The registry has the dashboard (test/core/channels/registry.test.ts).
  z.strictObject({ kind: z.enum(ALERT_WIDE_CHANNEL_TYPES as [AlertWideChannelType, ...AlertWideChannelType[]]), ...alertRef }),
]);

export type DeliveryMessage = z.infer<typeof deliveryMessageSchema>;

/**
 * The message the evaluator queues for each delivery of a claimed alert, and the notifier reads.
 * One message per channel, so a slow or failing channel never holds up another; the dashboard
 * push is a message of its own. The message only points at the alert: the alert record holds the
 * channels as they were when it fired. Versioned like the batch event.
 */
import * as z from 'zod';

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
  z.strictObject({ kind: z.literal('dashboard'), ...alertRef }),
]);

export type DeliveryMessage = z.infer<typeof deliveryMessageSchema>;

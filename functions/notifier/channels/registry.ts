/**
 * The network side of the channel registry: each registered channel type (core/channels/registry.ts)
 * with its formatter and sender. Keyed by the registry's types, so a type without an entry here does
 * not compile; test/core/channels/registry.test.ts checks that every entry keeps its length limits.
 */
import type { DeliveryChannelType } from '../../../core/channels/registry';
import { channelDefinition, DELIVERY_CHANNEL_TYPES } from '../../../core/channels/registry';
import type { DeliverableAlert } from '../../../core/delivery/deliverable-alert';
import type { DeliveryChannel } from '../../../core/rule-model';
import type { ChannelImplementation, DeliveryChannelOf, SenderContext } from './channel-implementation';
import { dashboardImplementation } from './dashboard-pusher';
import { failure, type ChannelSender, type DeliveryResult } from './delivery-result';
import { emailImplementation } from './email-sender';
import { telegramImplementation } from './telegram-sender';
import { webhookImplementation } from './webhook-sender';

export const CHANNEL_IMPLEMENTATIONS = {
  email: emailImplementation,
  telegram: telegramImplementation,
  webhook: webhookImplementation,
  dashboard: dashboardImplementation,
} as const satisfies { readonly [T in DeliveryChannelType]: ChannelImplementation<T> };

/** One sender per channel type; null for a channel this deployment has not configured. */
export type ChannelSenders = { [T in DeliveryChannelType]: ChannelSender<DeliveryChannelOf<T>> | null };

/** The senders as made, each of its own class (the dashboard pusher also tells delivery outcomes). */
export type CreatedSenders = { [T in DeliveryChannelType]: Awaited<ReturnType<(typeof CHANNEL_IMPLEMENTATIONS)[T]['createSender']>> };

/** Makes every channel's sender, once per notifier instance. */
export async function createSenders(context: SenderContext): Promise<CreatedSenders> {
  const made = await Promise.all(DELIVERY_CHANNEL_TYPES.map(async (type) => [type, await CHANNEL_IMPLEMENTATIONS[type].createSender(context)] as const));
  // Built key by key over every registered type.
  return Object.fromEntries(made) as CreatedSenders;
}

/** What a delivery on a channel without a sender answers. */
function unconfigured(type: DeliveryChannelType): DeliveryResult {
  const implementation: ChannelImplementation<DeliveryChannelType> = CHANNEL_IMPLEMENTATIONS[type];
  return implementation.unconfigured ?? failure(false, `${channelDefinition(type).title} is not configured on this deployment`);
}

/** Sends `alert` to one destination with the sender of its type. */
export async function sendToChannel(senders: ChannelSenders, channel: DeliveryChannel, alert: DeliverableAlert): Promise<DeliveryResult> {
  // The sender of a channel's own type takes that channel; TypeScript cannot relate the two unions.
  const sender = senders[channel.type] as ChannelSender<DeliveryChannel> | null;
  return sender === null ? unconfigured(channel.type) : sender.send(channel, alert);
}

/**
 * The delivery channels: one sender per channel type, each sending one alert to one destination
 * and answering with a DeliveryResult (never throwing for a failed delivery). The notifier creates
 * them once per container and calls sendToChannel for each of a rule's channels, plus the
 * dashboard pusher for every alert.
 */
import type { Channel } from '../../../core/rule-model';
import type { DeliveryResult } from './delivery-result';
import type { EmailSender } from './email-sender';
import type { AlertNotification } from './notification';
import type { TelegramSender } from './telegram-sender';
import type { WebhookSender } from './webhook-sender';

export * from './dashboard-pusher';
export * from './delivery-clock';
export type * from './delivery-logger';
export * from './delivery-result';
export * from './email-sender';
export * from './message-formats';
export * from './notification';
export * from './telegram-rate-limiter';
export * from './telegram-sender';
export * from './webhook-sender';
export * from './webhook-signature';

/** The senders for the rule channels; null for a channel this deployment has not configured. */
export interface ChannelSenders {
  email: Pick<EmailSender, 'send'>;
  telegram: Pick<TelegramSender, 'send'> | null;
  webhook: Pick<WebhookSender, 'send'>;
}

/** Sends `notification` to one of a rule's channels with the sender for its type. */
export async function sendToChannel(senders: ChannelSenders, channel: Channel, notification: AlertNotification): Promise<DeliveryResult> {
  switch (channel.type) {
    case 'email':
      return senders.email.send(channel, notification);
    case 'telegram':
      return senders.telegram === null
        ? { ok: false, retryable: false, error: 'Telegram is not configured on this deployment (no bot token)' }
        : senders.telegram.send(channel, notification);
    case 'webhook':
      return senders.webhook.send(channel, notification);
  }
}

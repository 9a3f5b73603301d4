/**
 * The network side of a channel type: how its message is formatted and how it is sent. Each
 * sender module exports one {@link ChannelImplementation}; registry.ts keys them by the types of
 * core/channels/registry.ts, so a registered type without one does not compile.
 */
import type { ChannelDefinitionOf, DeliveryChannelType } from '../../../core/channels/registry';
import type { DeliverableAlert } from '../../../core/delivery/deliverable-alert';
import type { DeliveryChannel } from '../../../core/rule-model';
import type { Db } from '../../../storage/dynamodb-client';
import type { NotifierConfig } from '../../shared/config';
import type { DeliveryLogger } from './delivery-logger';
import type { ChannelSender, DeliveryResult } from './delivery-result';
import type { WebhookTargetPolicy } from './webhook-sender';

/** Where one delivery of type `T` goes: the rule's channel item, or `{ type: 'dashboard' }`. */
export type DeliveryChannelOf<T extends DeliveryChannelType> = Extract<DeliveryChannel, { type: T }>;

/**
 * The parts of a channel's message, each within the length its definition declares for it
 * (`message` in core/channels/<type>.ts). `sentAt` is when the send begins (epoch ms).
 */
export type MessageFormat<T extends DeliveryChannelType> = (alert: DeliverableAlert, sentAt: number) => Record<keyof ChannelDefinitionOf<T>['message'], string>;

/** What every sender factory gets, once per notifier instance. */
export interface SenderContext {
  config: NotifierConfig;
  db: Db;
  logger: DeliveryLogger;
  /** The URL policy every URL-bearing channel vets its target with at send time (webhook-url-policy.ts). */
  vetUrl: WebhookTargetPolicy;
}

export interface ChannelImplementation<T extends DeliveryChannelType> {
  format: MessageFormat<T>;
  /** Makes the channel's sender once per notifier instance; null when this deployment has not configured the channel. */
  createSender(context: SenderContext): Promise<ChannelSender<DeliveryChannelOf<T>> | null>;
  /** What a delivery answers when there is no sender; default: not retryable, "<title> is not configured on this deployment". */
  unconfigured?: DeliveryResult;
}

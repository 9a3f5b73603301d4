/**
 * The channel registry: every channel type, once. The rule schema (core/rule-model/channels.ts),
 * the delivery records (core/rule-model/alert.ts), the OpenAPI document, the API's URL checks,
 * the evaluator's queues, the notifier's formats and senders, the CDK stack's queues and the local
 * stack's read it.
 *
 * To add a channel type: write core/channels/<type>.ts with `defineRuleChannel` (definition.ts),
 * add it to {@link CHANNELS}, then give it its formatter and sender in
 * functions/notifier/channels/registry.ts (the compiler asks for them), and its tests;
 * test/core/channels/registry.test.ts checks that every part is there.
 */
import { dashboardChannel } from './dashboard';
import type { PaceLane, PaceSettings, RuleChannelDefinition } from './definition';
import { emailChannel } from './email';
import { telegramChannel } from './telegram';
import { webhookChannel } from './webhook';

/** Every channel type, in the order the rule schema, the docs and the queues list them. */
export const CHANNELS = [emailChannel, telegramChannel, webhookChannel, dashboardChannel] as const;

type Registered = (typeof CHANNELS)[number];
type RuleChannels = Extract<Registered, { userSelectable: true }>;

/** Every channel type: each has a delivery queue, a formatter and a sender. */
export type DeliveryChannelType = Registered['type'];
/** The channel types a rule may list in `channels`. */
export type RuleChannelType = RuleChannels['type'];
/** The channel types every alert goes to, whatever its rule lists (the dashboard). */
export type AlertWideChannelType = Exclude<DeliveryChannelType, RuleChannelType>;
/** The definition registered for `T`. */
export type ChannelDefinitionOf<T extends DeliveryChannelType> = Extract<Registered, { type: T }>;
/** The zod schema of each rule channel type. */
export type RuleChannelSchema = RuleChannels['schema'];

export const DELIVERY_CHANNEL_TYPES: readonly DeliveryChannelType[] = CHANNELS.map((channel) => channel.type);

/** The channels a rule may list, with their schemas. */
export const RULE_CHANNELS: readonly RuleChannels[] = CHANNELS.filter((channel): channel is RuleChannels => channel.userSelectable);

export const RULE_CHANNEL_TYPES: readonly RuleChannelType[] = RULE_CHANNELS.map((channel) => channel.type);

export const ALERT_WIDE_CHANNEL_TYPES = CHANNELS.filter((channel) => !channel.userSelectable).map((channel) => channel.type) as readonly AlertWideChannelType[];

const byType = new Map<string, Registered>(CHANNELS.map((channel) => [channel.type, channel]));

/** The definition of a registered channel type. */
export function channelDefinition<T extends DeliveryChannelType>(type: T): ChannelDefinitionOf<T> {
  const definition = byType.get(type);
  if (definition === undefined) throw new Error(`unregistered channel type: ${JSON.stringify(type)}`);
  return definition as ChannelDefinitionOf<T>;
}

/** The settings that carry the delivery queues' URLs. */
export type QueueUrlSetting = `${Uppercase<DeliveryChannelType>}_QUEUE_URL`;

/** The setting that carries the URL of a channel type's delivery queue: `EMAIL_QUEUE_URL`, … */
export function queueUrlSetting<T extends DeliveryChannelType>(type: T): `${Uppercase<T>}_QUEUE_URL` {
  return `${type.toUpperCase() as Uppercase<T>}_QUEUE_URL`;
}

/**
 * The URL a rule channel sends to, when its destination is a URL (the URL policy applies to
 * every such channel), with the field that holds it; null for other channels.
 * @example destinationUrlOf({ type: 'webhook', url: 'https://example.com/hook' }) // { field: 'url', url: 'https://example.com/hook' }
 */
export function destinationUrlOf(channel: { type: RuleChannelType }): { field: string; url: string } | null {
  const { destination } = channelDefinition(channel.type) as RuleChannelDefinition;
  if (destination.kind !== 'url') return null;
  const url: unknown = (channel as Record<string, unknown>)[destination.field];
  return typeof url === 'string' ? { field: destination.field, url } : null;
}

/**
 * The destination a channel sends to, as one key: its type and its address (`telegram:123456789`,
 * `email:me@example.com`, `webhook:https://…`). Each destination has its own delivery lane
 * (functions/notifier/destination-lanes.ts); emails are case-insensitive.
 */
export function destinationKey<C extends { type: DeliveryChannelType }>(channel: C): string {
  const { destination } = channelDefinition(channel.type);
  if (destination.kind === 'owner') return channel.type;
  const address = String((channel as Record<string, unknown>)[destination.field] ?? '');
  return `${channel.type}:${channel.type === 'email' ? address.toLowerCase() : address}`;
}

/** The pacing lanes a send on `channel` takes a slot on, all instances together (none when the channel is not paced). */
export function paceLanesOf<C extends { type: DeliveryChannelType }>(channel: C, settings: PaceSettings): PaceLane[] {
  const { rateLimits } = channelDefinition(channel.type);
  return rateLimits.paced ? rateLimits.lanes(channel as Record<string, unknown>, settings) : [];
}

/**
 * Delivery channels of a rule: where its alerts go. Each channel type is defined once, in its
 * module under core/channels/, and registered in core/channels/registry.ts; this is the union of
 * the types a rule may list.
 */
import * as z from 'zod';
import { RULE_CHANNEL_TYPES, RULE_CHANNELS, type AlertWideChannelType, type RuleChannelSchema, type RuleChannelType } from '../channels/registry';

export const CHANNEL_TYPES: readonly RuleChannelType[] = RULE_CHANNEL_TYPES;

// The registry holds at least one rule channel (test/core/channels/registry.test.ts).
const schemas = RULE_CHANNELS.map((channel) => channel.schema) as [RuleChannelSchema, ...RuleChannelSchema[]];

export const channelSchema = z.discriminatedUnion('type', schemas, {
  error: () => `must be one of ${CHANNEL_TYPES.join(', ')}`,
});

export type Channel = z.infer<typeof channelSchema>;
export type ChannelType = Channel['type'];

/** Where one delivery goes: one of a rule's channels, or a channel every alert goes to (`{ type: 'dashboard' }`). */
export type DeliveryChannel = Channel | { type: AlertWideChannelType };

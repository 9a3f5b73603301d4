/**
 * Every registered channel type has all of its parts: a schema (or none, for a channel every alert
 * goes to), a destination policy (the URL policy on every URL field) and its form field, a
 * formatter that keeps each declared part within its length limit, a sender, rate limits and
 * queue settings; and every list of channel types (rule schema, delivery records, queues, queue
 * messages) is the registry's.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { ChannelDefinition, LengthLimit } from '../../../core/channels/definition';
import {
  ALERT_WIDE_CHANNEL_TYPES,
  CHANNELS,
  DELIVERY_CHANNEL_TYPES,
  destinationUrlOf,
  type DeliveryChannelType,
  queueUrlSetting,
  RULE_CHANNEL_TYPES,
} from '../../../core/channels/registry';
import { deliveryMessageSchema } from '../../../core/delivery/delivery-message';
import { CHANNEL_TYPES, channelSchema, deliverySchema } from '../../../core/rule-model';
import { CONSTRAINTS_KEYWORD } from '../../../core/rule-model/schema-docs';
import { CHANNEL_IMPLEMENTATIONS } from '../../../functions/notifier/channels/registry';
import { ELLIPSIS } from '../../../functions/notifier/channels/text-limits';
import { loadEvaluatorConfig } from '../../../functions/shared/config';
import { aDeliverable } from '../../support/delivery-fixtures';

/** The length of `text` as `limit` counts it. */
const measure = (text: string, limit: LengthLimit) => (limit.unit === 'bytes' ? Buffer.byteLength(text, 'utf8') : text.length);

const definitions = CHANNELS.map((definition) => [definition.type as DeliveryChannelType, definition as ChannelDefinition] as const);

/** An alert whose every user-controlled text is far longer than any channel takes, and hostile to markup and JSON. */
const oversized = aDeliverable({
  message: '&<"é😀\\'.repeat(40_000),
  note: '<&>'.repeat(166),
  condition: { type: 'any', conditions: Array.from({ length: 20 }, (_, i) => ({ type: 'enters_channel' as const, lower: 100 + i, upper: 1000 + i })) },
});

describe.each(definitions)('the %s channel', (type, definition) => {
  it('has a title and a schema of its own type, or none when every alert goes there', () => {
    expect(definition.title.trim()).not.toBe('');
    if (definition.userSelectable) {
      expect(definition.schema).toBeInstanceOf(z.ZodObject);
      expect(definition.schema.shape.type).toBeInstanceOf(z.ZodLiteral);
      expect((definition.schema.shape.type as z.ZodLiteral).value).toBe(type);
      expect(definition.schema.safeParse({ type, unexpected: 1 }).success).toBe(false);
    } else {
      expect(definition.schema).toBeNull();
      expect(definition.destination).toEqual({ kind: 'owner' });
    }
  });

  it('has a destination policy: a field of its schema, and the URL policy on every URL', () => {
    const { destination } = definition;
    if (destination.kind === 'owner') {
      expect(definition.userSelectable).toBe(false);
      return;
    }
    expect(definition.userSelectable).toBe(true);
    if (!definition.userSelectable) return;
    expect(Object.keys(definition.schema.shape)).toContain(destination.field);
    // The dashboard's form asks for it, with an example the schema takes.
    expect(definition.form.label.trim()).not.toBe('');
    expect(definition.schema.safeParse({ type, [destination.field]: definition.form.placeholder }).success).toBe(true);
    if (destination.kind === 'url') {
      const property = (z.toJSONSchema(definition.schema, { io: 'input' }) as { properties: Record<string, Record<string, unknown>> }).properties[destination.field];
      expect(property?.[CONSTRAINTS_KEYWORD]).toEqual([expect.objectContaining({ kind: 'publicHost' })]);
      const channel = { type, [destination.field]: 'https://hooks.example.com/x' } as Parameters<typeof destinationUrlOf>[0];
      expect(destinationUrlOf(channel)).toEqual({ field: destination.field, url: 'https://hooks.example.com/x' });
    }
  });

  it('has a formatter that keeps every limited part within its length, cutting with an ellipsis', () => {
    const limits = Object.entries(definition.message) as Array<[string, LengthLimit]>;
    expect(limits.length).toBeGreaterThan(0);
    const parts: Record<string, string> = CHANNEL_IMPLEMENTATIONS[type].format(oversized, Date.parse('2026-03-02T14:30:01Z'));
    for (const [part, limit] of limits) {
      expect(limit.max, part).toBeGreaterThan(0);
      expect(['characters', 'bytes']).toContain(limit.unit);
      const text = parts[part];
      expect(text, part).toBeTypeOf('string');
      expect(measure(text ?? '', limit), part).toBeLessThanOrEqual(limit.max);
      expect(text, part).toContain(ELLIPSIS);
    }
  });

  it('has a sender', () => {
    expect(CHANNEL_IMPLEMENTATIONS[type].createSender).toBeTypeOf('function');
  });

  it('declares its rate limits: the pacing lanes of a destination, or whose throttling it relies on', () => {
    const limits = definition.rateLimits;
    if (limits.paced) {
      const channel = definition.userSelectable ? { type, [definition.destination.field]: definition.form.placeholder } : { type };
      const lanes = limits.lanes(channel, { sesMaxSendRate: 14 });
      expect(lanes.length).toBeGreaterThan(0);
      for (const { key, limit } of lanes) {
        expect(key).toMatch(new RegExp(`^(${type}|ses):`));
        expect(limit.capacity).toBeGreaterThan(0);
        expect(limit.periodMs).toBeGreaterThan(0);
      }
    } else {
      expect(limits.why.trim()).not.toBe('');
    }
  });

  it('has a delivery queue, with a concurrency SQS accepts when it caps one', () => {
    expect(queueUrlSetting(type)).toMatch(/^[A-Z]+_QUEUE_URL$/);
    const { maxConcurrency } = definition.queue as { maxConcurrency?: number };
    if (maxConcurrency !== undefined) expect(Number.isInteger(maxConcurrency) && maxConcurrency >= 2 && maxConcurrency <= 1000).toBe(true);
  });
});

describe('the channel registry', () => {
  it('names each type once, with at least one rule channel and the dashboard push', () => {
    expect(new Set(DELIVERY_CHANNEL_TYPES).size).toBe(CHANNELS.length);
    expect(RULE_CHANNEL_TYPES.length).toBeGreaterThan(0);
    expect(ALERT_WIDE_CHANNEL_TYPES).toEqual(['dashboard']);
  });

  it('is the one list: the network side, the rule schema, the delivery records and the queue messages read it', () => {
    expect(Object.keys(CHANNEL_IMPLEMENTATIONS).sort()).toEqual([...DELIVERY_CHANNEL_TYPES].sort());
    expect(CHANNEL_TYPES).toEqual(RULE_CHANNEL_TYPES);
    expect(channelSchema.options.map((option) => option.shape.type.value)).toEqual(RULE_CHANNEL_TYPES);
    expect(deliverySchema.shape.channel.options).toEqual(DELIVERY_CHANNEL_TYPES);
    for (const kind of ALERT_WIDE_CHANNEL_TYPES) {
      expect(deliveryMessageSchema.safeParse({ kind, version: 1, owner: 'o', alertKey: 'k' }).success).toBe(true);
    }
  });

  it('gives every type a delivery queue setting the evaluator requires', () => {
    const env = Object.fromEntries(DELIVERY_CHANNEL_TYPES.map((type) => [queueUrlSetting(type), `http://127.0.0.1:1/queue/${type}`]));
    expect(loadEvaluatorConfig(env).queueUrls).toEqual(Object.fromEntries(DELIVERY_CHANNEL_TYPES.map((type) => [type, `http://127.0.0.1:1/queue/${type}`])));
    for (const type of DELIVERY_CHANNEL_TYPES) {
      const { [queueUrlSetting(type)]: _, ...without } = env;
      expect(() => loadEvaluatorConfig(without)).toThrow(queueUrlSetting(type));
    }
  });
});

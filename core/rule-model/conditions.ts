/**
 * Alert conditions of the rule model (../shared/spec/api.md, "Condition types"), as zod schemas.
 * These schemas are the single source of truth: the API validates with them, the engine's types
 * are inferred from them and the OpenAPI document is generated from them.
 */
import * as z from 'zod';
import { mustBe } from './validation';

const MAX_PRICE = 1e9;
/**
 * Smallest magnitudes accepted for prices and percentages. Far below any meaningful value, and
 * well above what DynamoDB can store (it refuses numbers smaller than 1e-130 in magnitude).
 */
export const MIN_PRICE = 0.000001;
export const MIN_PERCENT = 0.0001;

/** A lower bound that reads "must be a positive number" for 0 and below, "must be at least …" above. */
const positiveAtLeast = (min: number) => ({
  error: (issue: { input?: unknown }) =>
    typeof issue.input === 'number' && issue.input > 0 ? `must be at least ${min}` : 'must be a positive number',
});

const price = z
  .number({ error: mustBe('a number') })
  .min(MIN_PRICE, positiveAtLeast(MIN_PRICE))
  .max(MAX_PRICE, { error: `must be at most ${MAX_PRICE}` });

const positivePercent = z.number({ error: mustBe('a number') }).min(MIN_PERCENT, positiveAtLeast(MIN_PERCENT));

const windowSeconds = z
  .int({ error: mustBe('a whole number of seconds') })
  .min(1, { error: 'must be at least 1 second' })
  .max(86_400, { error: 'must be at most 86400 seconds (one day)' });

const level = <T extends string>(type: T) => z.strictObject({ type: z.literal(type), value: price });

export const priceAboveSchema = level('price_above');
export const priceBelowSchema = level('price_below');
export const crossesAboveSchema = level('crosses_above');
export const crossesBelowSchema = level('crosses_below');
export const crossesSchema = level('crosses');

const channelBounds = <T extends string>(type: T) =>
  z
    .strictObject({ type: z.literal(type), lower: price, upper: price })
    .refine((c) => c.lower < c.upper, {
      path: ['upper'],
      message: 'must be greater than condition.lower',
      when: (payload) => payload.issues.length === 0,
    });

export const entersChannelSchema = channelBounds('enters_channel');
export const exitsChannelSchema = channelBounds('exits_channel');

export const movesUpPctSchema = z.strictObject({
  type: z.literal('moves_up_pct'),
  percent: positivePercent.max(10_000, { error: 'must be at most 10000' }),
  windowSeconds,
});

export const movesDownPctSchema = z.strictObject({
  type: z.literal('moves_down_pct'),
  percent: positivePercent.lt(100, { error: 'must be less than 100' }),
  windowSeconds,
});

export const changeFromPrevClosePctSchema = z.strictObject({
  type: z.literal('change_from_prev_close_pct'),
  percent: z
    .number({ error: mustBe('a number') })
    .gt(-100, { error: 'must be greater than -100' })
    .max(10_000, { error: 'must be at most 10000' })
    .refine((p) => p !== 0, { message: 'must not be 0 (positive for up, negative for down)' })
    .refine((p) => p === 0 || Math.abs(p) >= MIN_PERCENT, { message: `must be at least ${MIN_PERCENT} in magnitude` }),
});

export const volumeSpikeSchema = z.strictObject({
  type: z.literal('volume_spike'),
  multiple: z
    .number({ error: mustBe('a number') })
    .gt(1, { error: 'must be greater than 1' })
    .max(1_000, { error: 'must be at most 1000' }),
  windowSeconds,
});

/** Every condition that can stand alone or inside `all` / `any`. */
export const SIMPLE_CONDITION_TYPES = [
  'price_above',
  'price_below',
  'crosses_above',
  'crosses_below',
  'crosses',
  'enters_channel',
  'exits_channel',
  'moves_up_pct',
  'moves_down_pct',
  'change_from_prev_close_pct',
  'volume_spike',
] as const;

/** Indicator conditions reserved by the API for a later release: named, but refused for now. */
export const RESERVED_CONDITION_TYPES = ['rsi_above', 'rsi_below', 'macd_cross', 'bollinger_break', 'ma_cross'] as const;

export const simpleConditionSchema = z.discriminatedUnion(
  'type',
  [
    priceAboveSchema,
    priceBelowSchema,
    crossesAboveSchema,
    crossesBelowSchema,
    crossesSchema,
    entersChannelSchema,
    exitsChannelSchema,
    movesUpPctSchema,
    movesDownPctSchema,
    changeFromPrevClosePctSchema,
    volumeSpikeSchema,
  ],
  { error: (issue) => unknownTypeMessage(issue.input, SIMPLE_CONDITION_TYPES) },
);

const compositeOf = <T extends string>(type: T) =>
  z.strictObject({
    type: z.literal(type),
    conditions: z
      .array(simpleConditionSchema, { error: mustBe('an array of conditions') })
      .min(2, { error: 'must hold at least 2 conditions' })
      .max(5, { error: 'must hold at most 5 conditions' }),
  });

export const allSchema = compositeOf('all');
export const anySchema = compositeOf('any');

export const CONDITION_TYPES = [...SIMPLE_CONDITION_TYPES, 'all', 'any'] as const;

export const conditionSchema = z.discriminatedUnion('type', [simpleConditionSchema, allSchema, anySchema], {
  error: (issue) => unknownTypeMessage(issue.input, CONDITION_TYPES),
});

function unknownTypeMessage(input: unknown, allowed: readonly string[]): string {
  if (input === undefined) return 'is required';
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'must be an object with a "type"';
  const type = typeof input === 'object' && input !== null ? (input as { type?: unknown }).type : undefined;
  if (typeof type === 'string' && (RESERVED_CONDITION_TYPES as readonly string[]).includes(type)) {
    return `${type} is reserved for indicator conditions and not available yet`;
  }
  if (type === 'all' || type === 'any') return 'all / any cannot be nested inside all / any';
  return `must be one of ${allowed.join(', ')}`;
}

export type SimpleCondition = z.infer<typeof simpleConditionSchema>;
export type CompositeCondition = z.infer<typeof allSchema> | z.infer<typeof anySchema>;
export type Condition = z.infer<typeof conditionSchema>;
export type ConditionType = Condition['type'];

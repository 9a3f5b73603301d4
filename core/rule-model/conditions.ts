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

/** Bar intervals of indicator conditions, and iTick's kline `kType` for each (shared/spec/itick.md). */
export const BAR_INTERVALS = ['1m', '5m', '15m', '1h', '1d'] as const;
/** Trading sessions a bar series can follow (docs/rules.md, "Sessions"). */
export const SESSIONS = ['regular', 'extended', 'any'] as const;
/** Which bar an indicator condition is judged on: the last closed bar (default) or the forming one. */
export const EVALUATE_MODES = ['close', 'forming'] as const;
export const INDICATOR_CONDITION_TYPES = ['rsi_above', 'rsi_below', 'macd_cross', 'bollinger_break', 'ma_cross'] as const;
/** Longest indicator period: bounds the state a series keeps (a Bollinger band keeps `period` closes). */
export const MAX_INDICATOR_PERIOD = 200;

const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: (issue) => (issue.input === undefined ? 'is required' : `must be one of ${values.join(', ')}`) });

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
  /**
   * Absent: the previous close is the feed's (iTick's quote `p`). Given: the close of the last
   * completed daily bar of that session, formed by the engine (docs/rules.md, "Sessions").
   */
  session: oneOf(SESSIONS).optional(),
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

const barInterval = oneOf(BAR_INTERVALS);
const indicatorCommon = {
  interval: barInterval,
  /** Absent: `regular` where the region's sessions are known (US, HK, SH, SZ), else `any`. */
  session: oneOf(SESSIONS).optional(),
  /** Absent: `close`. */
  evaluate: oneOf(EVALUATE_MODES).optional(),
};

const period = (min: number, max: number) =>
  z
    .int({ error: mustBe('a whole number') })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

const rsiLevel = <T extends string>(type: T) =>
  z.strictObject({
    type: z.literal(type),
    period: period(2, 100),
    value: z
      .number({ error: mustBe('a number') })
      .gt(0, { error: 'must be greater than 0' })
      .lt(100, { error: 'must be less than 100' }),
    ...indicatorCommon,
  });

export const rsiAboveSchema = rsiLevel('rsi_above');
export const rsiBelowSchema = rsiLevel('rsi_below');

const direction = oneOf(['up', 'down'] as const);
const fastBelowSlow = {
  path: ['slow'],
  message: 'must be greater than condition.fast',
  when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0,
};

export const macdCrossSchema = z
  .strictObject({
    type: z.literal('macd_cross'),
    fast: period(1, 100),
    slow: period(2, MAX_INDICATOR_PERIOD),
    signal: period(1, 100),
    direction,
    ...indicatorCommon,
  })
  .refine((c) => c.fast < c.slow, fastBelowSlow);

export const bollingerBreakSchema = z.strictObject({
  type: z.literal('bollinger_break'),
  period: period(2, MAX_INDICATOR_PERIOD),
  stdDev: z
    .number({ error: mustBe('a number') })
    .gt(0, { error: 'must be greater than 0' })
    .max(10, { error: 'must be at most 10' }),
  band: oneOf(['upper', 'lower'] as const),
  ...indicatorCommon,
});

export const maCrossSchema = z
  .strictObject({
    type: z.literal('ma_cross'),
    kind: oneOf(['sma', 'ema'] as const),
    fast: period(1, MAX_INDICATOR_PERIOD - 1),
    slow: period(2, MAX_INDICATOR_PERIOD),
    direction,
    ...indicatorCommon,
  })
  .refine((c) => c.fast < c.slow, fastBelowSlow);

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
  ...INDICATOR_CONDITION_TYPES,
] as const;

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
    rsiAboveSchema,
    rsiBelowSchema,
    macdCrossSchema,
    bollingerBreakSchema,
    maCrossSchema,
  ],
  { error: (issue) => unknownTypeMessage(issue.input, SIMPLE_CONDITION_TYPES) },
);

/** Price conditions that happen on a move between two trades (edges), as opposed to levels. */
const PRICE_EDGE_TYPES: ReadonlySet<string> = new Set(['crosses_above', 'crosses_below', 'crosses', 'enters_channel', 'exits_channel']);

/**
 * A composite is judged at one kind of moment: at trades, or at bar closes (docs/rules.md). So its
 * indicator conditions must agree on `evaluate`, and one judged at bar closes cannot be combined
 * with a price edge, which happens between two trades and never at a bar close.
 */
function checkComposite(conditions: ReadonlyArray<{ type: string; evaluate?: string | undefined }>, ctx: z.RefinementCtx): void {
  const modes = new Set(conditions.filter((c) => isIndicatorType(c.type)).map((c) => c.evaluate ?? 'close'));
  if (modes.size > 1) {
    ctx.addIssue({ code: 'custom', path: ['conditions'], message: 'must use the same evaluate ("close" or "forming") for all their indicator conditions' });
  } else if (modes.has('close')) {
    const edge = conditions.findIndex((c) => PRICE_EDGE_TYPES.has(c.type));
    if (edge >= 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['conditions', edge, 'type'],
        message: 'cannot be combined with indicator conditions judged at bar close (a price edge happens between trades): use a price level, or evaluate "forming"',
      });
    }
  }
}

const compositeOf = <T extends string>(type: T) =>
  z
    .strictObject({
      type: z.literal(type),
      conditions: z
        .array(simpleConditionSchema, { error: mustBe('an array of conditions') })
        .min(2, { error: 'must hold at least 2 conditions' })
        .max(5, { error: 'must hold at most 5 conditions' }),
    })
    .superRefine((c, ctx) => checkComposite(c.conditions, ctx));

/** Is this one of the indicator condition types? */
export function isIndicatorType(type: string): type is IndicatorConditionType {
  return (INDICATOR_CONDITION_TYPES as readonly string[]).includes(type);
}

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
  if (type === 'all' || type === 'any') return 'all / any cannot be nested inside all / any';
  return `must be one of ${allowed.join(', ')}`;
}

export type SimpleCondition = z.infer<typeof simpleConditionSchema>;
export type CompositeCondition = z.infer<typeof allSchema> | z.infer<typeof anySchema>;
export type Condition = z.infer<typeof conditionSchema>;
export type ConditionType = Condition['type'];
export type IndicatorConditionType = (typeof INDICATOR_CONDITION_TYPES)[number];
export type IndicatorCondition = Extract<SimpleCondition, { type: IndicatorConditionType }>;
export type BarInterval = (typeof BAR_INTERVALS)[number];
export type SessionKind = (typeof SESSIONS)[number];
export type EvaluateMode = (typeof EVALUATE_MODES)[number];

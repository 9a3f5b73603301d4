/**
 * The pieces condition schemas are made of: prices, percentages, windows, periods and the bar
 * series fields of indicator conditions, each with the API's wording for a bad value.
 */
import * as z from 'zod';
import { documented } from '../rule-model/schema-docs';
import { mustBe } from '../rule-model/validation';

export const MAX_PRICE = 1e9;
/**
 * Smallest magnitudes accepted for prices and percentages. Far below any meaningful value, and
 * well above what DynamoDB can store (it refuses numbers smaller than 1e-130 in magnitude).
 */
export const MIN_PRICE = 0.000001;
export const MIN_PERCENT = 0.0001;

/** Bar intervals of indicator conditions (iTick's kline `kType` for each: shared/spec/itick.md). */
export const BAR_INTERVALS = ['1m', '5m', '15m', '1h', '1d'] as const;
/** Trading sessions a bar series can follow (docs/rules.md, "Sessions"). */
export const SESSIONS = ['regular', 'extended', 'any'] as const;
/** Which bar an indicator condition is judged on: the last closed bar (default) or the forming one. */
export const EVALUATE_MODES = ['close', 'forming'] as const;
/** Longest indicator period: bounds the state a series keeps (a Bollinger band keeps `period` closes). */
export const MAX_INDICATOR_PERIOD = 200;

export type BarInterval = (typeof BAR_INTERVALS)[number];
export type SessionKind = (typeof SESSIONS)[number];
export type EvaluateMode = (typeof EVALUATE_MODES)[number];

/** A lower bound that reads "must be a positive number" for 0 and below, "must be at least …" above. */
const positiveAtLeast = (min: number) => ({
  error: (issue: { input?: unknown }) =>
    typeof issue.input === 'number' && issue.input > 0 ? `must be at least ${min}` : 'must be a positive number',
});

export const price = z
  .number({ error: mustBe('a number') })
  .min(MIN_PRICE, positiveAtLeast(MIN_PRICE))
  .max(MAX_PRICE, { error: `must be at most ${MAX_PRICE}` });

export const positivePercent = z.number({ error: mustBe('a number') }).min(MIN_PERCENT, positiveAtLeast(MIN_PERCENT));

export const windowSeconds = z
  .int({ error: mustBe('a whole number of seconds') })
  .min(1, { error: 'must be at least 1 second' })
  .max(86_400, { error: 'must be at most 86400 seconds (one day)' });

/** One of `values`, with "is required" when absent. */
export const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: (issue) => (issue.input === undefined ? 'is required' : `must be one of ${values.join(', ')}`) });

export const period = (min: number, max: number) =>
  z
    .int({ error: mustBe('a whole number') })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

export const direction = oneOf(['up', 'down'] as const);

/** The bar series fields every indicator condition has. */
export const indicatorCommon = {
  interval: oneOf(BAR_INTERVALS),
  /** Absent: `regular` where the symbol's calendar has sessions (core/engine/sessions.ts), else `any`. */
  session: oneOf(SESSIONS).optional(),
  /** Absent: `close`. */
  evaluate: oneOf(EVALUATE_MODES).optional(),
};

/** Only when the fields themselves are valid: a cross-field rule says nothing about bad fields. */
export const whenFieldsValid = (payload: { issues: readonly unknown[] }) => payload.issues.length === 0;

/** `fast` < `slow` (MACD, moving-average crosses), checked and carried into the JSON Schema. */
export const fastBelowSlow = <T extends z.ZodType<{ fast: number; slow: number }>>(schema: T): T =>
  documented(schema.refine((c) => c.fast < c.slow, { path: ['slow'], message: 'must be greater than condition.fast', when: whenFieldsValid }), {
    constraints: [{ kind: 'lessThan', field: 'fast', than: 'slow' }],
  });

/**
 * Schema of the engine state that travels with batches. The evaluator validates the state it is
 * handed before trusting it: a state that does not match (a bug, a version skew) is dropped and
 * the shard restarts from baselines, which the spec allows after a restart; it never blocks the
 * shard.
 */
import * as z from 'zod';
import { BAR_INTERVALS, MAX_INDICATOR_PERIOD, SESSIONS } from '../rule-model';
import type { EngineState } from './types';

const finite = z.number().refine(Number.isFinite);
const count = z.int().nonnegative();
const period = z.int().min(1).max(MAX_INDICATOR_PERIOD);
const maybe = finite.nullable();

const barSchema = z.strictObject({ start: finite, end: finite, open: finite, high: finite, low: finite, close: finite, volume: finite });

const indicatorSchema = z.discriminatedUnion('kind', [
  z.strictObject({ key: z.string(), seeded: z.boolean(), kind: z.literal('ema'), period, count, value: maybe, prev: maybe }),
  z.strictObject({ key: z.string(), seeded: z.boolean(), kind: z.literal('sma'), period, value: maybe, prev: maybe, partial: maybe }),
  z.strictObject({
    key: z.string(),
    seeded: z.boolean(),
    kind: z.literal('rsi'),
    period,
    count,
    last: maybe,
    gainSum: finite,
    lossSum: finite,
    avgGain: maybe,
    avgLoss: maybe,
    value: maybe,
  }),
  z.strictObject({
    key: z.string(),
    seeded: z.boolean(),
    kind: z.literal('macd'),
    fast: period,
    slow: period,
    signal: period,
    count,
    fastEma: maybe,
    slowEma: maybe,
    signalEma: maybe,
    signalCount: count,
    hist: maybe,
    prevHist: maybe,
  }),
  z.strictObject({
    key: z.string(),
    seeded: z.boolean(),
    kind: z.literal('bb'),
    period,
    mean: maybe,
    sd: maybe,
    prevMean: maybe,
    prevSd: maybe,
    shift: maybe,
    s: finite,
    q: finite,
  }),
]);

const barSeriesSchema = z.strictObject({
  key: z.string(),
  interval: z.enum(BAR_INTERVALS),
  session: z.enum(SESSIONS),
  bar: barSchema.nullable(),
  closedEnd: finite,
  lastClose: maybe,
  prevClose: maybe,
  count,
  closes: z.array(finite).max(MAX_INDICATOR_PERIOD),
  seeded: z.boolean(),
  fresh: z.boolean(),
  indicators: z.array(indicatorSchema),
});

const movesWindowSchema = z.strictObject({
  windowSeconds: z.int().positive(),
  bucketSeconds: z.int().positive(),
  lowBuckets: z.array(finite),
  lowPrices: z.array(finite),
  highBuckets: z.array(finite),
  highPrices: z.array(finite),
});

const volumeWindowSchema = z.strictObject({
  windowSeconds: z.int().positive(),
  index: z.int(),
  current: finite,
  history: z.array(finite),
});

const symbolStateSchema = z.strictObject({
  last: finite.nullable(),
  lastAt: finite,
  prevClose: finite.nullable(),
  moves: z.array(movesWindowSchema),
  movesSecond: finite,
  secondLow: finite,
  secondHigh: finite,
  volume: z.array(volumeWindowSchema),
  // Absent in states written before bar series existed: they are read as having none.
  series: z.array(barSeriesSchema).default([]),
  timers: z.array(z.tuple([finite, z.string()])),
  deferred: z.array(z.string()),
});

const ruleRuntimeSchema = z.strictObject({
  version: z.int(),
  armed: z.boolean(),
  lastFiredAt: finite.nullable(),
  consumed: z.boolean(),
  storedArmed: z.boolean(),
  wakeAt: finite.nullable(),
  deferred: z.boolean(),
  touchedAt: finite,
});

export const engineStateSchema = z.strictObject({
  symbols: z.record(z.string(), symbolStateSchema),
  rules: z.record(z.string(), ruleRuntimeSchema),
  sweptAt: finite,
});

/** The state if `value` is a valid engine state, else null. */
export function readEngineState(value: unknown): EngineState | null {
  const parsed = engineStateSchema.safeParse(value);
  return parsed.success ? (parsed.data as EngineState) : null;
}

/**
 * Schema of the engine state that travels with batches. The evaluator validates the state it is
 * handed before trusting it: a state that does not match (a bug, a version skew) is dropped and
 * the shard restarts from baselines, which the spec allows after a restart; it never blocks the
 * shard.
 */
import * as z from 'zod';
import type { EngineState } from './types';

const finite = z.number().refine(Number.isFinite);

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

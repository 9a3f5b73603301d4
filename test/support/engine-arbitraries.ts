/**
 * fast-check generators for engine property tests: rules of every condition type and trigger
 * mode on a small price grid (so thresholds are hit exactly, often), and tick streams as
 * random walks on that grid with gaps that cross seconds, cooldowns and windows.
 */
import fc from 'fast-check';
import type { EngineRule, PricePoint } from '../../core/engine';
import type { Condition, SimpleCondition } from '../../core/rule-model';

export const SYMBOLS = ['AAA$US', 'BBB$US', 'CCC$HK'];
export const START = Date.UTC(2026, 10, 2, 14, 30, 0);

/** Prices on a 0.5 grid around 100, sometimes off-grid. */
const level = fc.oneof(
  fc.integer({ min: -12, max: 12 }).map((k) => 100 + k * 0.5),
  fc.double({ min: 94, max: 106, noNaN: true }),
);

const windowSeconds = fc.constantFrom(1, 2, 5, 10, 30);

const edgeOrLevel: fc.Arbitrary<SimpleCondition> = fc.oneof(
  fc.record({ type: fc.constantFrom('price_above', 'price_below', 'crosses_above', 'crosses_below', 'crosses' as const), value: level }),
  fc
    .tuple(fc.constantFrom('enters_channel', 'exits_channel' as const), level, fc.double({ min: 0.25, max: 6, noNaN: true }))
    .map(([type, lower, width]) => ({ type, lower, upper: lower + width })),
);

const windowed: fc.Arbitrary<SimpleCondition> = fc.oneof(
  fc.record({
    type: fc.constantFrom('moves_up_pct', 'moves_down_pct' as const),
    percent: fc.constantFrom(0.5, 1, 1.5, 2, 3),
    windowSeconds,
  }),
  fc.record({ type: fc.constant('volume_spike' as const), multiple: fc.constantFrom(1.5, 2, 3), windowSeconds }),
  fc.record({ type: fc.constant('change_from_prev_close_pct' as const), percent: fc.constantFrom(-3, -1, -0.5, 0.5, 1, 2.5) }),
);

export const simpleCondition: fc.Arbitrary<SimpleCondition> = fc.oneof({ arbitrary: edgeOrLevel, weight: 3 }, { arbitrary: windowed, weight: 2 });

export function conditionArb(simple: fc.Arbitrary<SimpleCondition> = simpleCondition): fc.Arbitrary<Condition> {
  return fc.oneof(
    { arbitrary: simple, weight: 5 },
    { arbitrary: fc.record({ type: fc.constantFrom('all', 'any' as const), conditions: fc.array(simple, { minLength: 2, maxLength: 3 }) }), weight: 2 },
  );
}

export function ruleArb(id: string, condition: fc.Arbitrary<Condition> = conditionArb()): fc.Arbitrary<EngineRule> {
  return fc.record({
    id: fc.constant(id),
    symbol: fc.constantFrom(...SYMBOLS),
    condition,
    trigger: fc.constantFrom('once', 'rearm', 'repeat' as const),
    cooldownSeconds: fc.constantFrom(0, 0, 1, 2, 5),
    expiresAt: fc.option(fc.integer({ min: START, max: START + 40_000 }), { nil: null, freq: 4 }),
    version: fc.constant(1),
    armed: fc.constantFrom(true, true, false),
    lastFiredAt: fc.option(fc.integer({ min: START - 10_000, max: START }), { nil: null, freq: 2 }),
  });
}

export const rulesArb = (max = 12, condition?: fc.Arbitrary<Condition>) =>
  fc.integer({ min: 1, max }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => ruleArb(`rule-${i}`, condition))));

export interface Tick extends PricePoint {
  symbol: string;
}

/** A random walk per symbol on the 0.5 grid, ticks interleaved across symbols, with time gaps up to 3 s. */
export const ticksArb = (maxTicks = 80) =>
  fc
    .array(
      fc.record({
        symbol: fc.constantFrom(...SYMBOLS),
        step: fc.integer({ min: -3, max: 3 }),
        gap: fc.oneof(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 3000 })),
        volume: fc.integer({ min: 0, max: 5 }),
      }),
      { minLength: 1, maxLength: maxTicks },
    )
    .map((steps) => {
      const price = new Map(SYMBOLS.map((s) => [s, 100]));
      let at = START;
      return steps.map(({ symbol, step, gap, volume }): Tick => {
        at += gap;
        const next = Math.min(106, Math.max(94, (price.get(symbol) as number) + step * 0.5));
        price.set(symbol, next);
        return { symbol, price: next, at, volume };
      });
    });

/** Cut points splitting `n` ticks into batches. */
export const splitsArb = (n: number) => fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, n - 1) }), { maxLength: Math.min(n, 25) }).map((cuts) => [...cuts].sort((a, b) => a - b));

export function splitTicks<T>(ticks: readonly T[], cuts: readonly number[]): T[][] {
  const batches: T[][] = [];
  let from = 0;
  for (const cut of [...cuts, ticks.length]) {
    if (cut > from) batches.push(ticks.slice(from, cut));
    from = Math.max(from, cut);
  }
  return batches;
}

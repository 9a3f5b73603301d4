/**
 * fast-check generators for engine property tests: rules of every condition type and trigger
 * mode on a small price grid (so thresholds are hit exactly, often), and tick streams as
 * random walks on that grid with gaps that cross seconds, cooldowns and windows — and, for
 * indicator rules, short periods on 1-minute (and 5-minute) bars with streams spanning many bars.
 */
import fc from 'fast-check';
import type { EngineRule, PricePoint } from '../../core/engine';
import type { Condition, IndicatorCondition, SimpleCondition } from '../../core/rule-model';

/** One symbol per calendar family: an exchange with holidays, forex (its day rolls at 17:00 New York), an exchange with a lunch break. */
export const SYMBOLS = ['AAA$US', 'forex:BBB$GB', 'CCC$HK'];
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

/** Bars and sessions of an indicator condition: mostly 1-minute bars; regular, extended, any or the default. */
const barsOf = fc.record(
  {
    interval: fc.constantFrom('1m', '1m', '1m', '5m' as const),
    session: fc.constantFrom('regular', 'extended', 'any' as const),
  },
  { requiredKeys: ['interval'] },
);

/** Indicator conditions with short periods, judged on closed bars or (`forming`) on the forming bar. */
export function indicatorConditionArb(evaluate: 'close' | 'forming'): fc.Arbitrary<IndicatorCondition> {
  const mode = evaluate === 'forming' ? { evaluate: 'forming' as const } : {};
  // Without interval and session yet: those come from barsOf.
  const conditions: Array<fc.Arbitrary<object>> = [
    fc.record({ type: fc.constantFrom('rsi_above', 'rsi_below' as const), period: fc.integer({ min: 2, max: 4 }), value: fc.constantFrom(20, 30, 50, 70, 80) }),
    fc
      .record({ fast: fc.integer({ min: 1, max: 3 }), extra: fc.integer({ min: 1, max: 3 }), signal: fc.integer({ min: 1, max: 3 }), direction: fc.constantFrom('up', 'down' as const) })
      .map(({ fast, extra, signal, direction }) => ({ type: 'macd_cross' as const, fast, slow: fast + extra, signal, direction })),
    fc.record({ type: fc.constant('bollinger_break' as const), period: fc.integer({ min: 2, max: 5 }), stdDev: fc.constantFrom(0.5, 1, 1.5, 2), band: fc.constantFrom('upper', 'lower' as const) }),
    fc
      .record({ kind: fc.constantFrom('sma', 'ema' as const), fast: fc.integer({ min: 1, max: 3 }), extra: fc.integer({ min: 1, max: 3 }), direction: fc.constantFrom('up', 'down' as const) })
      .map(({ kind, fast, extra, direction }) => ({ type: 'ma_cross' as const, kind, fast, slow: fast + extra, direction })),
  ];
  return fc.tuple(fc.oneof(...conditions), barsOf).map(([c, bars]) => ({ ...c, ...bars, ...mode }) as IndicatorCondition);
}

/** A session previous-close condition: compares with the last daily close of a session. */
const sessionChange: fc.Arbitrary<SimpleCondition> = fc.record({
  type: fc.constant('change_from_prev_close_pct' as const),
  percent: fc.constantFrom(-3, -1, -0.5, 0.5, 1, 2.5),
  session: fc.constantFrom('regular', 'extended', 'any' as const),
});

/** Price levels and window conditions: what may join indicators judged at bar close. */
const levelOrWindowed: fc.Arbitrary<SimpleCondition> = fc.oneof(
  fc.record({ type: fc.constantFrom('price_above', 'price_below' as const), value: level }),
  windowed,
  sessionChange,
);

/**
 * Conditions as the API accepts them, indicators included: bar-close composites mix indicator
 * conditions with levels only; forming composites mix them with anything.
 */
export function indicatorRuleConditionArb(): fc.Arbitrary<Condition> {
  const closeParts = fc.oneof({ arbitrary: indicatorConditionArb('close'), weight: 2 }, { arbitrary: levelOrWindowed, weight: 1 });
  const formingParts = fc.oneof({ arbitrary: indicatorConditionArb('forming'), weight: 2 }, { arbitrary: simpleCondition, weight: 1 }, { arbitrary: sessionChange, weight: 1 });
  const composite = (parts: fc.Arbitrary<SimpleCondition>) =>
    fc.record({ type: fc.constantFrom('all', 'any' as const), conditions: fc.array(parts, { minLength: 2, maxLength: 3 }) });
  return fc.oneof(
    { arbitrary: indicatorConditionArb('close'), weight: 4 },
    { arbitrary: indicatorConditionArb('forming'), weight: 3 },
    { arbitrary: sessionChange, weight: 1 },
    { arbitrary: simpleCondition, weight: 1 },
    { arbitrary: composite(closeParts), weight: 2 },
    { arbitrary: composite(formingParts), weight: 2 },
  );
}

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

/**
 * Tick streams spanning many 1-minute bars (gaps mostly up to 45 s; a few of hours, past the
 * session's close, or of a day, so that daily and session bars close too), as random walks on
 * the 0.5 grid.
 */
export const barTicksArb = (maxTicks = 160) =>
  fc
    .array(
      fc.record({
        symbol: fc.constantFrom(...SYMBOLS),
        step: fc.integer({ min: -3, max: 3 }),
        gap: fc.oneof(
          { arbitrary: fc.integer({ min: 0, max: 3000 }), weight: 10 },
          { arbitrary: fc.integer({ min: 5000, max: 45_000 }), weight: 30 },
          // Overnight: into the next day's session, sometimes past the close first.
          { arbitrary: fc.integer({ min: 86_000_000, max: 86_800_000 }), weight: 1 },
          { arbitrary: fc.integer({ min: 20_000_000, max: 25_000_000 }), weight: 1 },
        ),
        volume: fc.integer({ min: 0, max: 5 }),
      }),
      // fast-check favours short arrays; indicators need dozens of bars per symbol to warm up.
      { minLength: Math.min(80, maxTicks), maxLength: maxTicks },
    )
    .map((steps) => {
      const price = new Map(SYMBOLS.map((s) => [s, 100]));
      // 09:00 New York: the stream starts in the pre-market and runs into the regular session.
      let at = START - 30 * 60_000;
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

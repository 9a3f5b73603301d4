/**
 * The indexed engine fires exactly what the reference engine (every rule, every point; every
 * bar-close rule at every close) fires, for random rule sets, random tick streams and random
 * batch splits — including rules changing between batches, resets, new previous closes, state
 * serialised between batches, and runtime state forgotten and rebuilt from storage (the
 * evaluator's writes are simulated). A second property does the same with indicator rules over
 * streams spanning many bars, with batch clocks running ahead (bars closed by `now`) and series
 * warmed from history between batches, as the evaluator does.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateBatch, evaluateReference, INTERVAL_MS, newEngineState, readEngineState, RuleIndex, seedBars, warmUpRequests } from '../../../core/engine';
import type { EngineRule, EngineState, SeedBar, SymbolBatch, TriggerUpdate } from '../../../core/engine';
import type { Condition } from '../../../core/rule-model';
import {
  barTicksArb,
  conditionArb,
  indicatorRuleConditionArb,
  rulesArb,
  splitsArb,
  splitTicks,
  SYMBOLS,
  ticksArb,
  type Tick,
} from '../../support/engine-arbitraries';
import { sortAlerts, sortUpdates } from '../../support/engine-fixtures';

interface BatchExtras {
  prevClose: Array<number | null>;
  serialise: boolean;
  mutate: number | null;
  /** How far the batch's `now` runs past its last tick (past a bar's end by the grace: the bar closes). */
  nowAfter: number;
  /** Warm the series that want it from a history of this many bars (null: no warm-up before this batch). */
  seed: number | null;
}

const extrasArb = (withBars: boolean) =>
  fc.record({
    prevClose: fc.array(fc.option(fc.constantFrom(98, 100, 101.5), { nil: null, freq: 2 }), { minLength: SYMBOLS.length, maxLength: SYMBOLS.length }),
    serialise: fc.boolean(),
    mutate: fc.option(fc.nat(20), { nil: null, freq: 3 }),
    nowAfter: withBars ? fc.constantFrom(50, 50, 2500, 65_000) : fc.constant(50),
    seed: withBars ? fc.option(fc.integer({ min: 0, max: 12 }), { nil: null, freq: 2 }) : fc.constant(null),
  });

const scenarioOf = (rules: fc.Arbitrary<EngineRule[]>, ticks: fc.Arbitrary<Tick[]>, replacement: fc.Arbitrary<Condition>, withBars: boolean) =>
  fc
    .record({
      rules,
      ticks,
      forgetAfterMs: fc.constantFrom(0, 60_000),
      replacement,
      resetChance: fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
      /** Steps of the warm-up histories' closes. */
      history: fc.array(fc.integer({ min: -2, max: 2 }), { minLength: 12, maxLength: 12 }),
    })
    .chain((s) =>
      fc.record({
        s: fc.constant(s),
        cuts: splitsArb(s.ticks.length),
        extras: fc.array(extrasArb(withBars), { minLength: 30, maxLength: 30 }),
      }),
    );

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

const scenario = scenarioOf(rulesArb(14), ticksArb(90), conditionArb(), false);
const indicatorScenario = scenarioOf(rulesArb(12, indicatorRuleConditionArb()), barTicksArb(160), indicatorRuleConditionArb(), true);

/** `count` history bars of a series ending at the bar before `before`, closes on a walk of `steps`. */
function historyBars(interval: keyof typeof INTERVAL_MS, before: number, count: number, steps: readonly number[]): SeedBar[] {
  const size = INTERVAL_MS[interval];
  const first = Math.floor(before / size) * size - count * size;
  let close = 100;
  return Array.from({ length: count }, (_, i) => {
    close += 0.5 * (steps[i % steps.length] as number);
    return { start: first + i * size, open: close, high: close + 0.5, low: close - 0.5, close, volume: 10 };
  });
}

function toBatch(ticks: readonly Tick[], extras: BatchExtras, resetFlags: boolean): SymbolBatch[] {
  return SYMBOLS.flatMap((symbol, i) => {
    const points = ticks.filter((t) => t.symbol === symbol).map(({ price, at, volume }) => ({ price, at, volume }));
    if (points.length === 0) return [];
    const batch: SymbolBatch = { symbol, points };
    const close = extras.prevClose[i];
    if (close !== null && close !== undefined) batch.prevClose = close;
    if (resetFlags && i === 0) batch.reset = true;
    return [batch];
  });
}

/** What the evaluator writes to storage after a batch, as the next cache refresh would show it. */
function applyUpdates(rules: EngineRule[], updates: readonly TriggerUpdate[]): EngineRule[] {
  const byId = new Map(updates.map((u) => [u.ruleId, u]));
  return rules
    .filter((r) => !(byId.get(r.id)?.consumed ?? false))
    .map((r) => {
      const u = byId.get(r.id);
      if (u === undefined || u.ruleVersion !== r.version) return r;
      return { ...r, armed: u.armed, lastFiredAt: u.firedAt ?? r.lastFiredAt };
    });
}

function holdsToReference({ s, cuts, extras }: Scenario): void {
        let rules: EngineRule[] = [...s.rules];
        const index = new RuleIndex();
        index.replaceAll(rules);
        let indexedState: EngineState = newEngineState();
        const referenceState: EngineState = newEngineState();
        splitTicks(s.ticks, cuts).forEach((ticks, b) => {
          const extra = extras[b % extras.length] as BatchExtras;
          if (extra.mutate !== null && rules.length > 0) {
            // Change, remove or re-add a rule between batches, as rule edits would.
            const target = rules[extra.mutate % rules.length] as EngineRule;
            if (extra.mutate % 3 === 0) rules = rules.filter((r) => r.id !== target.id);
            else rules = rules.map((r) => (r.id === target.id ? { ...r, condition: s.replacement, version: r.version + 1, armed: true } : r));
          }
          index.replaceAll(rules);
          const batch = toBatch(ticks, extra, s.resetChance[b % s.resetChance.length] === true && b % 4 === 3);
          const now = (ticks[ticks.length - 1] as Tick).at + extra.nowAfter;
          if (extra.seed !== null) {
            // The evaluator's warm-up: the same history goes into both states.
            for (const request of warmUpRequests(index, indexedState, batch.map((path) => path.symbol))) {
              const bars = historyBars(request.series.interval, (ticks[0] as Tick).at, extra.seed, s.history);
              seedBars(indexedState, request.symbol, request.series, bars, now);
              seedBars(referenceState, request.symbol, request.series, bars, now);
            }
          }
          const indexed = evaluateBatch(index, indexedState, batch, { now, forgetAfterMs: s.forgetAfterMs });
          const reference = evaluateReference(rules, referenceState, batch, { now, forgetAfterMs: s.forgetAfterMs });
          expect(sortAlerts(indexed.alerts)).toEqual(sortAlerts(reference.alerts));
          expect(sortUpdates(indexed.updates)).toEqual(sortUpdates(reference.updates));
          expect(indexed.stats.visits).toBeLessThanOrEqual(reference.stats.visits);
          rules = applyUpdates(rules, indexed.updates);
          if (extra.serialise) {
            // What the evaluator does with the state the ingest task hands back: parse and validate it.
            const restored = readEngineState(JSON.parse(JSON.stringify(indexedState)));
            expect(restored).not.toBeNull();
            indexedState = restored as EngineState;
          }
        });
}

describe('indexed engine', () => {
  it('fires the same alerts and records the same updates as the reference engine, for any batch split', () => {
    fc.assert(fc.property(scenario, holdsToReference), { numRuns: Number(process.env.PROPERTY_RUNS ?? 400) });
  });

  it('does so with indicator rules over many bars, bars closed by the batch clock, and warm-ups between batches', () => {
    fc.assert(fc.property(indicatorScenario, holdsToReference), { numRuns: Number(process.env.PROPERTY_RUNS ?? 400) });
  });
});

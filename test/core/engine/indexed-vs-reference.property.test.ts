/**
 * The indexed engine fires exactly what the reference engine (every rule, every point) fires,
 * for random rule sets, random tick streams and random batch splits — including rules changing
 * between batches, resets, new previous closes, state serialised between batches, and runtime
 * state forgotten and rebuilt from storage (the evaluator's writes are simulated).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateBatch, evaluateReference, newEngineState, readEngineState, RuleIndex } from '../../../core/engine';
import type { EngineRule, EngineState, SymbolBatch, TriggerUpdate } from '../../../core/engine';
import { conditionArb, rulesArb, splitsArb, splitTicks, SYMBOLS, ticksArb, type Tick } from '../../support/engine-arbitraries';
import { sortAlerts, sortUpdates } from '../../support/engine-fixtures';

interface BatchExtras {
  prevClose: Array<number | null>;
  serialise: boolean;
  mutate: number | null;
}

const extrasArb = fc.record({
  prevClose: fc.array(fc.option(fc.constantFrom(98, 100, 101.5), { nil: null, freq: 2 }), { minLength: SYMBOLS.length, maxLength: SYMBOLS.length }),
  serialise: fc.boolean(),
  mutate: fc.option(fc.nat(20), { nil: null, freq: 3 }),
});

const scenario = fc
  .record({
    rules: rulesArb(14),
    ticks: ticksArb(90),
    forgetAfterMs: fc.constantFrom(0, 60_000),
    replacement: conditionArb(),
    resetChance: fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
  })
  .chain((s) =>
    fc.record({
      s: fc.constant(s),
      cuts: splitsArb(s.ticks.length),
      extras: fc.array(extrasArb, { minLength: 30, maxLength: 30 }),
    }),
  );

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

describe('indexed engine', () => {
  it('fires the same alerts and records the same updates as the reference engine, for any batch split', () => {
    fc.assert(
      fc.property(scenario, ({ s, cuts, extras }) => {
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
          const now = (ticks[ticks.length - 1] as Tick).at + 50;
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
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 400) },
    );
  });
});

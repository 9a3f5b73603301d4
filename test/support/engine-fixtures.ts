/**
 * Fixtures for engine tests: rules with defaults, price paths from plain numbers, and a runner
 * that feeds the same batches to the indexed and the reference engine and insists they agree.
 */
import { expect } from 'vitest';
import { evaluateBatch, evaluateReference, newEngineState, RuleIndex } from '../../core/engine';
import type { EngineRule, EngineState, FiredAlert, PricePoint, SymbolBatch, TriggerUpdate } from '../../core/engine';
import type { Condition } from '../../core/rule-model';

export const T0 = Date.UTC(2026, 10, 2, 14, 30, 0);
export const SYMBOL = 'AAPL$US';

let nextId = 0;

export function rule(condition: Condition, overrides: Partial<EngineRule> = {}): EngineRule {
  nextId += 1;
  return {
    id: `r${nextId}`,
    symbol: SYMBOL,
    condition,
    trigger: 'rearm',
    cooldownSeconds: 0,
    expiresAt: null,
    version: 1,
    armed: true,
    lastFiredAt: null,
    ...overrides,
  };
}

/** Points from prices, `stepMs` apart starting at `start`, each with volume 1 unless given as [price, volume]. */
export function points(prices: ReadonlyArray<number | [number, number]>, start = T0, stepMs = 100): PricePoint[] {
  return prices.map((p, i) => {
    const [price, volume] = typeof p === 'number' ? [p, 1] : p;
    return { price, at: start + i * stepMs, volume };
  });
}

export interface Run {
  alerts: FiredAlert[];
  /** Alerts per batch, in batch order. */
  perBatch: FiredAlert[][];
  updates: TriggerUpdate[][];
  state: EngineState;
}

/**
 * Runs batches (each a list of symbol batches, or points of SYMBOL) through both engines and
 * checks that they fire the same alerts and record the same updates.
 */
export function runBoth(rules: EngineRule[], batches: ReadonlyArray<PricePoint[] | SymbolBatch[]>, now = T0): Run {
  const index = new RuleIndex();
  for (const r of rules) index.upsert(r);
  const indexedState = newEngineState();
  const referenceState = newEngineState();
  const run: Run = { alerts: [], perBatch: [], updates: [], state: indexedState };
  for (const b of batches) {
    const batch: SymbolBatch[] = isPoints(b) ? [{ symbol: SYMBOL, points: b }] : b;
    const batchNow = Math.max(now, ...batch.flatMap((s) => s.points.map((p) => p.at)));
    const indexed = evaluateBatch(index, indexedState, batch, { now: batchNow });
    const reference = evaluateReference(rules, referenceState, batch, { now: batchNow });
    expect(sortAlerts(indexed.alerts)).toEqual(sortAlerts(reference.alerts));
    expect(sortUpdates(indexed.updates)).toEqual(sortUpdates(reference.updates));
    run.alerts.push(...indexed.alerts);
    run.perBatch.push(indexed.alerts);
    run.updates.push(indexed.updates);
  }
  return run;
}

function isPoints(b: PricePoint[] | SymbolBatch[]): b is PricePoint[] {
  return b.length === 0 || 'price' in (b[0] as object);
}

export function sortAlerts(alerts: readonly FiredAlert[]): FiredAlert[] {
  return [...alerts].sort((a, b) => a.symbol.localeCompare(b.symbol) || a.at - b.at || a.ruleId.localeCompare(b.ruleId));
}

export function sortUpdates(updates: readonly TriggerUpdate[]): TriggerUpdate[] {
  return [...updates].sort((a, b) => a.ruleId.localeCompare(b.ruleId));
}

/** Prices at which alerts fired, in order. */
export const firedPrices = (run: Run): number[] => run.alerts.map((a) => a.price);

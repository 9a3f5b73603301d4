/**
 * Book-keeping shared by the engines: creating the state, preparing a symbol for a batch, the
 * runtime trigger state of rules, the updates storage must record, and forgetting idle entries.
 */
import { syncSeries, type SeriesSpec } from './bars';
import { definitionOf, indicatorJudging, isIndicatorCondition, partsOf } from '../conditions/registry';
import { seriesKeyFor } from './conditions';
import { newSymbolState, syncWindows, type WindowsInUse } from './market-state';
import { calendarOf } from './sessions';
import { newRuntime } from './trigger';
import type { EngineRule, EngineState, RuleRuntime, SymbolBatch, SymbolState, TriggerUpdate } from './types';

export const DEFAULT_FORGET_AFTER_MS = 60_000;
const NONE: ReadonlySet<string> = new Set();

export function newEngineState(): EngineState {
  return { symbols: {}, rules: {}, sweptAt: 0 };
}

/**
 * Applies a symbol batch's reset and previous close and syncs its windows and bar series; returns
 * the symbol state, whether the close changed, and the series changed outside trades since the
 * symbol's last batch (their `fresh` marks are cleared: the caller looks at their rules now).
 */
export function prepareSymbol(
  state: EngineState,
  batch: SymbolBatch,
  windows: WindowsInUse,
): { market: SymbolState; prevCloseChanged: boolean; freshSeries: ReadonlySet<string> } {
  const market = (state.symbols[batch.symbol] ??= newSymbolState());
  if (batch.reset === true) market.last = null;
  let prevCloseChanged = false;
  if (batch.prevClose !== undefined && batch.prevClose !== market.prevClose) {
    market.prevClose = batch.prevClose;
    prevCloseChanged = true;
  }
  syncWindows(market, windows);
  syncSeries(market, windows.series);
  let freshSeries: Set<string> | undefined;
  for (const series of market.series) {
    if (!series.fresh) continue;
    (freshSeries ??= new Set()).add(series.key);
    series.fresh = false;
  }
  return { market, prevCloseChanged, freshSeries: freshSeries ?? NONE };
}

/**
 * The rule's runtime trigger state: the state's entry, or (for a rule the state has no entry of,
 * or a new version of it) a fresh one from its durable state. A fresh entry is not stored until
 * {@link keepRuntime} finds it changed.
 */
export function runtimeOf(state: EngineState, rule: EngineRule, now: number): RuleRuntime {
  const existing = state.rules[rule.id];
  if (existing !== undefined && existing.version === rule.version) return existing;
  return newRuntime(rule, now);
}

/**
 * Keeps a runtime entry after a look: a stored entry is marked as recently used; a fresh one is
 * stored only if the look made it differ from the rule's durable state. A stale copy of a rule
 * (an evaluator whose cache lags) never overwrites the entry of a newer version.
 */
export function keepRuntime(state: EngineState, rule: EngineRule, runtime: RuleRuntime, now: number): void {
  const existing = state.rules[rule.id];
  if (existing === runtime) {
    runtime.touchedAt = now;
    return;
  }
  const changed =
    runtime.armed !== rule.armed || runtime.lastFiredAt !== rule.lastFiredAt || runtime.consumed || runtime.wakeAt !== null || runtime.deferred;
  if (changed && (existing === undefined || existing.version < rule.version)) {
    runtime.touchedAt = now;
    state.rules[rule.id] = runtime;
  }
}

/**
 * Durable changes of the rules looked at in a batch: a firing, or an `armed` flag that differs
 * from what storage holds. Marks them as recorded.
 */
export function collectUpdates(state: EngineState, changed: Iterable<string>, firedAt: ReadonlyMap<string, number>): TriggerUpdate[] {
  const updates: TriggerUpdate[] = [];
  for (const ruleId of changed) {
    const runtime = state.rules[ruleId];
    if (runtime === undefined) continue;
    const fired = firedAt.get(ruleId) ?? null;
    if (fired === null && runtime.armed === runtime.storedArmed) continue;
    updates.push({ ruleId, ruleVersion: runtime.version, armed: runtime.armed, firedAt: fired, consumed: runtime.consumed });
    runtime.storedArmed = runtime.armed;
  }
  return updates;
}

/**
 * Drops runtime entries unchanged for `forgetAfterMs` with nothing scheduled: storage, and every
 * evaluator's cache of it, has caught up with them. Sweeps at most every `forgetAfterMs / 4`.
 */
export function forgetIdle(state: EngineState, now: number, forgetAfterMs: number): void {
  if (now - state.sweptAt < forgetAfterMs / 4) return;
  state.sweptAt = now;
  const horizon = now - forgetAfterMs;
  for (const [ruleId, runtime] of Object.entries(state.rules)) {
    if (runtime.touchedAt < horizon && runtime.wakeAt === null && !runtime.deferred) delete state.rules[ruleId];
  }
}

/** Windows and bar series used by a set of rules (for the reference engine; the index keeps them incrementally). */
export function windowsUsedBy(rules: Iterable<EngineRule>): WindowsInUse {
  const moves = new Set<number>();
  const volume = new Set<number>();
  const series = new Map<string, Set<string>>();
  for (const rule of rules) {
    const calendar = calendarOf(rule.symbol);
    for (const c of partsOf(rule.condition)) {
      const placement = definitionOf(c).index;
      if (placement.group === 'moves') moves.add(placement.windowSeconds(c));
      if (placement.group === 'volume') volume.add(placement.windowSeconds(c));
      const key = seriesKeyFor(c, calendar);
      if (key === null) continue;
      let indicators = series.get(key);
      if (indicators === undefined) {
        indicators = new Set();
        series.set(key, indicators);
      }
      if (isIndicatorCondition(c)) for (const k of indicatorJudging(c).indicators(c)) indicators.add(k);
    }
  }
  return { moves: [...moves], volume: [...volume], series: seriesSpecs(series) };
}

/** Series specs from series keys and the indicator keys read on each, sorted as the state keeps them. */
export function seriesSpecs(series: ReadonlyMap<string, Iterable<string>>): SeriesSpec[] {
  return [...series.keys()].sort().map((key) => {
    const [interval, session] = key.split(':') as [SeriesSpec['interval'], SeriesSpec['session']];
    return { key, interval, session, indicators: [...(series.get(key) ?? [])].sort() };
  });
}

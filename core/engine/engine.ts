/**
 * The indexed engine: evaluates a batch of price paths against a {@link RuleIndex}.
 *
 * At each point it looks only at the rules the move may change (thresholds crossed, ratios that
 * moved past a rule's percent or multiple), plus rules it scheduled itself: a rule that holds but
 * waits for its cooldown gets a timer, a `repeat` rule that holds is looked at again on the next
 * batch, and rules added or changed are looked at on their symbol's next point. The first point
 * of a symbol (a baseline) looks at all its rules. The result equals the reference engine's,
 * which looks at every rule at every point (held to it by property tests).
 *
 * Pure: no clock, no I/O. It mutates the `state` it is given (the caller owns it) for speed.
 */
import { secondOf } from '../tick-time';
import { judge } from './conditions';
import { collectUpdates, DEFAULT_FORGET_AFTER_MS, forgetIdle, keepRuntime, prepareSymbol, runtimeOf } from './engine-state';
import { advanceWindows, VOLUME_MIN_HISTORY, type WindowsInUse } from './market-state';
import type { DynamicGroup, IndexedRule, RuleIndex, SymbolIndex } from './rule-index';
import type { SortedEntries } from './sorted-entries';
import { popDueTimer, pushTimer } from './timer-heap';
import { decide, eligibleFrom, isExpired, type Outcome } from './trigger';
import type {
  EngineRule,
  EngineState,
  EvaluateOptions,
  EvaluationResult,
  FiredAlert,
  MovesWindowState,
  PricePoint,
  RuleRuntime,
  SymbolBatch,
  SymbolState,
  VolumeWindowState,
} from './types';

const NO_WINDOWS: WindowsInUse = { moves: [], volume: [] };
const NO_GROUPS: readonly DynamicGroup[] = [];

/**
 * Evaluates one batch.
 * @example
 * const state = newEngineState();
 * const { alerts, updates } = evaluateBatch(index, state, [{ symbol: 'AAPL$US', points }], { now: Date.now() });
 */
export function evaluateBatch(
  index: RuleIndex,
  state: EngineState,
  batch: readonly SymbolBatch[],
  options: EvaluateOptions,
): EvaluationResult {
  const run = new BatchRun(index, state, options.now);
  for (const path of batch) run.evaluateSymbol(path);
  const updates = collectUpdates(state, run.changed, run.firedAt);
  forgetIdle(state, options.now, options.forgetAfterMs ?? DEFAULT_FORGET_AFTER_MS);
  return { alerts: run.alerts, updates, expired: index.takeExpired(options.now), stats: { points: run.points, visits: run.visits } };
}

/** Relative slack around a ratio boundary, far above float rounding, so no rule near it is missed. */
const SLACK = 1e-9;

/** Calls `visit` for the entries whose key lies between `a` and `b`, widened by {@link SLACK}. */
function visitBetween(entries: SortedEntries<IndexedRule>, a: number, b: number, visit: (rule: IndexedRule) => void): void {
  if (Number.isNaN(a) || Number.isNaN(b)) {
    entries.forEach(visit);
    return;
  }
  const lo = a < b ? a : b;
  const hi = a < b ? b : a;
  entries.forRange(lo - SLACK * (1 + Math.abs(lo)), hi + SLACK * (1 + Math.abs(hi)), visit);
}

function ratioOf(group: DynamicGroup, price: number): number {
  if (group.kind === 'volume') {
    const w = group.volume as VolumeWindowState;
    // The history changes only when a window closes: its average is computed once per window.
    if (group.averageOf !== w.index) {
      group.averageOf = w.index;
      let sum = 0;
      for (const v of w.history) sum += v;
      group.average = w.history.length < VOLUME_MIN_HISTORY || sum === 0 ? 0 : sum / w.history.length;
    }
    return group.average > 0 ? w.current / group.average : 0;
  }
  const w = group.moves as MovesWindowState;
  if (group.kind === 'up') {
    const low = w.lowPrices[0];
    return low === undefined ? Number.NaN : 100 * (price / low - 1);
  }
  const high = w.highPrices[0];
  return high === undefined ? Number.NaN : 100 * (1 - price / high);
}

class BatchRun {
  readonly alerts: FiredAlert[] = [];
  readonly firedAt = new Map<string, number>();
  /** Rules whose durable trigger state may have changed in this batch. */
  readonly changed = new Set<string>();
  points = 0;
  visits = 0;

  // The point being evaluated (fields rather than closures: this is the hot path).
  private symbol = '';
  private market!: SymbolState;
  private prev: number | null = null;
  private point!: PricePoint;
  private second = 0;
  private stamp = 0;
  private readonly visit = (indexed: IndexedRule): void => this.look(indexed);

  constructor(
    private readonly index: RuleIndex,
    private readonly state: EngineState,
    private readonly now: number,
  ) {}

  evaluateSymbol(path: SymbolBatch): void {
    const symbolIndex = this.index.symbol(path.symbol);
    const { market, prevCloseChanged } = prepareSymbol(this.state, path, symbolIndex?.windowsInUse() ?? NO_WINDOWS);
    this.symbol = path.symbol;
    this.market = market;
    const groups = symbolIndex === undefined ? NO_GROUPS : dynamicGroupsOf(symbolIndex, market);
    const deferred = this.takeDeferred(market);
    let first = true;
    for (const point of path.points) {
      this.points += 1;
      const prev = market.last;
      // The ratio at the previous point: computed after that point within this batch, else now.
      if (first || prev === null) for (const group of groups) group.before = prev === null ? Number.NaN : ratioOf(group, prev);
      const second = secondOf(point.at);
      advanceWindows(market, point, second);
      if (symbolIndex !== undefined) {
        this.prev = prev;
        this.point = point;
        this.second = second;
        this.stamp = this.index.nextStamp();
        this.lookAtMovedRules(symbolIndex, groups);
        if (first) {
          if (prevCloseChanged) symbolIndex.change.forEach(this.visit);
          for (const id of symbolIndex.pending) this.lookById(id);
          symbolIndex.pending.clear();
          for (const id of deferred) this.lookById(id);
        }
        for (let due = popDueTimer(market.timers, this.second); due !== undefined; due = popDueTimer(market.timers, this.second)) {
          const runtime = this.state.rules[due[1]];
          if (runtime !== undefined && runtime.wakeAt === due[0]) {
            runtime.wakeAt = null;
            this.lookById(due[1]);
          }
        }
      }
      first = false;
      market.last = point.price;
      market.lastAt = point.at;
    }
  }

  private lookAtMovedRules(symbolIndex: SymbolIndex, groups: readonly DynamicGroup[]): void {
    const { prev, market } = this;
    const price = this.point.price;
    if (prev === null) {
      for (const indexed of symbolIndex.members.values()) this.look(indexed);
      return;
    }
    if (prev < price) symbolIndex.thresholds.forRange(prev, price, this.visit);
    else symbolIndex.thresholds.forRange(price, prev, this.visit);
    if (market.prevClose !== null && symbolIndex.change.size > 0) {
      visitBetween(symbolIndex.change, changePercent(prev, market.prevClose), changePercent(price, market.prevClose), this.visit);
    }
    for (const group of groups) {
      const after = ratioOf(group, price);
      visitBetween(group.entries, group.before, after, this.visit);
      group.before = after;
    }
  }

  /** Rules deferred to this batch; cleared first, so that looking at them may defer them again. */
  private takeDeferred(market: SymbolState): readonly string[] {
    if (market.deferred.length === 0) return market.deferred;
    const due = market.deferred.filter((ruleId) => {
      const runtime = this.state.rules[ruleId];
      if (runtime === undefined || !runtime.deferred) return false;
      runtime.deferred = false;
      return true;
    });
    market.deferred = [];
    return due;
  }

  private lookById(ruleId: string): void {
    const indexed = this.index.get(ruleId);
    if (indexed !== undefined) this.look(indexed);
  }

  /** Judges one rule at the current point and applies its trigger mode. */
  private look(indexed: IndexedRule): void {
    if (indexed.stamp === this.stamp) return;
    indexed.stamp = this.stamp;
    const rule = indexed.rule;
    const ruleId = rule.id;
    if (rule.symbol !== this.symbol) return;
    this.visits += 1;
    const runtime = runtimeOf(this.state, rule, this.now);
    const { price, at } = this.point;
    const { fires, holds } = judge(rule.condition, { prev: this.prev, price, market: this.market });
    const outcome = decide(rule, runtime, fires, holds, at, this.firedAt.has(ruleId));
    if (outcome === 'fire') {
      this.firedAt.set(ruleId, at);
      this.alerts.push({ ruleId, ruleVersion: rule.version, symbol: this.symbol, price, at, previousPrice: this.prev });
    }
    if (holds) this.schedule(rule, runtime, outcome);
    keepRuntime(this.state, rule, runtime, this.now);
    if (outcome === 'fire' || runtime.armed !== runtime.storedArmed) this.changed.add(ruleId);
  }

  /** A rule that still holds may fire later without any move: when its cooldown ends, or on the next batch. */
  private schedule(rule: EngineRule, runtime: RuleRuntime, outcome: Outcome): void {
    if (runtime.consumed || rule.trigger === 'once' || isExpired(rule, this.second)) return;
    if (rule.trigger === 'rearm' && (!runtime.armed || outcome !== 'none')) return;
    const from = eligibleFrom(rule, runtime);
    if (from > this.second) {
      if (runtime.wakeAt !== from) {
        runtime.wakeAt = from;
        pushTimer(this.market.timers, from, rule.id);
      }
    } else if (!runtime.deferred) {
      runtime.deferred = true;
      this.market.deferred.push(rule.id);
    }
  }
}

function changePercent(price: number, prevClose: number): number {
  return 100 * (price / prevClose - 1);
}

/** The symbol's dynamic groups bound to its market windows; rebuilt only when either changes. */
function dynamicGroupsOf(symbolIndex: SymbolIndex, market: SymbolState): readonly DynamicGroup[] {
  const cached = symbolIndex.groupsCache;
  if (cached !== null && cached.version === symbolIndex.version && cached.moves === market.moves && cached.volume === market.volume) {
    return cached.groups;
  }
  const groups: DynamicGroup[] = [];
  for (const group of symbolIndex.moves.values()) {
    const moves = market.moves.find((w) => w.windowSeconds === group.windowSeconds);
    if (moves !== undefined) groups.push({ entries: group.byPercent, kind: group.up ? 'up' : 'down', moves, volume: undefined, before: Number.NaN, averageOf: Number.NaN, average: 0 });
  }
  for (const [windowSeconds, entries] of symbolIndex.volume) {
    const volume = market.volume.find((w) => w.windowSeconds === windowSeconds);
    if (volume !== undefined) groups.push({ entries, kind: 'volume', moves: undefined, volume, before: Number.NaN, averageOf: Number.NaN, average: 0 });
  }
  symbolIndex.groupsCache = { version: symbolIndex.version, moves: market.moves, volume: market.volume, groups };
  return groups;
}

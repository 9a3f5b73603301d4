/**
 * The indexed engine: evaluates a batch of price paths against a {@link RuleIndex}.
 *
 * At each point it looks only at the rules the move may change (thresholds crossed, ratios that
 * moved past a rule's percent or multiple), plus rules it scheduled itself: a rule that holds but
 * waits for its cooldown gets a timer, a `repeat` rule that holds is looked at again on the next
 * batch, and rules added or changed are looked at on their symbol's next point. The first point
 * of a symbol (a baseline) looks at all its rules. Rules with indicator conditions on closed bars
 * are looked at only when a bar of their series closes (at a trade past its end, or at the end of
 * the batch once `now` has passed it). The result equals the reference engine's, which looks at
 * every rule at every point and every bar-close rule at every close (held to it by property tests).
 *
 * Pure: no clock, no I/O. It mutates the `state` it is given (the caller owns it) for speed.
 */
import { secondOf } from '../tick-time';
import { advanceBars, BAR_CLOSE_GRACE_MS, byEnd, closeDueBars, type BarSeriesState, type ClosedBar } from './bars';
import { formingReader, judge, judgeAtClose, snapshotFormingEdges } from './conditions';
import { collectUpdates, DEFAULT_FORGET_AFTER_MS, forgetIdle, keepRuntime, prepareSymbol, runtimeOf } from './engine-state';
import { advanceWindows, VOLUME_MIN_HISTORY, type WindowsInUse } from './market-state';
import type { DynamicGroup, FormingGroup, IndexedRule, RuleIndex, SymbolIndex } from './rule-index';
import { calendarOf } from './sessions';
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

const NO_WINDOWS: WindowsInUse = { moves: [], volume: [], series: [] };
const NO_GROUPS: readonly DynamicGroup[] = [];
const NO_BAR_GROUPS: BarGroups = { forming: [], change: [] };

/** A forming-bar group bound to its series in the state being evaluated, with its ratio before the point. */
interface BoundFormingGroup {
  group: FormingGroup;
  /** The group's value now (formingQuantity of its probe, indicators looked up once). */
  read: () => number | null;
  /** The ratio after the previous point of this batch (NaN: none, the indicator has no value). */
  before: number;
  /** No point of this batch yet: every rule of the group is looked at. */
  fresh: boolean;
}

/** Session previous-close rules of one daily series, with the close they were last judged against. */
interface BoundChangeGroup {
  entries: SortedEntries<IndexedRule>;
  series: BarSeriesState | undefined;
  /** NaN: not yet in this batch (every rule is looked at when the close may have moved since). */
  seen: number | null;
}

interface BarGroups {
  forming: BoundFormingGroup[];
  change: BoundChangeGroup[];
}

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
  run.closeBarsDueAtEnd();
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
  private calendar = '';
  private market!: SymbolState;
  private prev: number | null = null;
  private point!: PricePoint;
  private second = 0;
  private stamp = 0;
  private readonly visit = (indexed: IndexedRule): void => this.look(indexed);
  /** Bars closed by the current point, and the series closing at the current close moment. */
  private readonly closed: ClosedBar[] = [];
  private readonly closing = new Map<string, ClosedBar>();
  private closeEnd = 0;
  private readonly visitAtClose = (indexed: IndexedRule): void => this.lookAtClose(indexed);
  /** Forming edge quantities before the current point. */
  private readonly before = new Map<string, number | null>();

  constructor(
    private readonly index: RuleIndex,
    private readonly state: EngineState,
    private readonly now: number,
  ) {}

  evaluateSymbol(path: SymbolBatch): void {
    const symbolIndex = this.index.symbol(path.symbol);
    const { market, prevCloseChanged, freshSeries } = prepareSymbol(this.state, path, symbolIndex?.windowsInUse() ?? NO_WINDOWS);
    this.symbol = path.symbol;
    this.calendar = symbolIndex?.calendar ?? calendarOf(path.symbol);
    this.market = market;
    const groups = symbolIndex === undefined ? NO_GROUPS : dynamicGroupsOf(symbolIndex, market);
    const barGroups = symbolIndex === undefined ? NO_BAR_GROUPS : barGroupsOf(symbolIndex, market);
    const hasEdges = symbolIndex !== undefined && symbolIndex.formingEdges.size > 0;
    const deferred = this.takeDeferred(market);
    let first = true;
    for (const point of path.points) {
      this.points += 1;
      const prev = market.last;
      // The ratio at the previous point: computed after that point within this batch, else now.
      if (first || prev === null) for (const group of groups) group.before = prev === null ? Number.NaN : ratioOf(group, prev);
      // At a batch's first point the value before it is read from the state, as the previous
      // batch left it — unless the series changed outside trades since (a seed, a close by the
      // clock, a new series): then every rule of the group is looked at. After it, the value
      // before a point is the value after the previous one (nothing else moves it in a batch).
      if (first) {
        for (const bound of barGroups.forming) {
          bound.fresh = freshSeries.has(bound.group.seriesKey);
          bound.before = bound.fresh ? Number.NaN : formingRatio(bound);
        }
        for (const bound of barGroups.change) bound.seen = bound.series !== undefined && freshSeries.has(bound.series.key) ? Number.NaN : (bound.series?.lastClose ?? null);
      }
      // Forming edge quantities before the point: read from the state at a batch's first point,
      // then carried from the groups' values after each point (lookAtBarGroups).
      if (hasEdges && first) snapshotFormingEdges(market, this.calendar, (symbolIndex as SymbolIndex).formingEdges, this.before);
      const second = secondOf(point.at);
      advanceWindows(market, point, second);
      if (market.series.length > 0) {
        advanceBars(market, this.calendar, point, this.closed);
        if (this.closed.length > 0) this.judgeCloses(symbolIndex);
      }
      if (symbolIndex !== undefined) {
        this.prev = prev;
        this.point = point;
        this.second = second;
        this.stamp = this.index.nextStamp();
        this.lookAtMovedRules(symbolIndex, groups);
        if (barGroups !== NO_BAR_GROUPS) this.lookAtBarGroups(barGroups);
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
      if (hasEdges) {
        // The edge quantities after this point are the next point's "before".
        for (const bound of barGroups.forming) if (bound.group.edge) this.before.set(bound.group.key, Number.isNaN(bound.before) ? null : bound.before);
      }
      first = false;
      market.last = point.price;
      market.lastAt = point.at;
    }
  }

  /** At the end of the batch: bars whose end `now` has passed (less the grace) close, and their rules are looked at. */
  closeBarsDueAtEnd(): void {
    const cutoff = this.now - BAR_CLOSE_GRACE_MS;
    const symbols = this.state.symbols;
    for (const symbol in symbols) {
      const market = symbols[symbol] as SymbolState;
      if (market.series.length === 0) continue;
      closeDueBars(market, cutoff, this.closed);
      if (this.closed.length === 0) continue;
      const symbolIndex = this.index.symbol(symbol);
      this.symbol = symbol;
      this.calendar = symbolIndex?.calendar ?? calendarOf(symbol);
      this.market = market;
      this.judgeCloses(symbolIndex);
    }
  }

  /** Looks at the bar-close rules of each series in `closed`, one moment (bar end) at a time; empties `closed`. */
  private judgeCloses(symbolIndex: SymbolIndex | undefined): void {
    const closed = this.closed;
    if (symbolIndex !== undefined && symbolIndex.atClose.size > 0) {
      if (closed.length > 1) closed.sort(byEnd);
      for (let i = 0; i < closed.length; ) {
        const end = (closed[i] as ClosedBar).end;
        this.closing.clear();
        for (; i < closed.length && (closed[i] as ClosedBar).end === end; i += 1) this.closing.set((closed[i] as ClosedBar).series.key, closed[i] as ClosedBar);
        this.closeEnd = end;
        this.stamp = this.index.nextStamp();
        for (const key of this.closing.keys()) symbolIndex.atClose.get(key)?.forEach(this.visitAtClose);
      }
    }
    closed.length = 0;
  }

  /** Judges a bar-close rule at the current close moment. */
  private lookAtClose(indexed: IndexedRule): void {
    if (indexed.stamp === this.stamp) return;
    indexed.stamp = this.stamp;
    const rule = indexed.rule;
    if (rule.symbol !== this.symbol) return;
    const judged = judgeAtClose(rule.condition, { market: this.market, calendar: this.calendar, closing: this.closing });
    if (judged === null) return;
    this.visits += 1;
    const runtime = runtimeOf(this.state, rule, this.now);
    const at = this.closeEnd;
    const outcome = decide(rule, runtime, judged.fires, judged.holds, at, this.firedAt.has(rule.id));
    if (outcome === 'fire') {
      this.firedAt.set(rule.id, at);
      this.alerts.push({ ruleId: rule.id, ruleVersion: rule.version, symbol: this.symbol, price: judged.price, at, previousPrice: judged.prev });
    }
    keepRuntime(this.state, rule, runtime, this.now);
    if (outcome === 'fire' || runtime.armed !== runtime.storedArmed) this.changed.add(rule.id);
  }

  /** Forming-bar indicator rules whose value moved past their key, and session previous-close rules. */
  private lookAtBarGroups(barGroups: BarGroups): void {
    for (const bound of barGroups.forming) {
      const after = formingRatio(bound);
      if (bound.fresh) bound.group.entries.forEach(this.visit);
      // Without a value before and after, every rule of the group is judged as it was.
      else if (!Number.isNaN(bound.before) || !Number.isNaN(after)) visitBetween(bound.group.entries, bound.before, after, this.visit);
      bound.before = after;
      bound.fresh = false;
    }
    const { prev, point } = this;
    for (const bound of barGroups.change) {
      const close = bound.series?.lastClose ?? null;
      if (close !== bound.seen) {
        bound.seen = close;
        bound.entries.forEach(this.visit);
      } else if (close !== null && prev !== null) {
        visitBetween(bound.entries, changePercent(prev, close), changePercent(point.price, close), this.visit);
      }
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
    if (rule.symbol !== this.symbol || indexed.atClose) return;
    this.visits += 1;
    const runtime = runtimeOf(this.state, rule, this.now);
    const { price, at } = this.point;
    const { fires, holds } = judge(rule.condition, { prev: this.prev, price, market: this.market, calendar: this.calendar, before: this.before });
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

/** The ratio of a forming group before or after a point: the group's value, NaN while it has none. */
function formingRatio(bound: BoundFormingGroup): number {
  return bound.read() ?? Number.NaN;
}

/** The symbol's forming and session previous-close groups bound to its bar series (rebuilt only when either changes). */
function barGroupsOf(symbolIndex: SymbolIndex, market: SymbolState): BarGroups {
  if (symbolIndex.forming.size === 0 && symbolIndex.sessionChange.size === 0) return NO_BAR_GROUPS;
  const cached = symbolIndex.barGroupsCache as { version: number; series: BarSeriesState[]; groups: BarGroups } | null;
  if (cached !== null && cached.version === symbolIndex.version && cached.series === market.series) return cached.groups;
  const seriesOf = (key: string) => market.series.find((s) => s.key === key);
  const groups: BarGroups = {
    forming: [...symbolIndex.forming.values()].map((group) => ({ group, read: formingReader(group.probe, seriesOf(group.seriesKey)), before: Number.NaN, fresh: true })),
    change: [...symbolIndex.sessionChange].map(([key, entries]) => ({ entries, series: seriesOf(key), seen: Number.NaN })),
  };
  symbolIndex.barGroupsCache = { version: symbolIndex.version, series: market.series, groups };
  return groups;
}

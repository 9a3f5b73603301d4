/**
 * How conditions are judged at one point of a price path or at a bar close (see docs/rules.md),
 * for every condition type alike: each type says how it is judged in its definition
 * (core/conditions/*.ts, `judging`), and this module combines them.
 *
 * A point is a trade; the *move* to it runs from the previous point's price `prev` to its price.
 * - Levels hold or not at the point.
 * - Price edges happen on the move: the market is taken to have traded through every price
 *   between two consecutive trades. No edge happens on a baseline point.
 * - `any` fires when one of its conditions fires at the point.
 * - `all` fires when there is one price on the move at which all its conditions hold together:
 *   an edge holds at its threshold, a price level on its interval, and the window and indicator
 *   conditions as judged at the point. The move is the half-open interval from the previous price
 *   (excluded) to the point's price (included).
 *
 * Indicator conditions are judged on bars. With `evaluate: "forming"` they are judged at points,
 * on values that take the forming bar's price as its close (an edge: the value moved across its
 * line between the previous point and this one). By default (`close`) a rule with indicator
 * conditions is judged only at the closes of their bar series ({@link judgeAtClose}): levels on
 * the closed bar's values, edges between the previous close's values and this close's, the
 * rule's price levels at the bar's close price.
 *
 * `holds` says whether the condition still holds at the point itself; a `rearm` rule re-arms
 * at a point where it does not. Edges never hold at a point.
 */
import { assertNever } from '../assert-never';
import type { IndicatorJudging } from '../conditions/definition';
import { definitionOf, indicatorJudging, isIndicatorCondition, partsOf } from '../conditions/registry';
import type { Condition, IndicatorCondition, SimpleCondition } from '../rule-model';
import type { BarSeriesState, ClosedBar } from './bars';
import type { IndicatorState } from './indicators';
import type { SymbolState } from './types';

export { changeThreshold, prevCloseFor } from '../conditions/prev-close-change';
export { movesDownThreshold, movesUpThreshold } from '../conditions/moves';
export { isIndicatorCondition };

/** Values of forming-bar edge quantities before a point, by {@link formingEdgeKey}. */
export type FormingSnapshot = ReadonlyMap<string, number | null>;

/** Where a condition is judged: the move from `prev` to `price`, with the symbol's market state after the point. */
export interface PointContext {
  prev: number | null;
  price: number;
  market: SymbolState;
  /** The symbol's calendar (sessions.ts `calendarOf`): a condition's default session and its bars depend on it. */
  calendar: string;
  /** Forming-bar edge quantities as they were before the point (see {@link snapshotFormingEdges}). */
  before?: FormingSnapshot;
}

export interface Judgement {
  fires: boolean;
  holds: boolean;
}

// --- bar series and indicator readings -------------------------------------------------------

const seriesKeyMemo = new WeakMap<SimpleCondition, { calendar: string; key: string | null }>();

/**
 * The bar series a condition reads: an indicator's, or the daily series of a session's previous
 * close. Remembered per condition object (and calendar): this runs per trade.
 */
export function seriesKeyFor(c: SimpleCondition, calendar: string): string | null {
  const known = seriesKeyMemo.get(c);
  if (known !== undefined && known.calendar === calendar) return known.key;
  const key = definitionOf(c).series(c, calendar);
  seriesKeyMemo.set(c, { calendar, key });
  return key;
}

/** Indicator conditions judged on the forming bar; the others (default `close`) are judged at bar closes. */
export function isForming(c: IndicatorCondition): boolean {
  return c.evaluate === 'forming';
}

/** Is the condition an edge (it happens on a move or at a close, and never holds)? */
export function isEdge(c: SimpleCondition): boolean {
  const { judging } = definitionOf(c);
  switch (judging.kind) {
    case 'level':
      return false;
    case 'price_edge':
      return true;
    case 'indicator':
      return judging.shape === 'edge';
    default:
      return assertNever(judging, 'condition judging');
  }
}

/** Is the rule judged at the closes of its bar series (it has an indicator condition judged on closed bars)? */
export function isJudgedAtClose(condition: Condition): boolean {
  return partsOf(condition).some((c) => isIndicatorCondition(c) && !isForming(c));
}

function seriesOf(market: SymbolState, key: string | null): BarSeriesState | undefined {
  for (const s of market.series) if (s.key === key) return s;
  return undefined;
}

/** The quantity an indicator condition compares, on the forming bar; null while the series lacks the values. */
export function formingQuantity(c: IndicatorCondition, series: BarSeriesState | undefined): number | null {
  return series === undefined ? null : indicatorJudging(c).read(c, series, 'forming', statesOf(c, series));
}

/** The series' indicator states a condition reads, in the order of its `indicators`. */
function statesOf(c: IndicatorCondition, series: BarSeriesState): (IndicatorState | undefined)[] {
  const keys = indicatorKeysOf(c);
  const states: (IndicatorState | undefined)[] = [];
  for (const key of keys) {
    let found: IndicatorState | undefined;
    for (const ind of series.indicators) {
      if (ind.key === key) {
        found = ind;
        break;
      }
    }
    states.push(found);
  }
  return states;
}

const indicatorKeysMemo = new WeakMap<IndicatorCondition, readonly string[]>();

/** The indicator states a condition reads (its `indicators`), remembered per condition object: this runs per trade. */
function indicatorKeysOf(c: IndicatorCondition): readonly string[] {
  let keys = indicatorKeysMemo.get(c);
  if (keys === undefined) {
    keys = indicatorJudging(c).indicators(c);
    indicatorKeysMemo.set(c, keys);
  }
  return keys;
}

/**
 * {@link formingQuantity} with the series' indicators looked up once: for the index's groups,
 * which read it at every trade. Valid while the series keeps its indicator objects (a sync or a
 * seed replaces the symbol's series array, and the engine binds again).
 */
export function formingReader(c: IndicatorCondition, series: BarSeriesState | undefined): () => number | null {
  if (series === undefined) return () => null;
  const { read } = indicatorJudging(c);
  const states = statesOf(c, series);
  return () => read(c, series, 'forming', states);
}

/** The same quantity on closed bars: as of the last close (`back` 0) or the close before (`back` 1). */
export function closedQuantity(c: IndicatorCondition, series: BarSeriesState | undefined, back: 0 | 1): number | null {
  return series === undefined ? null : indicatorJudging(c).read(c, series, back === 0 ? 'last' : 'previous', statesOf(c, series));
}

/** Does an indicator level hold for this value of its quantity? */
function indicatorLevelHolds<C>(judging: IndicatorJudging<C>, c: C, value: number | null): boolean {
  if (value === null) return false;
  const line = judging.line(c);
  return judging.direction(c) === 'up' ? value > line : value < line;
}

/**
 * Did an indicator edge happen between two values of its quantity? TradingView's crossover /
 * crossunder of the condition's line: upward `before ≤ line < after`, downward `before ≥ line > after`.
 */
function indicatorEdge<C>(judging: IndicatorJudging<C>, c: C, before: number | null, after: number | null): boolean {
  if (before === null || after === null) return false;
  const line = judging.line(c);
  return judging.direction(c) === 'up' ? before <= line && after > line : before >= line && after < line;
}

const edgeKeyMemo = new WeakMap<IndicatorCondition, { calendar: string; key: string }>();

/**
 * The key of a forming quantity: one value per series and indicator quantity, shared by every
 * rule that compares it (the index keys its groups of forming rules the same way).
 */
export function formingEdgeKey(c: IndicatorCondition, calendar: string): string {
  const known = edgeKeyMemo.get(c);
  if (known !== undefined && known.calendar === calendar) return known.key;
  const key = `${seriesKeyFor(c, calendar) as string}|${indicatorJudging(c).quantity(c)}`;
  edgeKeyMemo.set(c, { calendar, key });
  return key;
}

/** Records the forming edge quantities (`edges`: key → a condition that reads it) before a point. */
export function snapshotFormingEdges(market: SymbolState, calendar: string, edges: ReadonlyMap<string, IndicatorCondition>, into: Map<string, number | null>): void {
  into.clear();
  for (const [key, c] of edges) into.set(key, formingQuantity(c, seriesOf(market, seriesKeyFor(c, calendar))));
}

// --- judging at a point -------------------------------------------------------------------------

/** Does a level condition hold at `price`? (False for edges.) */
export function levelHolds(c: SimpleCondition, price: number, market: SymbolState, calendar: string): boolean {
  const { judging } = definitionOf(c);
  switch (judging.kind) {
    case 'level':
      return judging.holds(c, price, market, calendar);
    case 'price_edge':
      return false;
    case 'indicator': {
      if (judging.shape === 'edge') return false;
      const ic = c as IndicatorCondition;
      const series = seriesOf(market, seriesKeyFor(c, calendar));
      return indicatorLevelHolds(judging, c, isForming(ic) ? formingQuantity(ic, series) : closedQuantity(ic, series, 0));
    }
    default:
      return assertNever(judging, 'condition judging');
  }
}

/** The price at which a price edge happens on the move from `prev` to `price`, or null. */
export function edgeAt(c: SimpleCondition, prev: number | null, price: number): number | null {
  if (prev === null) return null;
  const { judging } = definitionOf(c);
  return judging.kind === 'price_edge' ? judging.at(c, prev, price) : null;
}

/**
 * Did an indicator edge happen at the point? Only on the forming bar (a closed-bar edge happens at
 * a bar close, not at a trade), never on a baseline.
 */
function formingEdgeFires(c: IndicatorCondition, ctx: PointContext): boolean {
  if (!isForming(c) || ctx.prev === null) return false;
  const before = ctx.before?.get(formingEdgeKey(c, ctx.calendar));
  if (before === undefined) return false;
  return indicatorEdge(indicatorJudging(c), c, before, formingQuantity(c, seriesOf(ctx.market, seriesKeyFor(c, ctx.calendar))));
}

/** Does one simple condition fire at the point (an edge that happened, a level that holds)? */
function simpleFires(c: SimpleCondition, ctx: PointContext): boolean {
  return judgeSimple(c, ctx).fires;
}

const FIRES_AND_HOLDS: Judgement = Object.freeze({ fires: true, holds: true });
const NEITHER: Judgement = Object.freeze({ fires: false, holds: false });
const FIRES_ONLY: Judgement = Object.freeze({ fires: true, holds: false });

/** Judges one simple condition at a point: a level fires where it holds, an edge fires and never holds. */
function judgeSimple(c: SimpleCondition, ctx: PointContext): Judgement {
  const { judging } = definitionOf(c);
  switch (judging.kind) {
    case 'level':
      return judging.holds(c, ctx.price, ctx.market, ctx.calendar) ? FIRES_AND_HOLDS : NEITHER;
    case 'price_edge':
      return ctx.prev !== null && judging.at(c, ctx.prev, ctx.price) !== null ? FIRES_ONLY : NEITHER;
    case 'indicator':
      if (judging.shape === 'edge') return formingEdgeFires(c as IndicatorCondition, ctx) ? FIRES_ONLY : NEITHER;
      return levelHolds(c, ctx.price, ctx.market, ctx.calendar) ? FIRES_AND_HOLDS : NEITHER;
    default:
      return assertNever(judging, 'condition judging');
  }
}

/** Judges any condition at a point. */
export function judge(condition: Condition, ctx: PointContext): Judgement {
  switch (condition.type) {
    case 'all':
      return { fires: allFires(condition.conditions, ctx), holds: condition.conditions.every((c) => levelHolds(c, ctx.price, ctx.market, ctx.calendar)) };
    case 'any': {
      let fires = false;
      let holds = false;
      for (const c of condition.conditions) {
        const judged = judgeSimple(c, ctx);
        fires ||= judged.fires;
        holds ||= judged.holds;
      }
      return { fires, holds };
    }
    default:
      return judgeSimple(condition, ctx);
  }
}

/** An interval of prices; `lo > hi` (or equal with an open end) is empty. */
interface Interval {
  lo: number;
  loOpen: boolean;
  hi: number;
  hiOpen: boolean;
}

/** `all`: is there one price on the move at which every condition holds? */
function allFires(conditions: readonly SimpleCondition[], ctx: PointContext): boolean {
  const { prev, price } = ctx;
  // The move: (prev, price] upward, [price, prev) downward, [price, price] on a baseline or no move.
  const set: Interval =
    prev === null || prev === price
      ? { lo: price, loOpen: false, hi: price, hiOpen: false }
      : prev < price
        ? { lo: prev, loOpen: true, hi: price, hiOpen: false }
        : { lo: price, loOpen: false, hi: prev, hiOpen: true };
  for (const c of conditions) {
    if (!narrow(set, c, ctx)) return false;
  }
  return true;
}

/** Intersects `set` with the prices at which `c` holds on this move; false when it becomes empty. */
function narrow(set: Interval, c: SimpleCondition, ctx: PointContext): boolean {
  const { judging } = definitionOf(c);
  switch (judging.kind) {
    case 'level': {
      if (judging.bound === undefined) {
        // Judged at the point: it holds for the whole move or not at all.
        if (!judging.holds(c, ctx.price, ctx.market, ctx.calendar)) return false;
        break;
      }
      const bound = judging.bound(c, ctx.market, ctx.calendar);
      if (bound === null) return false;
      if (bound.side === 'low') raiseLow(set, bound.at, bound.open);
      else lowerHigh(set, bound.at, bound.open);
      break;
    }
    case 'price_edge': {
      const at = edgeAt(c, ctx.prev, ctx.price);
      if (at === null) return false;
      raiseLow(set, at, false);
      lowerHigh(set, at, false);
      break;
    }
    case 'indicator':
      // Judged at the point: they hold (or happen) for the whole move or not at all.
      if (!simpleFires(c, ctx)) return false;
      break;
    default:
      return assertNever(judging, 'condition judging');
  }
  return set.lo < set.hi || (set.lo === set.hi && !set.loOpen && !set.hiOpen);
}

function raiseLow(set: Interval, lo: number, open: boolean): void {
  if (lo > set.lo || (lo === set.lo && open)) {
    set.lo = lo;
    set.loOpen = open;
  }
}

function lowerHigh(set: Interval, hi: number, open: boolean): void {
  if (hi < set.hi || (hi === set.hi && open)) {
    set.hi = hi;
    set.hiOpen = open;
  }
}

// --- judging at a bar close -----------------------------------------------------------------------

/** A moment at which bars close: those that closed, by series key. */
export interface CloseContext {
  market: SymbolState;
  calendar: string;
  closing: ReadonlyMap<string, ClosedBar>;
}

export interface CloseJudgement extends Judgement {
  /** The close of the bar the rule is judged on, and of the bar before it. */
  price: number;
  prev: number | null;
}

/**
 * Judges a rule at a moment where bars close, or returns null when none of its indicator
 * conditions' series closes then. The rule's price is the close of its first such series.
 * An indicator edge happens only at a close of its own series; levels hold on the last closed
 * values; price levels and window conditions are judged at the close price; price edges never
 * happen at a close.
 */
export function judgeAtClose(condition: Condition, ctx: CloseContext): CloseJudgement | null {
  const parts = partsOf(condition);
  let bar: ClosedBar | undefined;
  for (const c of parts) {
    if (!isIndicatorCondition(c)) continue;
    bar = ctx.closing.get(seriesKeyFor(c, ctx.calendar) as string);
    if (bar !== undefined) break;
  }
  if (bar === undefined) return null;
  const price = bar.close;
  const closedLevel = (c: IndicatorCondition) =>
    indicatorLevelHolds(indicatorJudging(c), c, closedQuantity(c, seriesOf(ctx.market, seriesKeyFor(c, ctx.calendar)), 0));
  const firesAt = (c: SimpleCondition): boolean => {
    if (!isIndicatorCondition(c)) return !isEdge(c) && levelHolds(c, price, ctx.market, ctx.calendar);
    if (!isEdge(c)) return closedLevel(c);
    const key = seriesKeyFor(c, ctx.calendar) as string;
    const series = seriesOf(ctx.market, key);
    return ctx.closing.has(key) && indicatorEdge(indicatorJudging(c), c, closedQuantity(c, series, 1), closedQuantity(c, series, 0));
  };
  const holdsAt = (c: SimpleCondition): boolean => {
    if (isEdge(c)) return false;
    if (isIndicatorCondition(c)) return closedLevel(c);
    return levelHolds(c, price, ctx.market, ctx.calendar);
  };
  let fires: boolean;
  let holds: boolean;
  if (condition.type === 'all') {
    fires = parts.every(firesAt);
    holds = parts.every(holdsAt);
  } else if (condition.type === 'any') {
    fires = parts.some(firesAt);
    holds = parts.some(holdsAt);
  } else {
    fires = firesAt(condition);
    holds = holdsAt(condition);
  }
  return { fires, holds, price, prev: bar.prevClose };
}

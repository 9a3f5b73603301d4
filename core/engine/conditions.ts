/**
 * What each condition means, judged at one point of a price path or at a bar close (see
 * docs/rules.md).
 *
 * A point is a trade; the *move* to it runs from the previous point's price `prev` to its price.
 * - Levels (`price_*`, `moves_*_pct`, `change_from_prev_close_pct`, `volume_spike`, `rsi_*`) hold
 *   or not at the point.
 * - Edges (`crosses*`, `enters_channel`, `exits_channel`, `macd_cross`, `ma_cross`,
 *   `bollinger_break`) happen on the move: the market is taken to have traded through every price
 *   between two consecutive trades, so 199 → 201 crosses 200, and 190 → 215 enters and exits the
 *   channel [200, 210]. No edge happens on a baseline point.
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
import { isIndicatorType, type Condition, type IndicatorCondition, type SimpleCondition } from '../rule-model';
import { seriesKeyOf, type BarSeriesState, type ClosedBar } from './bars';
import {
  closedAverage,
  closedBand,
  formingAverage,
  formingBand,
  formingHistogram,
  formingRsi,
  indicatorKeysOf,
  type Band,
  type BollingerState,
  type EmaState,
  type IndicatorState,
  type MacdState,
  type SmaState,
} from './indicators';
import { windowHigh, windowLow, windowVolume } from './market-state';
import { resolveSession } from './sessions';
import type { SymbolState } from './types';

/** Values of forming-bar edge quantities before a point, by {@link formingEdgeKey}. */
export type FormingSnapshot = ReadonlyMap<string, number | null>;

/** Where a condition is judged: the move from `prev` to `price`, with the symbol's market state after the point. */
export interface PointContext {
  prev: number | null;
  price: number;
  market: SymbolState;
  /** The symbol's region (a condition's default session depends on it). */
  region: string;
  /** Forming-bar edge quantities as they were before the point (see {@link snapshotFormingEdges}). */
  before?: FormingSnapshot;
}

export interface Judgement {
  fires: boolean;
  holds: boolean;
}

/** Price at which `change_from_prev_close_pct` reaches `percent` (shared by every engine so thresholds agree bit for bit). */
export function changeThreshold(prevClose: number, percent: number): number {
  return prevClose * (1 + percent / 100);
}

/** Price at or above which `moves_up_pct` holds, from the window's low. */
export function movesUpThreshold(low: number, percent: number): number {
  return low * (1 + percent / 100);
}

/** Price at or below which `moves_down_pct` holds, from the window's high. */
export function movesDownThreshold(high: number, percent: number): number {
  return high * (1 - percent / 100);
}

// --- bar series and indicator readings -------------------------------------------------------

const seriesKeyMemo = new WeakMap<SimpleCondition, { region: string; key: string | null }>();

/**
 * The bar series a condition reads: an indicator's, or the daily series of a session's previous
 * close. Remembered per condition object (and region): this runs per trade.
 */
export function seriesKeyFor(c: SimpleCondition, region: string): string | null {
  const known = seriesKeyMemo.get(c);
  if (known !== undefined && known.region === region) return known.key;
  let key: string | null = null;
  if (isIndicatorCondition(c)) key = seriesKeyOf(c.interval, resolveSession(c.session, region));
  else if (c.type === 'change_from_prev_close_pct' && c.session !== undefined) key = seriesKeyOf('1d', resolveSession(c.session, region));
  seriesKeyMemo.set(c, { region, key });
  return key;
}

export function isIndicatorCondition(c: SimpleCondition): c is IndicatorCondition {
  return isIndicatorType(c.type);
}

/** Indicator conditions judged on the forming bar; the others (default `close`) are judged at bar closes. */
export function isForming(c: IndicatorCondition): boolean {
  return c.evaluate === 'forming';
}

/** Is the condition an edge (it happens on a move or at a close, and never holds)? */
export function isEdge(condition: SimpleCondition): boolean {
  switch (condition.type) {
    case 'crosses_above':
    case 'crosses_below':
    case 'crosses':
    case 'enters_channel':
    case 'exits_channel':
    case 'macd_cross':
    case 'ma_cross':
    case 'bollinger_break':
      return true;
    default:
      return false;
  }
}

/** Is the rule judged at the closes of its bar series (it has an indicator condition judged on closed bars)? */
export function isJudgedAtClose(condition: Condition): boolean {
  const parts = condition.type === 'all' || condition.type === 'any' ? condition.conditions : [condition];
  return parts.some((c) => isIndicatorCondition(c) && !isForming(c));
}

function seriesOf(market: SymbolState, key: string): BarSeriesState | undefined {
  for (const s of market.series) if (s.key === key) return s;
  return undefined;
}

function indicatorOf<K extends IndicatorState['kind']>(series: BarSeriesState, key: string, kind: K): Extract<IndicatorState, { kind: K }> | undefined {
  for (const ind of series.indicators) if (ind.key === key) return ind.kind === kind ? (ind as Extract<IndicatorState, { kind: K }>) : undefined;
  return undefined;
}

/**
 * Where a close lies in its band, in standard deviations from the mean (Bollinger's %b on the
 * σ scale): the upper line is at +stdDev, the lower at −stdDev. A flat band (σ = 0) has none.
 */
function zOf(close: number, band: Band): number | null {
  return band.sd > 0 ? (close - band.mean) / band.sd : null;
}

/**
 * The quantity an indicator condition compares, on the forming bar (its price as the close; the
 * closed values between bars): RSI for `rsi_*`, MACD − signal, fast − slow average, and the
 * close's place in its band in standard deviations (zOf). Null while the series lacks the values.
 * It does not depend on the condition's level, direction or band line, so that rules on one
 * indicator share it.
 */
export function formingQuantity(c: IndicatorCondition, series: BarSeriesState | undefined): number | null {
  if (series === undefined) return null;
  const price = series.bar?.close;
  const [key, slowKey = ''] = indicatorKeysOf(c);
  switch (c.type) {
    case 'rsi_above':
    case 'rsi_below': {
      const ind = indicatorOf(series, key as string, 'rsi');
      if (ind === undefined) return null;
      return price === undefined ? ind.value : formingRsi(ind, price);
    }
    case 'macd_cross': {
      const ind = indicatorOf(series, key as string, 'macd');
      if (ind === undefined) return null;
      return price === undefined ? ind.hist : formingHistogram(ind, price);
    }
    case 'ma_cross': {
      const kind = c.kind === 'ema' ? 'ema' : 'sma';
      const fast = indicatorOf(series, key as string, kind) as EmaState | SmaState | undefined;
      const slow = indicatorOf(series, slowKey, kind) as EmaState | SmaState | undefined;
      if (fast === undefined || slow === undefined) return null;
      const f = price === undefined ? closedAverage(fast, 0) : formingAverage(fast, price);
      const s = price === undefined ? closedAverage(slow, 0) : formingAverage(slow, price);
      return f === null || s === null ? null : f - s;
    }
    case 'bollinger_break': {
      const ind = indicatorOf(series, key as string, 'bb');
      if (ind === undefined) return null;
      const close = price ?? series.lastClose;
      const band = price === undefined ? closedBand(ind, 0) : formingBand(ind, price);
      return band === null || close === null ? null : zOf(close, band);
    }
  }
}

/**
 * {@link formingQuantity} with the series' indicators looked up once: for the index's groups,
 * which read it at every trade. Valid while the series keeps its indicator objects (a sync or a
 * seed replaces the symbol's series array, and the engine binds again).
 */
export function formingReader(c: IndicatorCondition, series: BarSeriesState | undefined): () => number | null {
  if (series === undefined) return () => null;
  const [key, slowKey = ''] = indicatorKeysOf(c);
  switch (c.type) {
    case 'rsi_above':
    case 'rsi_below': {
      const ind = indicatorOf(series, key as string, 'rsi');
      if (ind === undefined) return () => null;
      return () => (series.bar === null ? ind.value : formingRsi(ind, series.bar.close));
    }
    case 'macd_cross': {
      const ind = indicatorOf(series, key as string, 'macd');
      if (ind === undefined) return () => null;
      return () => (series.bar === null ? ind.hist : formingHistogram(ind, series.bar.close));
    }
    case 'ma_cross': {
      const kind = c.kind === 'ema' ? 'ema' : 'sma';
      const fast = indicatorOf(series, key as string, kind) as EmaState | SmaState | undefined;
      const slow = indicatorOf(series, slowKey, kind) as EmaState | SmaState | undefined;
      if (fast === undefined || slow === undefined) return () => null;
      return () => {
        const bar = series.bar;
        const f = bar === null ? closedAverage(fast, 0) : formingAverage(fast, bar.close);
        const s = bar === null ? closedAverage(slow, 0) : formingAverage(slow, bar.close);
        return f === null || s === null ? null : f - s;
      };
    }
    case 'bollinger_break': {
      const ind = indicatorOf(series, key as string, 'bb');
      if (ind === undefined) return () => null;
      return () => {
        const bar = series.bar;
        const close = bar === null ? series.lastClose : bar.close;
        const band = bar === null ? closedBand(ind, 0) : formingBand(ind, bar.close);
        return band === null || close === null ? null : zOf(close, band);
      };
    }
  }
}

/** The same quantity on closed bars: as of the last close (`back` 0) or the close before (`back` 1). */
export function closedQuantity(c: IndicatorCondition, series: BarSeriesState | undefined, back: 0 | 1): number | null {
  if (series === undefined) return null;
  const [key, slowKey = ''] = indicatorKeysOf(c);
  switch (c.type) {
    case 'rsi_above':
    case 'rsi_below':
      return back === 0 ? (indicatorOf(series, key as string, 'rsi')?.value ?? null) : null;
    case 'macd_cross': {
      const ind: MacdState | undefined = indicatorOf(series, key as string, 'macd');
      return ind === undefined ? null : back === 0 ? ind.hist : ind.prevHist;
    }
    case 'ma_cross': {
      const kind = c.kind === 'ema' ? 'ema' : 'sma';
      const fast = indicatorOf(series, key as string, kind) as EmaState | SmaState | undefined;
      const slow = indicatorOf(series, slowKey, kind) as EmaState | SmaState | undefined;
      if (fast === undefined || slow === undefined) return null;
      const f = closedAverage(fast, back);
      const s = closedAverage(slow, back);
      return f === null || s === null ? null : f - s;
    }
    case 'bollinger_break': {
      const ind: BollingerState | undefined = indicatorOf(series, key as string, 'bb');
      const close = back === 0 ? series.lastClose : series.prevClose;
      const band = ind === undefined ? null : closedBand(ind, back);
      return band === null || close === null ? null : zOf(close, band);
    }
  }
}

/** Does a level (`rsi_*`) hold for this quantity? */
function indicatorLevelHolds(c: IndicatorCondition, value: number | null): boolean {
  if (value === null) return false;
  if (c.type === 'rsi_above') return value > c.value;
  if (c.type === 'rsi_below') return value < c.value;
  return false;
}

/**
 * Did an edge happen between two values of its quantity? TradingView's crossover / crossunder of
 * the condition's line (0; a Bollinger band's ±stdDev): upward `before ≤ line < after`, downward
 * `before ≥ line > after`.
 */
function indicatorEdge(c: IndicatorCondition, before: number | null, after: number | null): boolean {
  if (before === null || after === null) return false;
  if (c.type === 'bollinger_break') {
    const line = c.band === 'upper' ? c.stdDev : -c.stdDev;
    return c.band === 'upper' ? before <= line && after > line : before >= line && after < line;
  }
  const up = c.type === 'macd_cross' || c.type === 'ma_cross' ? c.direction === 'up' : true;
  return up ? before <= 0 && after > 0 : before >= 0 && after < 0;
}

/**
 * The key of a forming edge's quantity: one value per series and indicator, shared by every rule
 * that compares it (the index keys its groups of forming rules the same way).
 */
export function formingEdgeKey(c: IndicatorCondition, region: string): string {
  const known = edgeKeyMemo.get(c);
  if (known !== undefined && known.region === region) return known.key;
  const key = computeEdgeKey(c, region);
  edgeKeyMemo.set(c, { region, key });
  return key;
}

const edgeKeyMemo = new WeakMap<IndicatorCondition, { region: string; key: string }>();

function computeEdgeKey(c: IndicatorCondition, region: string): string {
  const series = seriesKeyFor(c, region) as string;
  switch (c.type) {
    case 'bollinger_break':
      return `${series}|bb:${c.period}`;
    case 'ma_cross':
      return `${series}|ma:${c.kind}:${c.fast}:${c.slow}`;
    case 'macd_cross':
      return `${series}|macd:${c.fast}:${c.slow}:${c.signal}`;
    default:
      return `${series}|rsi:${c.period}`;
  }
}

/** Records the forming edge quantities (`edges`: key → a condition that reads it) before a point. */
export function snapshotFormingEdges(market: SymbolState, region: string, edges: ReadonlyMap<string, IndicatorCondition>, into: Map<string, number | null>): void {
  into.clear();
  for (const [key, c] of edges) into.set(key, formingQuantity(c, seriesOf(market, seriesKeyFor(c, region) as string)));
}

/** The previous close a `change_from_prev_close_pct` compares with: the feed's, or the session's last daily close. */
export function prevCloseFor(c: Extract<SimpleCondition, { type: 'change_from_prev_close_pct' }>, market: SymbolState, region: string): number | null {
  if (c.session === undefined) return market.prevClose;
  return seriesOf(market, seriesKeyOf('1d', resolveSession(c.session, region)))?.lastClose ?? null;
}

// --- judging at a point -------------------------------------------------------------------------

/** Does a level condition hold at `price`? (False for edges.) */
export function levelHolds(condition: SimpleCondition, price: number, market: SymbolState, region: string): boolean {
  switch (condition.type) {
    case 'price_above':
      return price > condition.value;
    case 'price_below':
      return price < condition.value;
    case 'moves_up_pct':
      return price >= movesUpThreshold(windowLow(market, condition.windowSeconds), condition.percent);
    case 'moves_down_pct':
      return price <= movesDownThreshold(windowHigh(market, condition.windowSeconds), condition.percent);
    case 'change_from_prev_close_pct': {
      const prevClose = prevCloseFor(condition, market, region);
      if (prevClose === null) return false;
      const threshold = changeThreshold(prevClose, condition.percent);
      return condition.percent > 0 ? price >= threshold : price <= threshold;
    }
    case 'volume_spike': {
      const { current, average } = windowVolume(market, condition.windowSeconds);
      return average !== null && average > 0 && current >= condition.multiple * average;
    }
    case 'rsi_above':
    case 'rsi_below': {
      const series = seriesOf(market, seriesKeyFor(condition, region) as string);
      return indicatorLevelHolds(condition, isForming(condition) ? formingQuantity(condition, series) : closedQuantity(condition, series, 0));
    }
    default:
      return false;
  }
}

/** The price at which a price edge happens on the move from `prev` to `price`, or null. */
export function edgeAt(condition: SimpleCondition, prev: number | null, price: number): number | null {
  if (prev === null) return null;
  switch (condition.type) {
    case 'crosses_above':
      return prev < condition.value && condition.value <= price ? condition.value : null;
    case 'crosses_below':
      return prev > condition.value && condition.value >= price ? condition.value : null;
    case 'crosses':
      return (prev < condition.value && condition.value <= price) || (prev > condition.value && condition.value >= price)
        ? condition.value
        : null;
    case 'enters_channel':
      if (prev < condition.lower && condition.lower <= price) return condition.lower;
      if (prev > condition.upper && condition.upper >= price) return condition.upper;
      return null;
    case 'exits_channel':
      if (prev <= condition.upper && condition.upper < price) return condition.upper;
      if (prev >= condition.lower && condition.lower > price) return condition.lower;
      return null;
    default:
      return null;
  }
}

/**
 * Did an indicator edge happen at the point? Only on the forming bar (a closed-bar edge happens at
 * a bar close, not at a trade), never on a baseline.
 */
function formingEdgeFires(c: IndicatorCondition, ctx: PointContext): boolean {
  if (!isForming(c) || ctx.prev === null) return false;
  const before = ctx.before?.get(formingEdgeKey(c, ctx.region));
  if (before === undefined) return false;
  return indicatorEdge(c, before, formingQuantity(c, seriesOf(ctx.market, seriesKeyFor(c, ctx.region) as string)));
}

/** Does one simple condition fire at the point (an edge that happened, a level that holds)? */
function simpleFires(c: SimpleCondition, ctx: PointContext): boolean {
  if (isIndicatorCondition(c) && isEdge(c)) return formingEdgeFires(c, ctx);
  if (isEdge(c)) return edgeAt(c, ctx.prev, ctx.price) !== null;
  return levelHolds(c, ctx.price, ctx.market, ctx.region);
}

/** Judges any condition at a point. */
export function judge(condition: Condition, ctx: PointContext): Judgement {
  switch (condition.type) {
    case 'all':
      return { fires: allFires(condition.conditions, ctx), holds: condition.conditions.every((c) => levelHolds(c, ctx.price, ctx.market, ctx.region)) };
    case 'any': {
      let fires = false;
      let holds = false;
      for (const c of condition.conditions) {
        if (isEdge(c)) {
          fires ||= simpleFires(c, ctx);
        } else if (levelHolds(c, ctx.price, ctx.market, ctx.region)) {
          fires = true;
          holds = true;
        }
      }
      return { fires, holds };
    }
    default:
      if (isEdge(condition)) return { fires: simpleFires(condition, ctx), holds: false };
      {
        const holds = levelHolds(condition, ctx.price, ctx.market, ctx.region);
        return { fires: holds, holds };
      }
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
  switch (c.type) {
    case 'price_above':
      raiseLow(set, c.value, true);
      break;
    case 'price_below':
      lowerHigh(set, c.value, true);
      break;
    case 'change_from_prev_close_pct': {
      const prevClose = prevCloseFor(c, ctx.market, ctx.region);
      if (prevClose === null) return false;
      const threshold = changeThreshold(prevClose, c.percent);
      if (c.percent > 0) raiseLow(set, threshold, false);
      else lowerHigh(set, threshold, false);
      break;
    }
    case 'moves_up_pct':
    case 'moves_down_pct':
    case 'volume_spike':
    case 'rsi_above':
    case 'rsi_below':
    case 'macd_cross':
    case 'ma_cross':
    case 'bollinger_break':
      // Judged at the point: they hold (or happen) for the whole move or not at all.
      if (!simpleFires(c, ctx)) return false;
      break;
    default: {
      const at = edgeAt(c, ctx.prev, ctx.price);
      if (at === null) return false;
      raiseLow(set, at, false);
      lowerHigh(set, at, false);
    }
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
  region: string;
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
  const parts = condition.type === 'all' || condition.type === 'any' ? condition.conditions : [condition];
  let bar: ClosedBar | undefined;
  for (const c of parts) {
    if (!isIndicatorCondition(c)) continue;
    bar = ctx.closing.get(seriesKeyFor(c, ctx.region) as string);
    if (bar !== undefined) break;
  }
  if (bar === undefined) return null;
  const price = bar.close;
  const firesAt = (c: SimpleCondition): boolean => {
    if (!isIndicatorCondition(c)) return !isEdge(c) && levelHolds(c, price, ctx.market, ctx.region);
    const key = seriesKeyFor(c, ctx.region) as string;
    const series = seriesOf(ctx.market, key);
    if (!isEdge(c)) return indicatorLevelHolds(c, closedQuantity(c, series, 0));
    return ctx.closing.has(key) && indicatorEdge(c, closedQuantity(c, series, 1), closedQuantity(c, series, 0));
  };
  const holdsAt = (c: SimpleCondition): boolean => {
    if (isEdge(c)) return false;
    if (isIndicatorCondition(c)) return indicatorLevelHolds(c, closedQuantity(c, seriesOf(ctx.market, seriesKeyFor(c, ctx.region) as string), 0));
    return levelHolds(c, price, ctx.market, ctx.region);
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

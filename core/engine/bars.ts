/**
 * OHLCV bars per symbol, interval and session, and the indicators computed on them: the bar
 * series of a symbol's market state (docs/rules.md, "Bars and indicators"). Bars follow the
 * symbol's calendar (sessions.ts `calendarOf`: an exchange's, crypto's or forex's).
 *
 * - A series exists only for an (interval, session) that the symbol's rules use, with only the
 *   indicators they read, like the rolling windows of `market-state.ts`.
 * - Bars lie on the calendar's wall clock: intraday bars on multiples of the interval from local
 *   midnight, clipped to the session's windows (so a regular-session 1h series starts with a
 *   09:30–10:00 bar); a daily bar spans the session's trading day (its lunch break included, its
 *   trades not; a forex day runs from 17:00 New York to 17:00). Trades outside the session are
 *   left out; no bar forms where nothing traded.
 * - A bar closes at the first trade stamped at or after its end — whether or not that trade is
 *   in the session — or, at the end of a batch, once the batch's `now` is {@link BAR_CLOSE_GRACE_MS}
 *   past its end. A trade stamped before the forming bar (or before the end of the last closed
 *   bar) is late and left out of the bars.
 * - State is small and plain: the forming bar, the last closes (a ring as long as the longest
 *   window indicator), and each indicator's few numbers (indicators.ts).
 */
import type { BarInterval, SessionKind } from '../rule-model';
import { closeIndicator, isWarm, newIndicator, ringNeeded, type IndicatorState } from './indicators';
import { calendarOf, clockOf, sessionWindows, tradingDayOf, tradingDayOn, utcOffsetMs } from './sessions';
import type { EngineState, PricePoint, SymbolState } from './types';
import { newSymbolState } from './market-state';

/** How long after its end a bar without a later trade is closed by a batch's `now` (clock skew between the exchange and us). */
export const BAR_CLOSE_GRACE_MS = 2_000;

export const INTERVAL_MS: Readonly<Record<BarInterval, number>> = { '1m': 60_000, '5m': 300_000, '15m': 900_000, '1h': 3_600_000, '1d': 86_400_000 };

export interface Bar {
  /** Epoch ms, [start, end). */
  start: number;
  end: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface BarSeriesState {
  /** `interval:session`, e.g. `1m:regular`. */
  key: string;
  interval: BarInterval;
  session: SessionKind;
  /** The forming bar; null until a trade falls in a bar after the last closed one. */
  bar: Bar | null;
  /** End of the last closed bar (0: none). */
  closedEnd: number;
  /** Closes of the last closed bar and of the one before it. */
  lastClose: number | null;
  prevClose: number | null;
  /** Closed bars seen (live and seeded). */
  count: number;
  /** Closes of the last closed bars, oldest first, as many as the longest SMA / Bollinger period. */
  closes: number[];
  /** Warmed from klines (seedBars) at least once. */
  seeded: boolean;
  /**
   * Changed outside a trade since the engine last evaluated the symbol (created, seeded, or a bar
   * closed by a batch's clock): the engine then looks again at every rule reading the series.
   */
  fresh: boolean;
  /** Sorted by key. */
  indicators: IndicatorState[];
}

/** What a series must hold: its interval and session, and the indicators rules read on it. */
export interface SeriesSpec {
  key: string;
  interval: BarInterval;
  session: SessionKind;
  /** Indicator keys (indicators.ts), sorted. */
  indicators: readonly string[];
}

/** A bar that closed, as the engine judges it. */
export interface ClosedBar {
  series: BarSeriesState;
  end: number;
  close: number;
  /** The close of the bar before it, if any. */
  prevClose: number | null;
}

/** A bar from the feed's history (iTick's klines) to warm a series with. */
export interface SeedBar {
  /** Epoch ms of the bar's start. */
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export const seriesKeyOf = (interval: BarInterval, session: SessionKind) => `${interval}:${session}`;

const mod = (a: number, b: number) => ((a % b) + b) % b;

/** The bar of the calendar's (interval, session) grid that contains `t`, or null when `t` is outside the session. */
export function locateBar(calendar: string, interval: BarInterval, session: SessionKind, t: number): { start: number; end: number } | null {
  const clock = clockOf(calendar);
  const timeZone = clock.timeZone;
  const day = tradingDayOn(clock, t);
  const found = locateOn(calendar, interval, session, t, day, timeZone);
  if (found !== null || session !== 'any') return found;
  // On a day whose offset changes (DST), `any`'s day boundaries are approximate: look at the neighbours.
  return locateOn(calendar, interval, session, t, day - 1, timeZone) ?? locateOn(calendar, interval, session, t, day + 1, timeZone);
}

function locateOn(calendar: string, interval: BarInterval, session: SessionKind, t: number, day: number, timeZone: string): { start: number; end: number } | null {
  const windows = sessionWindows(calendar, session, day);
  for (const [from, to] of windows) {
    if (t < from || t >= to) continue;
    if (interval === '1d') return { start: (windows[0] as readonly [number, number])[0], end: (windows[windows.length - 1] as readonly [number, number])[1] };
    const size = INTERVAL_MS[interval];
    const aligned = t - mod(t + utcOffsetMs(timeZone, t), size);
    return { start: Math.max(from, aligned), end: Math.min(to, aligned + size) };
  }
  return null;
}

/**
 * The daily bar of a kline that starts at `start`: that of its trading day, read 6 h after the
 * start (so that a start at local midnight, at UTC midnight, at the open or at a forex day's
 * 17:00 New York all land on the right day); null when the market was closed that day.
 */
function dailyBarOf(calendar: string, session: SessionKind, start: number): { start: number; end: number } | null {
  const windows = sessionWindows(calendar, session, tradingDayOf(calendar, start + 6 * 3_600_000));
  const first = windows[0];
  const last = windows[windows.length - 1];
  return first === undefined || last === undefined ? null : { start: first[0], end: last[1] };
}

export function newSeries(spec: SeriesSpec): BarSeriesState {
  return {
    key: spec.key,
    interval: spec.interval,
    session: spec.session,
    bar: null,
    closedEnd: 0,
    lastClose: null,
    prevClose: null,
    count: 0,
    closes: [],
    seeded: false,
    fresh: true,
    indicators: spec.indicators.flatMap((key) => newIndicator(key) ?? []),
  };
}

/** Adds the series and indicators rules now use (empty: they warm from the next bars or a seed) and drops unused ones. */
export function syncSeries(market: SymbolState, specs: readonly SeriesSpec[]): void {
  if (sameSeries(market.series, specs)) return;
  const kept = new Map(market.series.map((s) => [s.key, s]));
  market.series = specs.map((spec) => {
    const existing = kept.get(spec.key);
    if (existing === undefined) return newSeries(spec);
    const indicators = new Map(existing.indicators.map((i) => [i.key, i]));
    existing.indicators = spec.indicators.flatMap((key) => indicators.get(key) ?? newIndicator(key) ?? []);
    trimRing(existing);
    return existing;
  });
}

function sameSeries(series: readonly BarSeriesState[], specs: readonly SeriesSpec[]): boolean {
  if (series.length !== specs.length) return false;
  for (let i = 0; i < specs.length; i += 1) {
    const s = series[i] as BarSeriesState;
    const spec = specs[i] as SeriesSpec;
    if (s.key !== spec.key || s.indicators.length !== spec.indicators.length) return false;
    for (let j = 0; j < spec.indicators.length; j += 1) if ((s.indicators[j] as IndicatorState).key !== spec.indicators[j]) return false;
  }
  return true;
}

function ringCap(series: BarSeriesState): number {
  let cap = 0;
  for (const ind of series.indicators) cap = Math.max(cap, ringNeeded(ind));
  return cap;
}

function trimRing(series: BarSeriesState): void {
  const cap = ringCap(series);
  if (series.closes.length > cap) series.closes.splice(0, series.closes.length - cap);
}

/** Closes the forming bar: its close enters the ring and every indicator. */
function closeBar(series: BarSeriesState, bar: Bar, closed: ClosedBar[] | null): void {
  const prevClose = series.lastClose;
  series.prevClose = prevClose;
  series.lastClose = bar.close;
  series.closedEnd = bar.end;
  series.count += 1;
  series.bar = null;
  const cap = ringCap(series);
  if (cap > 0) {
    series.closes.push(bar.close);
    if (series.closes.length > cap) series.closes.splice(0, series.closes.length - cap);
  }
  for (const ind of series.indicators) closeIndicator(ind, bar.close, series.closes);
  closed?.push({ series, end: bar.end, close: bar.close, prevClose });
}

/**
 * Feeds a trade to every series of the symbol. Bars it closes are appended to `closed` (in series
 * order; the caller orders them by end).
 */
export function advanceBars(market: SymbolState, calendar: string, point: PricePoint, closed: ClosedBar[]): void {
  for (const series of market.series) advanceSeries(series, calendar, point, closed);
}

function advanceSeries(series: BarSeriesState, calendar: string, point: PricePoint, closed: ClosedBar[]): void {
  const t = point.at;
  const bar = series.bar;
  if (bar !== null) {
    if (t < bar.end) {
      if (t < bar.start) return; // late
      if (point.price > bar.high) bar.high = point.price;
      else if (point.price < bar.low) bar.low = point.price;
      bar.close = point.price;
      bar.volume += point.volume;
      return;
    }
    closeBar(series, bar, closed);
  } else if (t < series.closedEnd) {
    return; // late
  }
  const located = locateBar(calendar, series.interval, series.session, t);
  if (located === null) return; // outside the session
  series.bar = { start: located.start, end: located.end, open: point.price, high: point.price, low: point.price, close: point.price, volume: point.volume };
}

/** Closes the forming bars that ended at or before `cutoff` (a batch's `now` less the grace). */
export function closeDueBars(market: SymbolState, cutoff: number, closed: ClosedBar[]): void {
  for (const series of market.series) {
    if (series.bar !== null && series.bar.end <= cutoff) {
      closeBar(series, series.bar, closed);
      series.fresh = true;
    }
  }
}

/** Orders closed bars by end (stable: series order within one end). */
export function byEnd(a: ClosedBar, b: ClosedBar): number {
  return a.end - b.end;
}

/**
 * Does the series want warming from klines: it is missing, or an indicator rules read has not
 * got its values and has never been seeded? (A series without indicators — a session's previous
 * close — wants its first close.)
 */
export function wantsSeed(market: SymbolState | undefined, spec: SeriesSpec): boolean {
  const series = market?.series.find((s) => s.key === spec.key);
  if (series === undefined) return true;
  if (spec.indicators.length === 0) return series.lastClose === null && !series.seeded;
  return spec.indicators.some((key) => {
    const ind = series.indicators.find((i) => i.key === key);
    return ind === undefined || (!ind.seeded && !isWarm(ind));
  });
}

/**
 * Warms a series from the feed's history (pure: the evaluator fetched the bars). Each bar lands in
 * the grid bar that holds its last moment (a daily bar: the day of its date, see dailyBarOf);
 * bars outside the session are dropped; a bar not ended at `now` is the forming bar.
 *
 * A series with no closed bar yet is replaced (its forming bar merged into the history's); one
 * that has formed bars live only adopts the history's indicators that it lacks, and only when the
 * history ends exactly where its own closed bars do — otherwise the history is stale or ahead and
 * those indicators keep warming live (the caller may try again later).
 */
export function seedBars(state: EngineState, symbol: string, spec: SeriesSpec, bars: readonly SeedBar[], now: number): void {
  const market = (state.symbols[symbol] ??= newSymbolState());
  const calendar = calendarOf(symbol);
  const fresh = newSeries(spec);
  const size = INTERVAL_MS[spec.interval];
  const sorted = [...bars].sort((a, b) => a.start - b.start);
  for (const k of sorted) {
    const located = spec.interval === '1d' ? dailyBarOf(calendar, spec.session, k.start) : locateBar(calendar, spec.interval, spec.session, k.start + size - 1);
    if (located === null || located.start > now) continue;
    const open = fresh.bar;
    if (open !== null && open.start === located.start) {
      fresh.bar = { ...open, high: Math.max(open.high, k.high), low: Math.min(open.low, k.low), close: k.close, volume: open.volume + k.volume };
      continue;
    }
    if (open !== null) closeBar(fresh, open, null);
    if (located.start < fresh.closedEnd) continue;
    fresh.bar = { start: located.start, end: located.end, open: k.open, high: k.high, low: k.low, close: k.close, volume: k.volume };
  }
  if (fresh.bar !== null && fresh.bar.end <= now) closeBar(fresh, fresh.bar, null);
  fresh.seeded = true;
  for (const ind of fresh.indicators) ind.seeded = true;

  const index = market.series.findIndex((s) => s.key === spec.key);
  const live = index >= 0 ? (market.series[index] as BarSeriesState) : undefined;
  if (live === undefined || live.count === 0) {
    const forming = live?.bar ?? null;
    if (forming !== null) mergeForming(fresh, forming);
    // A new array, not an edit in place: the engine's caches bound to the old series see the change.
    const others = market.series.filter((s) => s.key !== spec.key);
    market.series = [...others, fresh].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return;
  }
  live.seeded = true;
  live.fresh = true;
  if (fresh.closedEnd !== live.closedEnd) return;
  live.indicators = live.indicators.map((ind) => (ind.seeded || isWarm(ind) ? ind : (fresh.indicators.find((f) => f.key === ind.key) ?? ind)));
  if (fresh.closes.length > live.closes.length) live.closes = fresh.closes;
  market.series = [...market.series];
}

/** The live forming bar joins the history: the history's part of the same bar keeps its open, the live trades extend it. */
function mergeForming(fresh: BarSeriesState, live: Bar): void {
  const bar = fresh.bar;
  if (bar !== null && bar.start === live.start) {
    fresh.bar = { ...bar, high: Math.max(bar.high, live.high), low: Math.min(bar.low, live.low), close: live.close, volume: Math.max(bar.volume, live.volume) };
  } else if (live.start >= fresh.closedEnd && (bar === null || live.start > bar.start)) {
    if (bar !== null) closeBar(fresh, bar, null);
    fresh.bar = { ...live };
  }
}

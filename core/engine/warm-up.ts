/**
 * What the state lacks that the feed's history can give, before a batch is evaluated: which bar
 * series want warming (the evaluator fetches iTick's klines and hands them to `seedBars`), and
 * which symbols want a previous close (the evaluator fetches iTick's quote and puts it on the
 * batch, where a feed quote's `p` would be). Pure: no I/O here.
 */
import { partsOf } from '../conditions/registry';
import { wantsSeed, type SeriesSpec } from './bars';
import { closesToWarm, newIndicator } from './indicators';
import type { RuleIndex, SymbolIndex } from './rule-index';
import { calendarOf, tradingDayOf } from './sessions';
import type { EngineState, SymbolBatch } from './types';

/** iTick answers at most this many klines (and more would not change a value at 1e-9). */
export const MAX_WARM_UP_BARS = 1000;

export interface WarmUpRequest {
  symbol: string;
  series: SeriesSpec;
  /** How many of the most recent bars to ask for. */
  limit: number;
}

/**
 * Bars to ask for: four times what the slowest indicator needs (EMAs and Wilder's averages are
 * seeded from their first values and forget them geometrically), at least 100; a series without
 * indicators (a session's previous close) needs a few daily bars.
 */
export function warmUpLimit(spec: SeriesSpec): number {
  if (spec.indicators.length === 0) return 5;
  let needed = 0;
  for (const key of spec.indicators) {
    const ind = newIndicator(key);
    if (ind !== null) needed = Math.max(needed, closesToWarm(ind));
  }
  return Math.min(MAX_WARM_UP_BARS, Math.max(100, 4 * needed));
}

/** The series of `symbols` whose rules need bars the state does not have (see {@link wantsSeed}). */
export function warmUpRequests(index: RuleIndex, state: EngineState, symbols: Iterable<string>): WarmUpRequest[] {
  const requests: WarmUpRequest[] = [];
  for (const symbol of new Set(symbols)) {
    const specs = index.symbol(symbol)?.windowsInUse().series ?? [];
    for (const spec of specs) {
      if (wantsSeed(state.symbols[symbol], spec)) requests.push({ symbol, series: spec, limit: warmUpLimit(spec) });
    }
  }
  return requests;
}

/** A symbol of a batch whose rules compare with the feed's previous close, which neither the batch nor the state has for the batch's trading day. */
export interface PrevCloseRequest {
  symbol: string;
  /** The trading day (sessions.ts `tradingDayOf`) of the batch's first point: the session whose previous close is wanted. */
  day: number;
  /** The state holds a previous close of an earlier trading day: it no longer applies. */
  stale: boolean;
}

/** Do rules of the symbol read the feed's previous close (`change_from_prev_close_pct` without a session)? */
function readsFeedPrevClose(symbolIndex: SymbolIndex): boolean {
  if (symbolIndex.change.size > 0) return true;
  // Rules judged at bar closes keep their parts out of the `change` group: look at them.
  if (symbolIndex.atClose.size === 0) return false;
  for (const { rule } of symbolIndex.members.values()) {
    if (partsOf(rule.condition).some((c) => c.type === 'change_from_prev_close_pct' && c.session === undefined)) return true;
  }
  return false;
}

/**
 * The symbols of `batch` that want a previous close: their rules read the feed's, the batch
 * carries none, and the state has none for the batch's trading day.
 *
 * The feed's close (a quote's `p`) rides on every batch once the ingest task has seen one, so a
 * close in the state that the batch does not carry came from an earlier fetch; when the state's
 * last trade lies in an earlier trading day than the batch's first point, that close belongs to
 * the day before and is `stale` (the evaluator drops it unless a new one comes:
 * {@link forgetPrevClose}). Only the first point's day is looked at: a batch spans 250 ms.
 */
export function prevCloseRequests(index: RuleIndex, state: EngineState, batch: readonly SymbolBatch[]): PrevCloseRequest[] {
  const requests: PrevCloseRequest[] = [];
  for (const path of batch) {
    if (path.prevClose !== undefined) continue;
    const first = path.points[0];
    const symbolIndex = index.symbol(path.symbol);
    if (first === undefined || symbolIndex === undefined || !readsFeedPrevClose(symbolIndex)) continue;
    const calendar = calendarOf(path.symbol);
    const day = tradingDayOf(calendar, first.at);
    const market = state.symbols[path.symbol];
    if (market === undefined || market.prevClose === null) {
      requests.push({ symbol: path.symbol, day, stale: false });
    } else if (market.lastAt > 0 && tradingDayOf(calendar, market.lastAt) < day) {
      requests.push({ symbol: path.symbol, day, stale: true });
    }
  }
  return requests;
}

/** Drops a symbol's previous close that no longer applies: its change rules wait for a new one rather than judge against the day before's. */
export function forgetPrevClose(state: EngineState, symbol: string): void {
  const market = state.symbols[symbol];
  if (market !== undefined) market.prevClose = null;
}

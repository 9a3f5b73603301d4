/**
 * Which bar series want warming from the feed's history before a batch is evaluated: the engine
 * says what it lacks, the evaluator fetches it (iTick's klines) and hands it to {@link seedBars}.
 * Pure: no I/O here.
 */
import { wantsSeed, type SeriesSpec } from './bars';
import { closesToWarm, newIndicator } from './indicators';
import type { RuleIndex } from './rule-index';
import type { EngineState } from './types';

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

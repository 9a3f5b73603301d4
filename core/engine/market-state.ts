/**
 * Per-symbol market state: the last price, the previous close and the rolling windows that
 * `moves_*_pct` and `volume_spike` are judged on. Plain data, advanced one point at a time.
 *
 * - A `moves` window of W seconds keeps the lowest and highest price per bucket (1 s buckets for
 *   windows up to 120 s, W/120 s above) in two monotonic deques, so the window's low and high are
 *   O(1) amortised per point and the state stays small (at most 120 buckets a window).
 * - A `volume` window of W seconds sums volume per window aligned to multiples of W seconds of
 *   epoch time and keeps the last {@link VOLUME_HISTORY} complete windows.
 */
import { secondOf } from '../tick-time';
import type { SeriesSpec } from './bars';
import type { MovesWindowState, PricePoint, SymbolState, VolumeWindowState } from './types';

/** Complete windows averaged by `volume_spike`. */
export const VOLUME_HISTORY = 10;
/** Complete windows needed before `volume_spike` can hold. */
export const VOLUME_MIN_HISTORY = 3;
const MAX_BUCKETS = 120;

export function newSymbolState(): SymbolState {
  return { last: null, lastAt: 0, prevClose: null, moves: [], movesSecond: -1, secondLow: 0, secondHigh: 0, volume: [], series: [], timers: [], deferred: [] };
}

export function bucketSecondsFor(windowSeconds: number): number {
  return Math.max(1, Math.ceil(windowSeconds / MAX_BUCKETS));
}

/** Window lengths and bar series in use by a symbol's rules. */
export interface WindowsInUse {
  moves: readonly number[];
  volume: readonly number[];
  /** Sorted by key, each with its indicator keys sorted. */
  series: readonly SeriesSpec[];
}

/** Adds windows that rules now use (empty: they fill from the next point) and drops unused ones. */
export function syncWindows(state: SymbolState, inUse: WindowsInUse): void {
  if (!sameWindows(state.moves, inUse.moves)) {
    const kept = new Map(state.moves.map((w) => [w.windowSeconds, w]));
    state.moves = [...inUse.moves].sort((a, b) => a - b).map((w) => kept.get(w) ?? newMovesWindow(w));
    state.movesSecond = -1; // a new window must see the next point
  }
  if (!sameWindows(state.volume, inUse.volume)) {
    const kept = new Map(state.volume.map((w) => [w.windowSeconds, w]));
    state.volume = [...inUse.volume].sort((a, b) => a - b).map((w) => kept.get(w) ?? newVolumeWindow(w));
  }
}

function sameWindows(windows: ReadonlyArray<{ windowSeconds: number }>, inUse: readonly number[]): boolean {
  if (windows.length !== inUse.length) return false;
  for (const w of windows) if (!inUse.includes(w.windowSeconds)) return false;
  return true;
}

function newMovesWindow(windowSeconds: number): MovesWindowState {
  return { windowSeconds, bucketSeconds: bucketSecondsFor(windowSeconds), lowBuckets: [], lowPrices: [], highBuckets: [], highPrices: [] };
}

function newVolumeWindow(windowSeconds: number): VolumeWindowState {
  return { windowSeconds, index: -1, current: 0, history: [] };
}

/**
 * Feeds a point into every window of the symbol (not `last`: the caller still needs the previous
 * price). `second` is the point's whole second of tick time.
 */
export function advanceWindows(state: SymbolState, point: PricePoint, second: number = secondOf(point.at)): void {
  const price = point.price;
  if (state.moves.length > 0) {
    // Every bucket spans whole seconds, so a price within this second's range moves no window.
    if (second !== state.movesSecond) {
      state.movesSecond = second;
      state.secondLow = price;
      state.secondHigh = price;
      for (const window of state.moves) advanceMoves(window, second, price);
    } else if (price < state.secondLow || price > state.secondHigh) {
      if (price < state.secondLow) state.secondLow = price;
      else state.secondHigh = price;
      for (const window of state.moves) advanceMoves(window, second, price);
    }
  }
  for (const window of state.volume) advanceVolume(window, second, point.volume);
}

function advanceMoves(w: MovesWindowState, second: number, price: number): void {
  const bucket = Math.floor(second / w.bucketSeconds);
  const oldest = bucket - Math.ceil(w.windowSeconds / w.bucketSeconds) + 1;
  // Monotonic deques: drop kept entries the incoming price dominates, then append it.
  const { lowBuckets, lowPrices, highBuckets, highPrices } = w;
  while (lowPrices.length > 0 && (lowPrices[lowPrices.length - 1] as number) >= price) {
    lowPrices.pop();
    lowBuckets.pop();
  }
  if (lowBuckets.length === 0 || lowBuckets[lowBuckets.length - 1] !== bucket) {
    lowBuckets.push(bucket);
    lowPrices.push(price);
  }
  while (highPrices.length > 0 && (highPrices[highPrices.length - 1] as number) <= price) {
    highPrices.pop();
    highBuckets.pop();
  }
  if (highBuckets.length === 0 || highBuckets[highBuckets.length - 1] !== bucket) {
    highBuckets.push(bucket);
    highPrices.push(price);
  }
  expire(lowBuckets, lowPrices, oldest);
  expire(highBuckets, highPrices, oldest);
}

function expire(buckets: number[], prices: number[], oldest: number): void {
  let drop = 0;
  while (drop < buckets.length - 1 && (buckets[drop] as number) < oldest) drop += 1;
  if (drop > 0) {
    buckets.splice(0, drop);
    prices.splice(0, drop);
  }
}

function advanceVolume(w: VolumeWindowState, second: number, volume: number): void {
  const index = Math.floor(second / w.windowSeconds);
  if (w.index === -1) {
    w.index = index;
  } else if (index > w.index) {
    w.history.push(w.current);
    const skipped = Math.min(index - w.index - 1, VOLUME_HISTORY);
    for (let i = 0; i < skipped; i += 1) w.history.push(0);
    if (w.history.length > VOLUME_HISTORY) w.history.splice(0, w.history.length - VOLUME_HISTORY);
    w.index = index;
    w.current = 0;
  }
  w.current += volume;
}

/** Lowest price of a `moves` window as of the last point fed to it (NaN before any point). */
export function windowLow(state: SymbolState, windowSeconds: number): number {
  const w = state.moves.find((m) => m.windowSeconds === windowSeconds);
  return w?.lowPrices[0] ?? Number.NaN;
}

/** Highest price of a `moves` window as of the last point fed to it (NaN before any point). */
export function windowHigh(state: SymbolState, windowSeconds: number): number {
  const w = state.moves.find((m) => m.windowSeconds === windowSeconds);
  return w?.highPrices[0] ?? Number.NaN;
}

/** Volume of the current window and the average of the preceding ones (null until enough history). */
export function windowVolume(state: SymbolState, windowSeconds: number): { current: number; average: number | null } {
  const w = state.volume.find((v) => v.windowSeconds === windowSeconds);
  if (w === undefined || w.history.length < VOLUME_MIN_HISTORY) return { current: w?.current ?? 0, average: null };
  let sum = 0;
  for (const v of w.history) sum += v;
  return { current: w.current, average: sum / w.history.length };
}

/**
 * Fixtures for indicator tests: trade streams with one or more trades per 1-minute bar inside the
 * US regular session, and the crossings the reference library (`trading-signals`) sees in a
 * series of closes — what an engine test expects to fire.
 */
import { BollingerBands, EMA, MACD, SMA } from 'trading-signals';
import type { PricePoint } from '../../core/engine';

/** 2026-11-02 14:30 UTC: 09:30 in New York, a Monday: the regular session's first minute. */
export const OPEN = Date.UTC(2026, 10, 2, 14, 30, 0);
export const MINUTE = 60_000;

/** One trade per 1-minute bar, `offsetMs` into the bar, from the bar starting at `start`. */
export function minuteCloses(closes: readonly number[], start = OPEN, offsetMs = 30_000): PricePoint[] {
  return closes.map((price, i) => ({ price, at: start + i * MINUTE + offsetMs, volume: 1 }));
}

/** End of the i-th 1-minute bar from `start`: when a bar-close rule judged on it fires. */
export const barEnd = (i: number, start = OPEN) => start + (i + 1) * MINUTE;

/** Indices of the closes at which `values[i]` crosses 0 upward (`up`) or downward, TradingView-style (`prev ≤ 0 < now`). */
export function zeroCrossings(values: ReadonlyArray<number | null>, up: boolean): number[] {
  const found: number[] = [];
  for (let i = 1; i < values.length; i += 1) {
    const before = values[i - 1];
    const now = values[i];
    if (before === null || before === undefined || now === null || now === undefined) continue;
    if (up ? before <= 0 && now > 0 : before >= 0 && now < 0) found.push(i);
  }
  return found;
}

/** MACD − signal per close, by the library, null until the signal line has `signal` values. */
export function libraryHistogram(closes: readonly number[], fast: number, slow: number, signal: number): Array<number | null> {
  const macd = new MACD(new EMA(fast), new EMA(slow), new EMA(signal));
  let fed = 0;
  return closes.map((close) => {
    const result = macd.add(close);
    if (result === null) return null;
    fed += 1;
    return fed >= signal ? result.histogram : null;
  });
}

/** Fast − slow moving average per close, by the library (null until both are usable). */
export function libraryAverageGap(closes: readonly number[], kind: 'sma' | 'ema', fast: number, slow: number): Array<number | null> {
  const make = (n: number) => (kind === 'sma' ? new SMA(n) : new EMA(n));
  const f = make(fast);
  const s = make(slow);
  return closes.map((close) => {
    f.add(close);
    s.add(close);
    const a = f.getResult();
    const b = s.getResult();
    return a === null || b === null ? null : a - b;
  });
}

/** Close less the upper (or lower) band line per close, by the library. */
export function libraryBandGap(closes: readonly number[], period: number, k: number, band: 'upper' | 'lower'): Array<number | null> {
  const bb = new BollingerBands(period, k);
  return closes.map((close) => {
    const result = bb.add(close);
    return result === null ? null : close - result[band];
  });
}

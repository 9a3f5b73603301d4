/**
 * Technical indicators, computed incrementally from small plain-data state: one update per closed
 * bar, O(1) (the moving averages over a window sum the series' ring of closes once per bar), and
 * a "forming" value that takes the forming bar's current price as the last close without
 * changing the state (O(1) too: window sums of the closed part are kept at each close).
 *
 * The arithmetic is that of the `trading-signals` library, operation for operation, so values
 * agree with it to float rounding (a property test holds them to 1e-9):
 * - EMA(n): `close·k + previous·(1−k)`, k = 2/(n+1), seeded with the first close; usable from
 *   the n-th close.
 * - SMA(n): mean of the last n closes.
 * - RSI(n): Wilder's smoothing of gains and losses (`(x − avg)/n + avg`), seeded with their
 *   simple mean over the first n changes; 100 when the average loss is 0; usable from the
 *   (n+1)-th close.
 * - MACD(f, s, g): EMA(f) − EMA(s) from the s-th close on; the signal line is an EMA(g) of those
 *   values (seeded with the first); the histogram (MACD − signal) is usable once the signal line
 *   has g values.
 * - Bollinger(n, k): SMA(n) ± k × the population standard deviation of the last n closes.
 *
 * Keys name an indicator with its parameters (`rsi:14`, `macd:12:26:9`): every rule that needs
 * the same indicator on the same bar series shares one state.
 */
import { assertNever } from '../assert-never';

interface Base {
  key: string;
  /** Warmed from the feed's klines (see seedBars): not fetched again, however few there were. */
  seeded: boolean;
}

export interface EmaState extends Base {
  kind: 'ema';
  period: number;
  /** Closes seen. */
  count: number;
  /** EMA as of the last close (from the first close on), and as of the close before. */
  value: number | null;
  prev: number | null;
}

export interface SmaState extends Base {
  kind: 'sma';
  period: number;
  value: number | null;
  prev: number | null;
  /** Sum of the last period−1 closes, oldest first (null until there are that many). */
  partial: number | null;
}

export interface RsiState extends Base {
  kind: 'rsi';
  period: number;
  count: number;
  /** The last close. */
  last: number | null;
  /** Sums of the first changes, until there are `period` of them. */
  gainSum: number;
  lossSum: number;
  avgGain: number | null;
  avgLoss: number | null;
  value: number | null;
}

export interface MacdState extends Base {
  kind: 'macd';
  fast: number;
  slow: number;
  signal: number;
  count: number;
  fastEma: number | null;
  slowEma: number | null;
  signalEma: number | null;
  /** MACD values fed to the signal line. */
  signalCount: number;
  /** MACD − signal as of the last close and the one before (null while the signal line warms up). */
  hist: number | null;
  prevHist: number | null;
}

export interface BollingerState extends Base {
  kind: 'bb';
  period: number;
  mean: number | null;
  sd: number | null;
  prevMean: number | null;
  prevSd: number | null;
  /**
   * For the forming value: the last close (`shift`) and the sum and sum of squares of the last
   * period−1 closes' differences from it. Shifting keeps the variance well conditioned.
   */
  shift: number | null;
  s: number;
  q: number;
}

export type IndicatorState = EmaState | SmaState | RsiState | MacdState | BollingerState;

/** A Bollinger band's centre and width. */
export interface Band {
  mean: number;
  sd: number;
}

export const emaKey = (period: number) => `ema:${period}`;
export const smaKey = (period: number) => `sma:${period}`;
export const rsiKey = (period: number) => `rsi:${period}`;
export const macdKey = (fast: number, slow: number, signal: number) => `macd:${fast}:${slow}:${signal}`;
export const bollingerKey = (period: number) => `bb:${period}`;

/** A fresh indicator for a key made by the functions above; null for anything else. */
export function newIndicator(key: string): IndicatorState | null {
  const [kind, ...rest] = key.split(':');
  const n = rest.map(Number);
  if (n.some((v) => !Number.isInteger(v) || v < 1)) return null;
  const [a = 0, b = 0, c = 0] = n;
  switch (kind) {
    case 'ema':
      return n.length === 1 ? { key, seeded: false, kind, period: a, count: 0, value: null, prev: null } : null;
    case 'sma':
      // SMA(1) adds no earlier closes: its partial sum is empty, not unknown.
      return n.length === 1 ? { key, seeded: false, kind, period: a, value: null, prev: null, partial: a === 1 ? 0 : null } : null;
    case 'rsi':
      return n.length === 1 ? { key, seeded: false, kind, period: a, count: 0, last: null, gainSum: 0, lossSum: 0, avgGain: null, avgLoss: null, value: null } : null;
    case 'macd':
      return n.length === 3 && a < b
        ? { key, seeded: false, kind, fast: a, slow: b, signal: c, count: 0, fastEma: null, slowEma: null, signalEma: null, signalCount: 0, hist: null, prevHist: null }
        : null;
    case 'bb':
      return n.length === 1 ? { key, seeded: false, kind, period: a, mean: null, sd: null, prevMean: null, prevSd: null, shift: null, s: 0, q: 0 } : null;
    default:
      return null;
  }
}

/** Closes a series must keep for this indicator (window indicators read the series' ring). */
export function ringNeeded(ind: IndicatorState): number {
  return ind.kind === 'sma' || ind.kind === 'bb' ? ind.period : 0;
}

/** Closed bars after which every judgement of the indicator has its values (an edge also needs the previous close's). */
export function closesToWarm(ind: IndicatorState): number {
  switch (ind.kind) {
    case 'ema':
    case 'sma':
    case 'bb':
      return ind.period + 1;
    case 'rsi':
      return ind.period + 1;
    case 'macd':
      return ind.slow + ind.signal;
    default:
      return assertNever(ind, 'indicator');
  }
}

/** Has the indicator every value its judgements read (see {@link closesToWarm})? */
export function isWarm(ind: IndicatorState): boolean {
  switch (ind.kind) {
    case 'ema':
      return ind.count > ind.period;
    case 'sma':
      return ind.prev !== null;
    case 'bb':
      return ind.prevMean !== null;
    case 'rsi':
      return ind.value !== null;
    case 'macd':
      return ind.prevHist !== null;
    default:
      return assertNever(ind, 'indicator');
  }
}

const emaStep = (price: number, previous: number | null, k: number) => price * k + (previous ?? price) * (1 - k);

/** Sum of the last `n` values of `ring`, oldest first (the order the reference library adds in). */
function sumLast(ring: readonly number[], n: number): number {
  let sum = 0;
  for (let i = ring.length - n; i < ring.length; i += 1) sum += ring[i] as number;
  return sum;
}

/**
 * Feeds a closed bar's close to the indicator. `ring` holds the series' last closes with this
 * close already appended (as many as the longest window indicator needs).
 */
export function closeIndicator(ind: IndicatorState, close: number, ring: readonly number[]): void {
  switch (ind.kind) {
    case 'ema':
      ind.prev = ind.value;
      ind.value = emaStep(close, ind.value, 2 / (ind.period + 1));
      ind.count += 1;
      return;
    case 'sma': {
      ind.prev = ind.value;
      ind.value = ind.partial === null ? null : (ind.partial + close) / ind.period;
      ind.partial = ring.length >= ind.period - 1 ? sumLast(ring, ind.period - 1) : null;
      return;
    }
    case 'rsi':
      closeRsi(ind, close);
      return;
    case 'macd': {
      ind.fastEma = emaStep(close, ind.fastEma, 2 / (ind.fast + 1));
      ind.slowEma = emaStep(close, ind.slowEma, 2 / (ind.slow + 1));
      ind.count += 1;
      if (ind.count < ind.slow) return;
      const macd = ind.fastEma - ind.slowEma;
      ind.signalEma = emaStep(macd, ind.signalEma, 2 / (ind.signal + 1));
      ind.signalCount += 1;
      ind.prevHist = ind.hist;
      ind.hist = ind.signalCount >= ind.signal ? macd - ind.signalEma : null;
      return;
    }
    case 'bb': {
      ind.prevMean = ind.mean;
      ind.prevSd = ind.sd;
      if (ring.length >= ind.period) {
        const band = bandOf(ring, ind.period);
        ind.mean = band.mean;
        ind.sd = band.sd;
      } else {
        ind.mean = ind.sd = null;
      }
      ind.s = ind.q = 0;
      ind.shift = ring.length >= ind.period - 1 ? close : null;
      if (ind.shift !== null) {
        for (let i = ring.length - (ind.period - 1); i < ring.length; i += 1) {
          const d = (ring[i] as number) - close;
          ind.s += d;
          ind.q += d * d;
        }
      }
      return;
    }
    default:
      assertNever(ind, 'indicator');
  }
}

/** Mean and population standard deviation of the last `n` closes, two-pass, in the reference library's order. */
function bandOf(ring: readonly number[], n: number): Band {
  const mean = sumLast(ring, n) / n;
  let squares = 0;
  for (let i = ring.length - n; i < ring.length; i += 1) {
    const d = (ring[i] as number) - mean;
    squares += d * d;
  }
  return { mean, sd: Math.sqrt(squares / n) };
}

/** The gain and the loss of a move from `last` to `close` (a flat move counts as a zero loss, as the reference does). */
const gainOf = (last: number, close: number) => (close > last ? close - last : 0);
const lossOf = (last: number, close: number) => (close > last ? 0 : last - close);

function closeRsi(ind: RsiState, close: number): void {
  const last = ind.last;
  ind.last = close;
  ind.count += 1;
  if (last === null) return;
  const gain = gainOf(last, close);
  const loss = lossOf(last, close);
  const changes = ind.count - 1;
  if (changes < ind.period) {
    ind.gainSum += gain;
    ind.lossSum += loss;
    return;
  }
  if (changes === ind.period) {
    ind.avgGain = (ind.gainSum + gain) / ind.period;
    ind.avgLoss = (ind.lossSum + loss) / ind.period;
  } else {
    ind.avgGain = (gain - (ind.avgGain as number)) * (1 / ind.period) + (ind.avgGain as number);
    ind.avgLoss = (loss - (ind.avgLoss as number)) * (1 / ind.period) + (ind.avgLoss as number);
  }
  ind.value = rsiOf(ind.avgGain, ind.avgLoss);
}

const rsiOf = (avgGain: number, avgLoss: number) => (avgLoss === 0 ? 100 : 100 - 100 / (avgGain / avgLoss + 1));

/** RSI with `price` as the forming bar's close, or null while not enough bars have closed. */
export function formingRsi(ind: RsiState, price: number): number | null {
  if (ind.last === null) return null;
  const gain = gainOf(ind.last, price);
  const loss = lossOf(ind.last, price);
  const changes = ind.count;
  if (changes < ind.period) return null;
  if (changes === ind.period) return rsiOf((ind.gainSum + gain) / ind.period, (ind.lossSum + loss) / ind.period);
  const avgGain = ind.avgGain as number;
  const avgLoss = ind.avgLoss as number;
  return rsiOf((gain - avgGain) * (1 / ind.period) + avgGain, (loss - avgLoss) * (1 / ind.period) + avgLoss);
}

/** EMA or SMA value as of the last close (`back` 0) or the close before (`back` 1), null until usable. */
export function closedAverage(ind: EmaState | SmaState, back: 0 | 1): number | null {
  if (ind.kind === 'sma') return back === 0 ? ind.value : ind.prev;
  if (ind.count - back < ind.period) return null;
  return back === 0 ? ind.value : ind.prev;
}

/** EMA or SMA with `price` as the forming bar's close. */
export function formingAverage(ind: EmaState | SmaState, price: number): number | null {
  if (ind.kind === 'sma') {
    return ind.partial === null ? null : (ind.partial + price) / ind.period;
  }
  if (ind.count + 1 < ind.period) return null;
  return emaStep(price, ind.value, 2 / (ind.period + 1));
}

/** MACD − signal with `price` as the forming bar's close (null while the signal line warms up). */
export function formingHistogram(ind: MacdState, price: number): number | null {
  if (ind.count + 1 < ind.slow || ind.signalCount + 1 < ind.signal) return null;
  const macd = emaStep(price, ind.fastEma, 2 / (ind.fast + 1)) - emaStep(price, ind.slowEma, 2 / (ind.slow + 1));
  return macd - emaStep(macd, ind.signalEma, 2 / (ind.signal + 1));
}

/** The band as of the last close (`back` 0) or the one before (`back` 1). */
export function closedBand(ind: BollingerState, back: 0 | 1): Band | null {
  const mean = back === 0 ? ind.mean : ind.prevMean;
  const sd = back === 0 ? ind.sd : ind.prevSd;
  return mean === null || sd === null ? null : { mean, sd };
}

/** The band with `price` as the forming bar's close. */
export function formingBand(ind: BollingerState, price: number): Band | null {
  if (ind.shift === null) return ind.period === 1 ? { mean: price, sd: 0 } : null;
  const n = ind.period;
  const d = price - ind.shift;
  const meanShifted = (ind.s + d) / n;
  const variance = (ind.q + d * d) / n - meanShifted * meanShifted;
  return { mean: ind.shift + meanShifted, sd: Math.sqrt(Math.max(0, variance)) };
}

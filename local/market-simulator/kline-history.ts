/**
 * The simulator's klines: what its kline REST answers (bars a test scripted, else a history made
 * up from a seed that ends at the symbol's current price) and the live bar that `kline@<kType>`
 * subscribers are streamed after each trade. Bar lengths come from iTick's one kType table
 * (core/feed/kline-periods.ts: 3 is 10 minutes); kType 10 (a month, of variable length) is not
 * served. Pure apart from its own state: times are arguments.
 */
import { KLINE_PERIODS } from '../../core/feed/kline-periods';
import { seededRandom } from './random-walk';

/** A kline as iTick's REST answers it: bar start (epoch ms), open, high, low, close, volume, turnover. */
export interface Kline {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  tu: number;
}

/** Bar length per iTick `kType`, for every kType of fixed length. */
export const K_TYPE_MS: ReadonlyMap<number, number> = new Map(KLINE_PERIODS.flatMap((period) => (period.ms === undefined ? [] : [[period.kType, period.ms] as const])));

/** The most bars one kline request answers. */
export const MAX_KLINES = 1000;

/** FNV-1a, for seeding made-up histories per symbol. */
function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

const cents = (value: number) => Math.round(value * 100) / 100;

export class KlineHistory {
  /** Scripted histories, by `SYMBOL|kType`. */
  private readonly scripts = new Map<string, Kline[]>();
  /** The bar in progress per `SYMBOL|kType`, for streamed klines. */
  private readonly live = new Map<string, Kline>();

  /** Serves exactly these bars (sorted oldest first) from now on; an empty list restores made-up bars. */
  set(symbol: string, kType: number, bars: readonly Kline[]): void {
    const key = `${symbol}|${kType}`;
    if (bars.length === 0) this.scripts.delete(key);
    else this.scripts.set(key, [...bars].sort((a, b) => a.t - b.t));
  }

  /**
   * The most recent `limit` bars, oldest first: the scripted ones, else made up backwards from
   * `price` with a generator seeded by the symbol and kType, so the same request gets the same
   * history as long as the price has not moved.
   */
  bars(symbol: string, kType: number, limit: number, price: number, now: number): Kline[] {
    const scripted = this.scripts.get(`${symbol}|${kType}`);
    if (scripted !== undefined) return scripted.slice(-limit);
    const size = K_TYPE_MS.get(kType) ?? 60_000;
    const random = seededRandom(hashOf(`${symbol}|${kType}`));
    const last = Math.floor(now / size) * size;
    const bars: Kline[] = [];
    let close = price;
    for (let i = 0; i < limit; i += 1) {
      const open = Math.max(0.01, cents(close * (1 + (random() - 0.5) * 0.004)));
      const high = Math.max(open, close) * (1 + random() * 0.001);
      const low = Math.min(open, close) * (1 - random() * 0.001);
      const v = 100 * (1 + Math.floor(random() * 50));
      bars.push({ t: last - i * size, o: open, h: cents(high), l: cents(low), c: close, v, tu: Math.round(close * v) });
      close = open;
    }
    return bars.reverse();
  }

  /** Folds a trade into the symbol's bar in progress of `kType` (a new bar once the trade is past it) and returns that bar. */
  trade(symbol: string, kType: number, price: number, volume: number, at: number): Kline {
    const size = K_TYPE_MS.get(kType) ?? 60_000;
    const start = Math.floor(at / size) * size;
    const key = `${symbol}|${kType}`;
    const bar = this.live.get(key);
    if (bar === undefined || bar.t !== start) {
      const fresh = { t: start, o: price, h: price, l: price, c: price, v: volume, tu: price * volume };
      this.live.set(key, fresh);
      return { ...fresh };
    }
    Object.assign(bar, { h: Math.max(bar.h, price), l: Math.min(bar.l, price), c: price, v: bar.v + volume, tu: bar.tu + price * volume });
    return { ...bar };
  }
}

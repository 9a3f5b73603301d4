/**
 * Seeded random-walk prices for the market simulator: the same seed gives the same market, so a
 * failing run can be replayed. Pure apart from its own generator state; no clock, no I/O.
 */

/** mulberry32: tiny, fast and good enough for simulated prices. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SymbolMarket {
  price: number;
  prevClose: number;
  open: number;
  high: number;
  low: number;
  /** Shares traded today: the running day volume a docs-shaped quote carries as `v`. */
  volume: number;
  turnover: number;
  /** Epoch ms of the last trade; 0 before the first. */
  tradedAt: number;
}

/** A start price between 10 and 510 derived from the symbol, so each symbol looks different but stable. */
export function startPrice(symbol: string): number {
  let hash = 0;
  for (let i = 0; i < symbol.length; i += 1) hash = (Math.imul(hash, 31) + symbol.charCodeAt(i)) >>> 0;
  return 10 + (hash % 50_000) / 100;
}

/** Rounds to the quoted decimals (2 for stocks: cents), never to zero. */
const rounded = (price: number, decimals: number) => {
  const unit = 10 ** decimals;
  return Math.max(1 / unit, Math.round(price * unit) / unit);
};

/** Per-symbol random walks with a day's running summary (open, high, low, volume) for quotes. */
export class RandomWalk {
  private readonly markets = new Map<string, SymbolMarket>();

  constructor(
    private readonly random: () => number,
    /** Standard size of one step as a fraction of the price. */
    private readonly stepFraction = 0.0005,
    /** Decimals a symbol's prices are quoted with (forex needs more than cents). */
    private readonly decimalsOf: (symbol: string) => number = () => 2,
  ) {}

  market(symbol: string): SymbolMarket {
    let market = this.markets.get(symbol);
    if (market === undefined) {
      const price = startPrice(symbol);
      market = { price, prevClose: price, open: price, high: price, low: price, volume: 0, turnover: 0, tradedAt: 0 };
      this.markets.set(symbol, market);
    }
    return market;
  }

  /** Moves the symbol one step and returns the trade: price and volume. `at` is the trade's time (epoch ms). */
  step(symbol: string, at = 0): { price: number; volume: number } {
    const market = this.market(symbol);
    // Sum of two uniforms: a cheap, centred step with thinner tails than a uniform.
    const move = (this.random() + this.random() - 1) * this.stepFraction * 2;
    const volume = 100 * (1 + Math.floor(this.random() * 10));
    return this.trade(symbol, rounded(market.price * (1 + move), this.decimalsOf(symbol)), volume, at);
  }

  /** Records a trade at an exact price (scripted prices go through here too). */
  trade(symbol: string, price: number, volume: number, at = 0): { price: number; volume: number } {
    const market = this.market(symbol);
    market.price = price;
    market.high = Math.max(market.high, price);
    market.low = Math.min(market.low, price);
    market.volume += volume;
    market.turnover += price * volume;
    if (at > 0) market.tradedAt = at;
    return { price, volume };
  }

  /**
   * Starts a new trading day for the symbol: the running volume and turnover drop to 0 (what a
   * client of a quote-only feed must read as a new session), the day's open, high and low restart
   * at the current price, and the previous close becomes `prevClose` (default the current price).
   */
  newSession(symbol: string, prevClose?: number): void {
    const market = this.market(symbol);
    Object.assign(market, { prevClose: prevClose ?? market.price, open: market.price, high: market.price, low: market.price, volume: 0, turnover: 0 });
  }
}

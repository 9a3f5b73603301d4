/**
 * The frames the simulator writes, in either of the two shapes a client may meet
 * (test/fixtures/itick/README.md has both, with their sources):
 *
 * - `spec` — the project's spec (../shared/spec/itick.md, "Data messages"): trades as `tick`
 *   frames, quotes with `p` (previous close), `ch`, `chp`; `s` the code and `r` the region, for
 *   every market.
 * - `docs` — what iTick's own current docs print: no `tick` type (a trade is a quote with a new
 *   `ld` and `t`), a quote's `v` the day's running volume, no `r`, `p`, `ch` or `chp` on the socket;
 *   `s` as `AAPL.US` / `700.HK` (stocks, funds), `ETH_USDT` (crypto; REST `BA_BTC_USDT`), bare codes
 *   for forex, indices and futures (`EURUSD`, `DJI`, `GC`); crypto quotes without open/high/low;
 *   kline frames wrapped with code 0 and msg null; on the current paths the auth answer carries
 *   the masked token in `data.params`.
 *
 * Pure: frames are built from the symbol's state and the times given.
 */
import { MARKET_INFO } from '../../core/rule-model/market';
import { splitSymbol } from '../../core/rule-model/symbol';
import type { Kline } from './kline-history';
import type { SymbolMarket } from './random-walk';

export const FEED_SHAPES = ['spec', 'docs'] as const;
export type FeedShapes = (typeof FEED_SHAPES)[number];

export interface ShapeOptions {
  shapes: FeedShapes;
  /** Every number as a string, as some iTick sources report. */
  stringNumbers: boolean;
  /** Leave `r` out (spec shapes; docs shapes never have it). */
  omitRegion: boolean;
}

/** Quote currencies a crypto code ends with, longest first, to split `BTCUSDT` into `BTC_USDT`. */
const CRYPTO_QUOTES = ['FDUSD', 'USDT', 'USDC', 'BUSD', 'TUSD', 'USD', 'EUR', 'TRY', 'BTC', 'ETH', 'BNB'];

/**
 * A crypto code as iTick's docs print a pair (`BTCUSDT` → `BTC_USDT`); unchanged when no known
 * quote currency ends it.
 */
export function cryptoPair(code: string): string {
  const quote = CRYPTO_QUOTES.find((q) => code.endsWith(q) && code.length > q.length);
  return quote === undefined ? code : `${code.slice(0, -quote.length)}_${quote}`;
}

/** The `s` (and `r`) of a socket data frame for a canonical symbol. */
export function socketSymbol(symbol: string, options: ShapeOptions): { s: string; r?: string } {
  const { market, code, region } = splitSymbol(symbol);
  if (options.shapes === 'spec') return options.omitRegion ? { s: code } : { s: code, r: region };
  switch (market) {
    case 'stock':
    case 'fund':
      return { s: `${code}.${region}` };
    case 'crypto':
      return { s: cryptoPair(code) };
    default:
      return { s: code };
  }
}

/** The `s` of a REST answer: as on the socket, except crypto's exchange-first `BA_BTC_USDT`. */
export function restSymbol(symbol: string, options: ShapeOptions): string {
  const { market, code, region } = splitSymbol(symbol);
  if (options.shapes === 'docs' && market === 'crypto') return `${region}_${cryptoPair(code)}`;
  return socketSymbol(symbol, { ...options, omitRegion: true }).s;
}

const round = (value: number, decimals: number) => Math.round(value * 10 ** decimals) / 10 ** decimals;

/** Writes the simulator's frames in one shape. */
export class FrameWriter {
  constructor(readonly options: ShapeOptions) {}

  get shapes(): FeedShapes {
    return this.options.shapes;
  }

  /** The data type a trade goes out as: `tick` in spec shapes, a `quote` in docs shapes. */
  get tradeType(): 'tick' | 'quote' {
    return this.options.shapes === 'docs' ? 'quote' : 'tick';
  }

  number(value: number): number | string {
    return this.options.stringNumbers ? String(value) : value;
  }

  /** The auth success answer; in docs shapes on a current path it echoes the masked token, as iTick's current docs print. */
  authOk(token: string, legacyPath: boolean): string {
    if (this.options.shapes === 'spec' || legacyPath) return '{"code":1,"resAc":"auth","msg":"authenticated"}';
    return JSON.stringify({ code: 1, resAc: 'auth', msg: 'authenticated', data: { params: maskToken(token) } });
  }

  /** One trade: a `tick` (spec), or a quote with the new last price and the day's running volume (docs). */
  trade(symbol: string, state: SymbolMarket, trade: { price: number; volume: number }, at: number): string {
    if (this.options.shapes === 'docs') return this.quote(symbol, state, at);
    const n = (value: number) => this.number(value);
    return JSON.stringify({ code: 1, data: { ...socketSymbol(symbol, this.options), ld: n(trade.price), v: n(trade.volume), t: n(at), type: 'tick' } });
  }

  /** A quote: the running summary of the symbol's day. In docs shapes its `t` is the last trade's, so a repeat is byte-identical. */
  quote(symbol: string, state: SymbolMarket, at: number): string {
    const n = (value: number) => this.number(value);
    const where = socketSymbol(symbol, this.options);
    if (this.options.shapes === 'docs') {
      // iTick's crypto quote has no open, high or low.
      const day = splitSymbol(symbol).market === 'crypto' ? {} : { o: n(state.open), h: n(state.high), l: n(state.low) };
      const t = state.tradedAt > 0 ? state.tradedAt : at;
      return JSON.stringify({ code: 1, data: { ...where, ld: n(state.price), ...day, t: n(t), v: n(state.volume), tu: n(round(state.turnover, 2)), ts: 0, type: 'quote' } });
    }
    const change = this.change(symbol, state);
    return JSON.stringify({
      code: 1,
      data: {
        ...where,
        ld: n(state.price),
        o: n(state.open),
        h: n(state.high),
        l: n(state.low),
        p: n(state.prevClose),
        v: n(state.volume),
        tu: n(Math.round(state.turnover)),
        ch: n(change.ch),
        chp: n(change.chp),
        t: n(at),
        ts: 0,
        type: 'quote',
      },
    });
  }

  /** A two-level order book around the last price. */
  depth(symbol: string, state: SymbolMarket, at: number): string {
    const decimals = MARKET_INFO[splitSymbol(symbol).market].priceDecimals;
    const step = 10 ** -decimals;
    const level = (po: number, p: number) => ({ po, p: round(p, decimals), v: 100 * po, o: po });
    const book = { a: [level(1, state.price + step), level(2, state.price + 2 * step)], b: [level(1, state.price - step), level(2, state.price - 2 * step)] };
    // The docs print depth without a time.
    const time = this.options.shapes === 'docs' ? {} : { t: at };
    return JSON.stringify({ code: 1, data: { ...socketSymbol(symbol, this.options), ...book, ...time, type: 'depth' } });
  }

  /** A streamed bar of `kType`: `{code:1,data:{s,r,t,k}}` (spec), `{code:0,msg:null,data:{s,t,k}}` with no type (docs). */
  kline(symbol: string, kType: number, bar: Kline): string {
    const n = (value: number) => this.number(value);
    const data = { ...socketSymbol(symbol, this.options), t: kType, k: { tu: n(round(bar.tu, 2)), c: n(bar.c), t: bar.t, v: n(bar.v), h: n(bar.h), l: n(bar.l), o: n(bar.o) } };
    return JSON.stringify(this.options.shapes === 'docs' ? { code: 0, msg: null, data } : { code: 1, data });
  }

  /** The `data` of a REST quote answer: `{s, ld, o, h, l, p, ch, chp, t, v, tu, ts}`; docs shapes leave `p` out, as iTick's SDK model does (previous close = ld − ch). */
  restQuote(symbol: string, state: SymbolMarket, at: number): Record<string, unknown> {
    const n = (value: number) => this.number(value);
    const change = this.change(symbol, state);
    return {
      s: restSymbol(symbol, this.options),
      ld: n(state.price),
      o: n(state.open),
      h: n(state.high),
      l: n(state.low),
      ...(this.options.shapes === 'docs' ? {} : { p: n(state.prevClose) }),
      ch: n(change.ch),
      chp: n(change.chp),
      t: state.tradedAt > 0 ? state.tradedAt : at,
      v: n(state.volume),
      tu: n(round(state.turnover, 2)),
      ts: 0,
    };
  }

  private change(symbol: string, state: SymbolMarket): { ch: number; chp: number } {
    const ch = round(state.price - state.prevClose, MARKET_INFO[splitSymbol(symbol).market].priceDecimals + 1);
    return { ch, chp: state.prevClose > 0 ? round((ch / state.prevClose) * 100, 2) : 0 };
  }
}

/** A token as iTick's auth answer echoes it: the first 8 and last 12 characters of a long one, the rest starred; a short one all starred. */
export function maskToken(token: string): string {
  if (token.length < 24) return '*'.repeat(token.length);
  return `${token.slice(0, 8)}${'*'.repeat(token.length - 20)}${token.slice(-12)}`;
}

/**
 * Which market a simulator path serves, and how a subscription on it names a symbol.
 *
 * iTick serves each asset class on its own socket: the current docs on `/<class>` (`/stock`,
 * `/crypto` …), the older ones on `/sws` `/fws` `/iws` `/cws` (core/rule-model/market.ts holds
 * both). A subscription on a market's path is for that market: `BTCUSDT$BA` on `/crypto` is the
 * project's `crypto:BTCUSDT$BA`. Everything inside the simulator is keyed by those canonical
 * symbols, so tests and the control API name any market's symbol one way.
 */
import { MARKETS, MARKET_INFO, type Market } from '../../core/rule-model/market';
import { marketSymbol, normalizeSymbol } from '../../core/rule-model/symbol';

export interface MarketPath {
  market: Market;
  /** An older-docs path (`/sws` …): the token header is not honoured there, only `{"ac":"auth"}`. */
  legacy: boolean;
}

const SOCKET_PATHS: ReadonlyMap<string, MarketPath> = new Map(
  MARKETS.flatMap((market) => {
    const { path, legacyPath } = MARKET_INFO[market];
    const current: [string, MarketPath] = [`/${path}`, { market, legacy: false }];
    return legacyPath === undefined ? [current] : [current, [`/${legacyPath}`, { market, legacy: true }] as [string, MarketPath]];
  }),
);

/** The market and doc generation of a WebSocket upgrade path, or `undefined` for a path iTick does not serve. */
export function socketPathOf(pathname: string): MarketPath | undefined {
  return SOCKET_PATHS.get(pathname.replace(/\/+$/, '') || '/');
}

/** The market whose REST endpoints live under `/<path>/…` (`/crypto/kline` → crypto). */
export function restMarketOf(segment: string): Market | undefined {
  return MARKETS.find((market) => MARKET_INFO[market].path === segment);
}

/**
 * The region a bare code gets when a subscription leaves it out, as iTick's doc pages subscribe
 * (`"EURUSD,GBPUSD"`, `"BTCUSDT"`, `"US100"`). These follow the regions iTick's examples use for
 * each class (test/fixtures/itick/README.md, "Regions"); the simulator's own assumption.
 */
export const BARE_CODE_REGION: Readonly<Record<Market, string>> = { stock: 'US', forex: 'GB', indices: 'US', crypto: 'BA', future: 'US', fund: 'US' };

/**
 * The canonical symbol of one `params` entry of a subscription on a market's socket, or
 * `undefined` when it is not a symbol. `CODE$REGION` always; a bare `CODE` only when `bareCodes`
 * (the docs' subscribe examples), with the market's {@link BARE_CODE_REGION}.
 * @example subscribedSymbol('crypto', 'btcusdt$ba', false) // 'crypto:BTCUSDT$BA'
 * @example subscribedSymbol('forex', 'EURUSD', true) // 'forex:EURUSD$GB'
 */
export function subscribedSymbol(market: Market, param: string, bareCodes: boolean): string | undefined {
  const entry = param.trim();
  if (entry === '' || entry.includes(':')) return undefined;
  const feedSymbol = entry.includes('$') ? entry : bareCodes ? `${entry}$${BARE_CODE_REGION[market]}` : undefined;
  if (feedSymbol === undefined) return undefined;
  const symbol = normalizeSymbol(marketSymbol(market, feedSymbol));
  return symbol ?? undefined;
}

/**
 * A symbol given to the simulator's scripting API in any case (`crypto:btcusdt$ba`), canonical;
 * text that is no symbol is kept upper-cased, so a test can still script a made-up name.
 */
export function canonicalSymbol(symbol: string): string {
  return normalizeSymbol(symbol) ?? symbol.trim().toUpperCase();
}

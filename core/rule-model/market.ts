/**
 * Markets (iTick's asset classes): the one table of what differs between stocks, forex, indices,
 * crypto, futures and funds on the feed's side. A symbol names its market with a prefix
 * (`crypto:BTCUSDT$BA`); a stock needs none (symbol.ts). Which hours a market trades is
 * core/engine/sessions.ts (`calendarOf`).
 *
 * Paths follow iTick's docs (test/fixtures/itick/README.md): the current generation serves every
 * class on `wss://api.itick.org/<class>`, the older one on `/sws` `/fws` `/iws` `/cws`; REST
 * serves each class under `/<class>`.
 */

export const MARKETS = ['stock', 'forex', 'indices', 'crypto', 'future', 'fund'] as const;
export type Market = (typeof MARKETS)[number];

export interface MarketInfo {
  market: Market;
  /** What the dashboard calls it. */
  label: string;
  /** The path of its WebSocket and of its REST endpoints (`/crypto/kline`), without a slash. */
  path: string;
  /** The path of its WebSocket in iTick's older docs, where one exists. */
  legacyPath: string | undefined;
  /** The setting that overrides its WebSocket URL (`ITICK_WS_URL` for stocks). */
  urlSetting: string;
  /** A symbol of it, for examples and placeholders. */
  example: string;
  /** Decimals a price of it is usually quoted with at ~1 (forex pips need 5). */
  priceDecimals: number;
}

export const MARKET_INFO: Readonly<Record<Market, MarketInfo>> = {
  stock: { market: 'stock', label: 'Stocks', path: 'stock', legacyPath: 'sws', urlSetting: 'ITICK_WS_URL', example: 'AAPL$US', priceDecimals: 2 },
  forex: { market: 'forex', label: 'Forex', path: 'forex', legacyPath: 'fws', urlSetting: 'ITICK_WS_URL_FOREX', example: 'forex:EURUSD$GB', priceDecimals: 5 },
  indices: { market: 'indices', label: 'Indices', path: 'indices', legacyPath: 'iws', urlSetting: 'ITICK_WS_URL_INDICES', example: 'indices:DJI$US', priceDecimals: 2 },
  crypto: { market: 'crypto', label: 'Crypto', path: 'crypto', legacyPath: 'cws', urlSetting: 'ITICK_WS_URL_CRYPTO', example: 'crypto:BTCUSDT$BA', priceDecimals: 2 },
  future: { market: 'future', label: 'Futures', path: 'future', legacyPath: undefined, urlSetting: 'ITICK_WS_URL_FUTURE', example: 'future:GC$US', priceDecimals: 2 },
  fund: { market: 'fund', label: 'Funds', path: 'fund', legacyPath: undefined, urlSetting: 'ITICK_WS_URL_FUND', example: 'fund:QQQ$US', priceDecimals: 2 },
};

export function isMarket(value: string): value is Market {
  return (MARKETS as readonly string[]).includes(value);
}

/**
 * The WebSocket URL of a market when its own setting is unset: the stock URL's origin with the
 * market's path (`ws://127.0.0.1:9000/stock` → `ws://127.0.0.1:9000/crypto`). A stock URL on an
 * older path (`/sws`) gives the older paths (`/cws`), so one base serves either generation.
 * @example defaultMarketUrl('wss://api.itick.org/stock', 'forex') // 'wss://api.itick.org/forex'
 */
export function defaultMarketUrl(stockUrl: string, market: Market): string {
  const url = new URL(stockUrl);
  if (market === 'stock') return url.toString();
  const info = MARKET_INFO[market];
  const legacy = /\/sws\/?$/.test(url.pathname) && info.legacyPath !== undefined;
  // The stock path's last segment is replaced; anything before it (a proxy's prefix) stays.
  const prefix = url.pathname.replace(/\/[^/]*\/?$/, '');
  url.pathname = `${prefix}/${legacy ? info.legacyPath : info.path}`;
  url.search = '';
  return url.toString();
}

/** The WebSocket URL of every market: its own setting where given, else derived from the stock URL. */
export function marketUrls(stockUrl: string, overrides: Partial<Record<Market, string>>): Record<Market, string> {
  return Object.fromEntries(MARKETS.map((market) => [market, overrides[market] ?? defaultMarketUrl(stockUrl, market)])) as Record<Market, string>;
}

/**
 * Symbols of every market as the dashboard shows and composes them: the market a symbol belongs
 * to and the code a trader reads (`crypto:BTCUSDT$BA` → "Crypto" and `BTCUSDT$BA`), and the
 * symbol the rule form sends for a market and what was typed. The markets and their labels,
 * examples and price decimals are core/rule-model/market.ts (no dependencies); splitting and
 * prefixing is core/rule-model/symbol.ts, the API's own. Pure: no DOM.
 */
import { MARKET_INFO, MARKETS, type Market, type MarketInfo } from '../../core/rule-model/market';
import { marketSymbol, splitSymbol } from '../../core/rule-model/symbol';

export { MARKETS, type Market };

export interface ShownSymbol {
  market: Market;
  /** The symbol without its market prefix (`BTCUSDT$BA`, `AAPL$US`). */
  code: string;
  /** The market's tag beside the code; null for stocks, which carry no prefix either. */
  tag: string | null;
}

/** How a (canonical) symbol reads: `crypto:BTCUSDT$BA` → tag "Crypto", code `BTCUSDT$BA`. */
export function shownSymbol(symbol: string): ShownSymbol {
  const { market, feedSymbol } = splitSymbol(symbol);
  return { market, code: feedSymbol, tag: market === 'stock' ? null : MARKET_INFO[market].label };
}

export function marketInfo(market: Market): MarketInfo {
  return MARKET_INFO[market];
}

/** The market's example without its prefix: the placeholder of the form's symbol field (`BTCUSDT$BA`). */
export function exampleCode(market: Market): string {
  return splitSymbol(MARKET_INFO[market].example).feedSymbol;
}

/** Whatever was typed starts with a market prefix of its own (`crypto:…`, or a wrong one such as `bond:…`). */
const TYPED_PREFIX = /^\s*[A-Za-z]+\s*:/;

/**
 * The symbol the form sends: the code typed, prefixed with the chosen market. Text that already
 * carries a prefix is sent as typed, and anything else as typed too (trimmed): the API judges it
 * and its error shows next to the field.
 * @example composeSymbol('crypto', ' btcusdt$ba ') // 'crypto:btcusdt$ba'
 */
export function composeSymbol(market: Market, typed: string): string {
  const text = typed.trim();
  if (text === '' || TYPED_PREFIX.test(text)) return text;
  return marketSymbol(market, text);
}

/** The rule form's two symbol fields for a canonical symbol (a rule's, or the charted one a new rule starts from): its market and its code. */
export function symbolFields(symbol: string): { market: Market; symbol: string } {
  if (symbol.trim() === '') return { market: 'stock', symbol: '' };
  const { market, code } = shownSymbol(symbol);
  return { market, symbol: code };
}

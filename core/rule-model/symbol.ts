/**
 * Symbols in iTick's form: `CODE$REGION` (e.g. `AAPL$US`, `700$HK`) or, for India,
 * `CODE$EXCHANGE$REGION` (`RELIANCE$NSE$IN`). Other markets carry a prefix:
 * `MARKET:CODE$REGION` (`crypto:BTCUSDT$BA`, `forex:EURUSD$GB`, `indices:DJI$US`); a stock needs
 * none, and `stock:AAPL$US` is stored as `AAPL$US`. Input is case-insensitive and trimmed; the
 * canonical form has the prefix lower-case and the rest upper-case.
 */
import * as z from 'zod';
import { MARKETS, isMarket, type Market } from './market';
import { documented, withJsonSchema } from './schema-docs';
import { mustBe } from './validation';

const PREFIXED = MARKETS.filter((market) => market !== 'stock');
const CODE_AND_REGION = '[A-Z0-9][A-Z0-9._-]{0,19}(\\$[A-Z]{2,8})?\\$[A-Z]{2}';

/** Canonical symbol: an optional market prefix, a code of letters/digits (plus `.`, `-`, `_`), optional exchange, 2-letter region. */
export const SYMBOL_PATTERN = new RegExp(`^((${PREFIXED.join('|')}):)?${CODE_AND_REGION}$`);

/**
 * What a symbol may look like on input: the canonical form with ASCII letters in either case,
 * `stock:` allowed, surrounded by any white space (`\s` is the set `String.prototype.trim`
 * removes). The OpenAPI document states it as the `pattern` of every symbol a request carries.
 */
export const SYMBOL_INPUT_PATTERN = new RegExp(
  `^\\s*((${MARKETS.map((market) => [...market].map((c) => `[${c}${c.toUpperCase()}]`).join('')).join('|')}):)?${CODE_AND_REGION.replaceAll('A-Z', 'A-Za-z')}\\s*$`,
);

/**
 * Normalises user input to the canonical symbol, or returns `null` when it is not a symbol.
 * @example normalizeSymbol(' aapl$us ') // 'AAPL$US'
 * @example normalizeSymbol('Crypto:btcusdt$ba') // 'crypto:BTCUSDT$BA'
 */
export function normalizeSymbol(input: string): string | null {
  if (!SYMBOL_INPUT_PATTERN.test(input)) return null;
  const trimmed = input.trim();
  const colon = trimmed.indexOf(':');
  if (colon < 0) return trimmed.toUpperCase();
  const market = trimmed.slice(0, colon).toLowerCase();
  const rest = trimmed.slice(colon + 1).toUpperCase();
  return market === 'stock' ? rest : `${market}:${rest}`;
}

export interface SymbolParts {
  market: Market;
  /** iTick's code (`AAPL`, `BTCUSDT`, `RELIANCE$NSE` for India's three-part symbols). */
  code: string;
  /** The last part (`US`, `BA`, `GB`). */
  region: string;
  /** The symbol as iTick's subscribe and REST calls name it: `CODE$REGION`, without the market. */
  feedSymbol: string;
}

/**
 * Splits a canonical symbol into its market, iTick's code and region.
 * @example splitSymbol('700$HK') // { market: 'stock', code: '700', region: 'HK', feedSymbol: '700$HK' }
 * @example splitSymbol('crypto:BTCUSDT$BA') // { market: 'crypto', code: 'BTCUSDT', region: 'BA', feedSymbol: 'BTCUSDT$BA' }
 */
export function splitSymbol(symbol: string): SymbolParts {
  const colon = symbol.indexOf(':');
  const prefix = colon < 0 ? 'stock' : symbol.slice(0, colon);
  const market: Market = isMarket(prefix) ? prefix : 'stock';
  const feedSymbol = colon < 0 ? symbol : symbol.slice(colon + 1);
  const cut = feedSymbol.lastIndexOf('$');
  return { market, code: feedSymbol.slice(0, cut), region: feedSymbol.slice(cut + 1), feedSymbol };
}

/** The market of a canonical symbol (`stock` without a prefix). */
export function marketOf(symbol: string): Market {
  return splitSymbol(symbol).market;
}

/** The canonical symbol of a market's `CODE$REGION` (`('crypto', 'BTCUSDT$BA')` → `crypto:BTCUSDT$BA`). */
export function marketSymbol(market: Market, feedSymbol: string): string {
  return market === 'stock' ? feedSymbol : `${market}:${feedSymbol}`;
}

/** A symbol on input, normalised to its canonical form. */
export const symbolSchema = documented(
  withJsonSchema(
    z.string({ error: mustBe('a string') }).transform((value, ctx) => {
      const symbol = normalizeSymbol(value);
      if (symbol === null) {
        ctx.addIssue({ code: 'custom', message: 'must be a symbol like AAPL$US (CODE$REGION) or crypto:BTCUSDT$BA (MARKET:CODE$REGION)' });
        return z.NEVER;
      }
      return symbol;
    }),
    { type: 'string', pattern: SYMBOL_INPUT_PATTERN.source, examples: ['AAPL$US', 'crypto:BTCUSDT$BA'] },
  ),
  {
    description:
      'iTick symbol CODE$REGION (e.g. AAPL$US, 700$HK, RELIANCE$NSE$IN); other markets MARKET:CODE$REGION with MARKET one of forex, indices, crypto, future, fund (e.g. crypto:BTCUSDT$BA, forex:EURUSD$GB); case-insensitive and trimmed on input, the prefix lower-case and the rest upper-case on output',
  },
);

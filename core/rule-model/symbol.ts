/**
 * Stock symbols in iTick's form: `CODE$REGION` (e.g. `AAPL$US`, `700$HK`) or, for India,
 * `CODE$EXCHANGE$REGION` (`RELIANCE$NSE$IN`). Input is case-insensitive and trimmed; the
 * canonical form is upper-case.
 */
import * as z from 'zod';
import { documented, withJsonSchema } from './schema-docs';
import { mustBe } from './validation';

/** Canonical symbol: code of letters/digits (plus `.`, `-`, `_`), optional exchange, 2-letter region. */
export const SYMBOL_PATTERN = /^[A-Z0-9][A-Z0-9._-]{0,19}(\$[A-Z]{2,8})?\$[A-Z]{2}$/;

/**
 * What a symbol may look like on input: the canonical form with ASCII letters in either case,
 * surrounded by any white space (`\s` is the set `String.prototype.trim` removes). The OpenAPI
 * document states it as the `pattern` of every symbol a request carries.
 */
export const SYMBOL_INPUT_PATTERN = new RegExp(`^\\s*${SYMBOL_PATTERN.source.slice(1, -1).replaceAll('A-Z', 'A-Za-z')}\\s*$`);

/**
 * Normalises user input to the canonical symbol, or returns `null` when it is not a symbol.
 * @example normalizeSymbol(' aapl$us ') // 'AAPL$US'
 */
export function normalizeSymbol(input: string): string | null {
  return SYMBOL_INPUT_PATTERN.test(input) ? input.trim().toUpperCase() : null;
}

/** Splits a canonical symbol into iTick's code and region (`700$HK` → `{ code: '700', region: 'HK' }`). */
export function splitSymbol(symbol: string): { code: string; region: string } {
  const cut = symbol.lastIndexOf('$');
  return { code: symbol.slice(0, cut), region: symbol.slice(cut + 1) };
}

/** A symbol on input, normalised to its canonical form. */
export const symbolSchema = documented(
  withJsonSchema(
    z.string({ error: mustBe('a string') }).transform((value, ctx) => {
      const symbol = normalizeSymbol(value);
      if (symbol === null) {
        ctx.addIssue({ code: 'custom', message: 'must be a symbol like AAPL$US (CODE$REGION)' });
        return z.NEVER;
      }
      return symbol;
    }),
    { type: 'string', pattern: SYMBOL_INPUT_PATTERN.source, examples: ['AAPL$US'] },
  ),
  { description: 'iTick symbol CODE$REGION (e.g. AAPL$US, 700$HK, RELIANCE$NSE$IN); case-insensitive and trimmed on input, upper-case on output' },
);

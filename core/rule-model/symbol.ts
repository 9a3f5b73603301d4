/**
 * Stock symbols in iTick's form: `CODE$REGION` (e.g. `AAPL$US`, `700$HK`) or, for India,
 * `CODE$EXCHANGE$REGION` (`RELIANCE$NSE$IN`). Input is case-insensitive and trimmed; the
 * canonical form is upper-case.
 */
import * as z from 'zod';
import { mustBe } from './validation';

/** Canonical symbol: code of letters/digits (plus `.`, `-`, `_`), optional exchange, 2-letter region. */
export const SYMBOL_PATTERN = /^[A-Z0-9][A-Z0-9._-]{0,19}(\$[A-Z]{2,8})?\$[A-Z]{2}$/;

/**
 * Normalises user input to the canonical symbol, or returns `null` when it is not a symbol.
 * @example normalizeSymbol(' aapl$us ') // 'AAPL$US'
 */
export function normalizeSymbol(input: string): string | null {
  const candidate = input.trim().toUpperCase();
  return SYMBOL_PATTERN.test(candidate) ? candidate : null;
}

/** Splits a canonical symbol into iTick's code and region (`700$HK` → `{ code: '700', region: 'HK' }`). */
export function splitSymbol(symbol: string): { code: string; region: string } {
  const cut = symbol.lastIndexOf('$');
  return { code: symbol.slice(0, cut), region: symbol.slice(cut + 1) };
}

export const symbolSchema = z
  .string({ error: mustBe('a string') })
  .transform((value, ctx) => {
    const symbol = normalizeSymbol(value);
    if (symbol === null) {
      ctx.addIssue({ code: 'custom', message: 'must be a symbol like AAPL$US (CODE$REGION)' });
      return z.NEVER;
    }
    return symbol;
  });

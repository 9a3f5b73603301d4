/** How the dashboard shows symbols of every market and composes them in the rule form. */
import { describe, expect, it } from 'vitest';
import { MARKET_INFO, MARKETS, normalizeSymbol } from '../../core/rule-model';
import { composeSymbol, exampleCode, shownSymbol, symbolFields } from '../../dashboard/src/market-symbols';

describe('a symbol as shown', () => {
  it('tags every market but stocks, and shows the code without its prefix', () => {
    expect(shownSymbol('crypto:BTCUSDT$BA')).toEqual({ market: 'crypto', code: 'BTCUSDT$BA', tag: 'Crypto' });
    expect(shownSymbol('forex:EURUSD$GB')).toMatchObject({ tag: 'Forex', code: 'EURUSD$GB' });
    expect(shownSymbol('AAPL$US')).toEqual({ market: 'stock', code: 'AAPL$US', tag: null });
    expect(shownSymbol('RELIANCE$NSE$IN')).toMatchObject({ market: 'stock', code: 'RELIANCE$NSE$IN' });
  });
});

describe('the rule form’s symbol', () => {
  it('round-trips every market’s example through its fields', () => {
    for (const market of MARKETS) {
      const { example } = MARKET_INFO[market];
      const fields = symbolFields(example);
      expect(fields).toEqual({ market, symbol: exampleCode(market) });
      expect(normalizeSymbol(composeSymbol(fields.market, fields.symbol))).toBe(example);
    }
  });

  it('sends a typed prefix, or anything that is no code, as typed', () => {
    expect(composeSymbol('crypto', 'forex:EURUSD$GB')).toBe('forex:EURUSD$GB');
    expect(composeSymbol('crypto', ' bond: X$US')).toBe('bond: X$US');
    expect(composeSymbol('stock', 'not a symbol')).toBe('not a symbol');
    expect(composeSymbol('future', '  ')).toBe('');
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultMarketUrl, MARKET_INFO, MARKETS, marketOf, marketSymbol, marketUrls, normalizeSymbol, splitSymbol, SYMBOL_PATTERN, symbolSchema } from '../../../core/rule-model';

describe('symbols with a market', () => {
  it.each([
    [' aapl$us ', 'AAPL$US'],
    ['stock:AAPL$US', 'AAPL$US'],
    ['STOCK:aapl$us', 'AAPL$US'],
    ['Crypto:btcusdt$ba', 'crypto:BTCUSDT$BA'],
    ['forex:EURUSD$GB', 'forex:EURUSD$GB'],
    ['indices:dji$us', 'indices:DJI$US'],
    ['future:GC$US', 'future:GC$US'],
    ['fund:QQQ$US', 'fund:QQQ$US'],
    ['RELIANCE$NSE$IN', 'RELIANCE$NSE$IN'],
  ])('normalises %j to %j', (input, canonical) => {
    expect(normalizeSymbol(input)).toBe(canonical);
    expect(SYMBOL_PATTERN.test(canonical)).toBe(true);
    expect(symbolSchema.parse(input)).toBe(canonical);
  });

  it.each(['bogus:X$US', 'crypto:', 'crypto:BTCUSDT', ':AAPL$US', 'crypto::BTC$BA', 'crypto : BTC$BA', 'AAPL.US'])('refuses %j', (input) => {
    expect(normalizeSymbol(input)).toBeNull();
    expect(symbolSchema.safeParse(input).success).toBe(false);
  });

  it('splits a symbol into market, code, region and the form iTick subscribes', () => {
    expect(splitSymbol('crypto:BTCUSDT$BA')).toEqual({ market: 'crypto', code: 'BTCUSDT', region: 'BA', feedSymbol: 'BTCUSDT$BA' });
    expect(splitSymbol('RELIANCE$NSE$IN')).toEqual({ market: 'stock', code: 'RELIANCE$NSE', region: 'IN', feedSymbol: 'RELIANCE$NSE$IN' });
    expect(marketOf('700$HK')).toBe('stock');
  });

  it('round-trips market and feed symbol for every market', () => {
    fc.assert(
      fc.property(fc.constantFrom(...MARKETS), fc.stringMatching(/^[A-Z0-9]{1,8}\$[A-Z]{2}$/), (market, feedSymbol) => {
        const symbol = marketSymbol(market, feedSymbol);
        expect(normalizeSymbol(symbol.toLowerCase())).toBe(symbol);
        expect(splitSymbol(symbol)).toMatchObject({ market, feedSymbol });
      }),
    );
  });

  it("derives each market's WebSocket URL from the stock URL's origin, in either doc generation", () => {
    expect(defaultMarketUrl('ws://127.0.0.1:9000/stock', 'crypto')).toBe('ws://127.0.0.1:9000/crypto');
    expect(defaultMarketUrl('wss://api.itick.org/stock', 'stock')).toBe('wss://api.itick.org/stock');
    expect(defaultMarketUrl('wss://api.itick.org/sws', 'forex')).toBe('wss://api.itick.org/fws');
    // The older docs have no future or fund socket: the current path it is.
    expect(defaultMarketUrl('wss://api.itick.org/sws', 'fund')).toBe('wss://api.itick.org/fund');
    expect(defaultMarketUrl('wss://proxy.example/itick/stock?x=1', 'indices')).toBe('wss://proxy.example/itick/indices');
    expect(marketUrls('ws://127.0.0.1:9000/stock', { forex: 'ws://elsewhere:1/fx' })).toMatchObject({ forex: 'ws://elsewhere:1/fx', fund: 'ws://127.0.0.1:9000/fund' });
  });

  it('names every market once, with an example symbol of its own market', () => {
    for (const market of MARKETS) {
      expect(MARKET_INFO[market].market).toBe(market);
      expect(marketOf(MARKET_INFO[market].example)).toBe(market);
    }
  });
});

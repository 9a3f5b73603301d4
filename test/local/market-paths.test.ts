/** Which market each simulator path serves, and the canonical symbol a subscription on it names. */
import { describe, expect, it } from 'vitest';
import { canonicalSymbol, restMarketOf, socketPathOf, subscribedSymbol } from '../../local/market-simulator/market-paths';

describe('simulator paths', () => {
  it('serves every market on its current path and the four older ones', () => {
    expect(['/stock', '/forex', '/indices', '/crypto', '/future', '/fund'].map(socketPathOf)).toEqual(
      ['stock', 'forex', 'indices', 'crypto', 'future', 'fund'].map((market) => ({ market, legacy: false })),
    );
    expect(['/sws', '/fws', '/iws', '/cws/'].map(socketPathOf)).toEqual(['stock', 'forex', 'indices', 'crypto'].map((market) => ({ market, legacy: true })));
    expect([socketPathOf('/'), socketPathOf('/websocket/stock'), socketPathOf('/fws2')]).toEqual([undefined, undefined, undefined]);
    expect([restMarketOf('crypto'), restMarketOf('sws'), restMarketOf('Indices')]).toEqual(['crypto', undefined, undefined]);
  });

  it("reads a subscription's symbol as the market's", () => {
    expect(subscribedSymbol('crypto', ' btcusdt$ba ', false)).toBe('crypto:BTCUSDT$BA');
    expect(subscribedSymbol('stock', 'AAPL$US', false)).toBe('AAPL$US');
    expect(subscribedSymbol('stock', 'RELIANCE$NSE$IN', false)).toBe('RELIANCE$NSE$IN');
    // A market prefix has no place on the wire.
    expect(subscribedSymbol('stock', 'crypto:BTCUSDT$BA', false)).toBeUndefined();
  });

  it("takes bare codes, as the docs' pages subscribe them, only when asked, with the market's usual region", () => {
    expect(subscribedSymbol('forex', 'EURUSD', false)).toBeUndefined();
    expect(['EURUSD', 'BTCUSDT', 'US100', 'AAPL'].map((code, i) => subscribedSymbol((['forex', 'crypto', 'indices', 'stock'] as const)[i] ?? 'stock', code, true))).toEqual([
      'forex:EURUSD$GB',
      'crypto:BTCUSDT$BA',
      'indices:US100$US',
      'AAPL$US',
    ]);
  });

  it('makes a scripted symbol canonical in any case', () => {
    expect([canonicalSymbol('Crypto:btcusdt$ba'), canonicalSymbol('stock:aapl$us'), canonicalSymbol('not a symbol')]).toEqual(['crypto:BTCUSDT$BA', 'AAPL$US', 'NOT A SYMBOL']);
  });
});

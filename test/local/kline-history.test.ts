/** The simulator's klines: bar lengths from iTick's kType table, scripted and made-up histories, live bars. */
import { describe, expect, it } from 'vitest';
import { K_TYPE_MS, KlineHistory } from '../../local/market-simulator/kline-history';

const MINUTE = 60_000;

describe("the simulator's klines", () => {
  it("takes bar lengths from iTick's kType table: 3 is ten minutes, and a month is not served", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((kType) => (K_TYPE_MS.get(kType) ?? 0) / MINUTE)).toEqual([1, 5, 10, 30, 60, 120, 240, 1440, 10_080]);
    expect(K_TYPE_MS.has(10)).toBe(false);
  });

  it('makes up a kType-3 history ten minutes a bar, ending at the current price in the current bar', () => {
    const bars = new KlineHistory().bars('AAPL$US', 3, 4, 200, 1_700_000_123_456);
    expect(bars.map((b) => b.t)).toEqual([3, 2, 1, 0].map((i) => Math.floor(1_700_000_123_456 / (10 * MINUTE)) * 10 * MINUTE - i * 10 * MINUTE));
    expect(bars.at(-1)?.c).toBe(200);
  });

  it('serves scripted bars, oldest first, until they are cleared', () => {
    const history = new KlineHistory();
    history.set('crypto:BTCUSDT$BA', 1, [{ t: 2, o: 1, h: 1, l: 1, c: 1, v: 1, tu: 1 }, { t: 1, o: 2, h: 2, l: 2, c: 2, v: 1, tu: 2 }]);
    expect(history.bars('crypto:BTCUSDT$BA', 1, 10, 5, 0).map((b) => b.t)).toEqual([1, 2]);
    history.set('crypto:BTCUSDT$BA', 1, []);
    expect(history.bars('crypto:BTCUSDT$BA', 1, 1, 5, 0)[0]?.c).toBe(5);
  });

  it('folds trades into the bar in progress and starts a new bar past its end', () => {
    const history = new KlineHistory();
    history.trade('AAPL$US', 1, 10, 100, 60_000);
    expect(history.trade('AAPL$US', 1, 12, 50, 90_000)).toEqual({ t: 60_000, o: 10, h: 12, l: 10, c: 12, v: 150, tu: 1600 });
    expect(history.trade('AAPL$US', 1, 11, 10, 120_000)).toEqual({ t: 120_000, o: 11, h: 11, l: 11, c: 11, v: 10, tu: 110 });
  });
});

/**
 * Reading iTick's kline endpoint tolerantly (shared/spec/itick.md): the parser on odd answers,
 * and the HTTP source against the market simulator's endpoint.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ItickKlineSource, parseKlines } from '../../../functions/evaluator/itick-klines';
import { MarketSimulator } from '../../../local/market-simulator/market-simulator';

describe('parseKlines', () => {
  it('reads bars whatever the answer code, with numbers as strings and times in seconds, oldest first', () => {
    const bars = parseKlines({
      code: 1,
      msg: 'ok',
      data: [
        { t: '1700000060', o: '10.5', h: '11', l: '10', c: '10.8', v: '300', tu: '3240' },
        { t: 1_700_000_000_000, o: 10, h: 10.6, l: 9.9, c: 10.5, v: 200 },
      ],
    });
    expect(bars).toEqual([
      { start: 1_700_000_000_000, open: 10, high: 10.6, low: 9.9, close: 10.5, volume: 200 },
      { start: 1_700_000_060_000, open: 10.5, high: 11, low: 10, close: 10.8, volume: 300 },
    ]);
  });

  it('skips unusable entries, keeps the last of duplicates, and finds a list under data.list', () => {
    const bars = parseKlines({ code: 0, data: { list: [{ t: 1, c: 'x' }, null, { c: 5 }, { t: 1_700_000_000_000, c: 5 }, { t: 1_700_000_000_000, c: 6, v: -1 }] } });
    expect(bars).toEqual([{ start: 1_700_000_000_000, open: 6, high: 6, low: 6, close: 6, volume: 0 }]);
  });

  it('throws with iTick\'s message when the answer holds no bars', () => {
    expect(() => parseKlines({ code: 0, msg: 'token expired', data: null })).toThrow(/no bars: token expired/);
    expect(() => parseKlines('nonsense')).toThrow(/no bars/);
  });
});

describe('ItickKlineSource', () => {
  let market: MarketSimulator | undefined;
  afterEach(async () => {
    await market?.close();
    market = undefined;
  });

  const sourceFor = (m: MarketSimulator, token: string | undefined, timeoutMs = 2000) =>
    new ItickKlineSource({ baseUrl: `http://127.0.0.1:${m.port}`, token: async () => token, timeoutMs });

  it("reads the simulator's kline endpoint, numbers as strings included", async () => {
    market = await MarketSimulator.start({ tokens: ['secret'], stringNumbers: true });
    market.setKlines('AAPL$US', 5, [
      { t: 1_700_000_000_000, o: 190, h: 192, l: 189, c: 191, v: 1000, tu: 191_000 },
      { t: 1_700_003_600_000, o: 191, h: 193, l: 190, c: 192.5, v: 800, tu: 154_000 },
    ]);
    const bars = await sourceFor(market, 'secret').klines('AAPL$US', '1h', 100);
    expect(bars.map((b) => [b.start, b.close])).toEqual([
      [1_700_000_000_000, 191],
      [1_700_003_600_000, 192.5],
    ]);
  });

  it('fails (for the caller to log) when the token is refused or missing', async () => {
    market = await MarketSimulator.start({ tokens: ['secret'] });
    await expect(sourceFor(market, 'wrong').klines('AAPL$US', '1m', 10)).rejects.toThrow(/401/);
    await expect(sourceFor(market, undefined).klines('AAPL$US', '1m', 10)).rejects.toThrow(/no iTick token/);
  });
});

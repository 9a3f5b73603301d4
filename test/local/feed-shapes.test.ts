/**
 * The simulator's two frame shapes, checked against the replay fixtures written from iTick's docs
 * (test/fixtures/itick): a docs-shaped frame has the same fields as the docs' frame of its class,
 * and names the symbol the way those docs print it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cryptoPair, FrameWriter, maskToken, restSymbol, socketSymbol, type ShapeOptions } from '../../local/market-simulator/feed-shapes';
import type { SymbolMarket } from '../../local/market-simulator/random-walk';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/itick');
const docs: ShapeOptions = { shapes: 'docs', stringNumbers: false, omitRegion: false };
const spec: ShapeOptions = { shapes: 'spec', stringNumbers: false, omitRegion: false };

/** The fixture's last frame: the data frame after connect, auth and subscribe (REST: the answer). */
function lastFrame(file: string): { code: number; msg?: unknown; data: Record<string, unknown> } {
  const fixture = JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as { messages: Array<{ code: number; msg?: unknown; data: Record<string, unknown> }> };
  const frame = fixture.messages.at(-1);
  if (frame === undefined) throw new Error(`${file} has no frames`);
  return frame;
}
const fixtureData = (file: string) => lastFrame(file).data;
const state = (over: Partial<SymbolMarket> = {}): SymbolMarket => ({
  price: 238.43,
  prevClose: 236.17,
  open: 236.9,
  high: 239.12,
  low: 236.51,
  volume: 9_183_842,
  turnover: 2_186_481_904.18,
  tradedAt: 1_796_396_402_000,
  ...over,
});
const parsed = (text: string) => JSON.parse(text) as { code: number; msg?: unknown; data: Record<string, unknown> };
const keys = (record: Record<string, unknown>) => Object.keys(record).sort();

describe('symbols as each shape names them', () => {
  it.each([
    ['AAPL$US', 'AAPL.US'],
    ['700$HK', '700.HK'],
    ['fund:QQQ$US', 'QQQ.US'],
    ['crypto:ETHUSDT$BA', 'ETH_USDT'],
    ['forex:EURUSD$GB', 'EURUSD'],
    ['indices:DJI$US', 'DJI'],
    ['future:GC$US', 'GC'],
  ])('docs shapes send %s as s=%s with no r', (symbol, s) => {
    expect(socketSymbol(symbol, docs)).toEqual({ s });
  });

  it('spec shapes send the code and the region, for every market', () => {
    expect(socketSymbol('AAPL$US', spec)).toEqual({ s: 'AAPL', r: 'US' });
    expect(socketSymbol('crypto:BTCUSDT$BA', spec)).toEqual({ s: 'BTCUSDT', r: 'BA' });
    expect(socketSymbol('AAPL$US', { ...spec, omitRegion: true })).toEqual({ s: 'AAPL' });
  });

  it("docs-shaped REST names a crypto pair exchange first, as iTick's REST examples do", () => {
    expect(restSymbol('crypto:BTCUSDT$BA', docs)).toBe('BA_BTC_USDT');
    expect(restSymbol('AAPL$US', docs)).toBe('AAPL.US');
    expect(restSymbol('AAPL$US', spec)).toBe('AAPL');
  });

  it('splits a crypto code at the longest quote currency it ends with', () => {
    expect([cryptoPair('BTCUSDT'), cryptoPair('ETHBTC'), cryptoPair('SOLFDUSD'), cryptoPair('USDT'), cryptoPair('XYZ')]).toEqual(['BTC_USDT', 'ETH_BTC', 'SOL_FDUSD', 'USDT', 'XYZ']);
  });
});

describe('docs-shaped frames have the fields of the docs’ frames', () => {
  const writer = new FrameWriter(docs);

  it.each([
    ['AAPL$US', 'current-stock-quote.json'],
    ['crypto:ETHUSDT$BA', 'current-crypto-quote.json'],
    ['forex:EURUSD$GB', 'current-forex-quote.json'],
    ['indices:DJI$US', 'current-indices-quote.json'],
    ['future:GC$US', 'current-future-quote.json'],
    ['fund:QQQ$US', 'current-fund-quote.json'],
  ])('a quote of %s has the fields of %s', (symbol, file) => {
    const frame = parsed(writer.quote(symbol, state(), 1));
    expect(frame.code).toBe(1);
    expect(keys(frame.data)).toEqual(keys(fixtureData(file)));
    expect(frame.data.s).toBe(fixtureData(file).s);
  });

  it("a trade is a quote with the trade's price and time and the day's running volume, never a tick", () => {
    const frame = parsed(writer.trade('AAPL$US', state({ price: 238.43, volume: 9_183_842 }), { price: 238.43, volume: 300 }, 1_796_396_402_000));
    expect(frame.data).toMatchObject({ s: 'AAPL.US', ld: 238.43, t: 1_796_396_402_000, v: 9_183_842, type: 'quote' });
    expect(writer.tradeType).toBe('quote');
  });

  it('a depth frame and a streamed bar have the docs’ fields; the bar comes wrapped with code 0 and msg null', () => {
    expect(keys(parsed(writer.depth('AAPL$US', state(), 1)).data)).toEqual(keys(fixtureData('current-stock-depth.json')));
    const bar = parsed(writer.kline('AAPL$US', 3, { t: 1_796_396_400_000, o: 238.4, h: 238.52, l: 238.31, c: 238.47, v: 120_012, tu: 28_613_452.6 }));
    const docsBar = lastFrame('current-stock-kline-10m.json');
    expect({ code: bar.code, msg: bar.msg }).toEqual({ code: 0, msg: null });
    expect(keys(bar.data)).toEqual(keys(docsBar.data));
    expect(keys(bar.data.k as Record<string, unknown>)).toEqual(keys(docsBar.data.k as Record<string, unknown>));
    expect(bar.data).toMatchObject({ s: 'AAPL.US', t: 3 });
  });

  it('a REST quote has the SDK model’s fields (no p) and spec shapes add p', () => {
    expect(keys(writer.restQuote('AAPL$US', state(), 1))).toEqual(keys(fixtureData('rest-stock-quote.json')));
    expect(writer.restQuote('crypto:BTCUSDT$BA', state(), 1).s).toBe('BA_BTC_USDT');
    expect(new FrameWriter(spec).restQuote('AAPL$US', state(), 1)).toMatchObject({ s: 'AAPL', p: 236.17, ld: 238.43, ch: 2.26, chp: 0.96 });
  });

  it("echoes the masked token in the auth answer on current paths only, as iTick's current docs print", () => {
    const token = '9f3c1e7a0123456789ab5b20d4c8e61a';
    expect(JSON.parse(writer.authOk(token, false))).toEqual({ code: 1, resAc: 'auth', msg: 'authenticated', data: { params: '9f3c1e7a************5b20d4c8e61a' } });
    expect(JSON.parse(writer.authOk(token, true))).toEqual({ code: 1, resAc: 'auth', msg: 'authenticated' });
    expect(maskToken('short')).toBe('*****');
  });

  it('sends numbers as strings when told to', () => {
    const frame = parsed(new FrameWriter({ ...docs, stringNumbers: true }).quote('AAPL$US', state(), 1));
    expect(frame.data).toMatchObject({ ld: '238.43', v: '9183842', t: '1796396402000' });
  });
});

describe('spec-shaped frames', () => {
  const writer = new FrameWriter(spec);

  it('send trades as ticks and quotes with the previous close, the time of sending and the region', () => {
    expect(parsed(writer.trade('AAPL$US', state(), { price: 190, volume: 300 }, 5)).data).toEqual({ s: 'AAPL', r: 'US', ld: 190, v: 300, t: 5, type: 'tick' });
    expect(parsed(writer.quote('crypto:BTCUSDT$BA', state(), 7)).data).toMatchObject({ s: 'BTCUSDT', r: 'BA', p: 236.17, t: 7, type: 'quote' });
    expect(parsed(writer.kline('AAPL$US', 1, { t: 0, o: 1, h: 1, l: 1, c: 1, v: 1, tu: 1 }))).toMatchObject({ code: 1, data: { s: 'AAPL', r: 'US', t: 1 } });
    expect(writer.authOk('anything', false)).toBe('{"code":1,"resAc":"auth","msg":"authenticated"}');
  });
});

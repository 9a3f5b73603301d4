/**
 * iTick's REST over a real socket (a stand-in server on 127.0.0.1 answering in the fixtures'
 * shapes): the request each market's kline and quote make, what they read back, 15-minute bars
 * built from 5-minute klines, and how failures come out — a 429 pauses the budget for everyone
 * (seconds or an HTTP date), a 5xx or a timeout is an error and no budget change, no token means
 * no call at all. The token goes in a header, never in a URL or an error.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ItickMarketData, ItickRestClient, MemoryRestBudgetStore, RestBudget, type ItickRestError } from '../../../../functions/shared/itick-rest';
import { restFixture } from '../../../support/itick-rest-fixtures';
import { startItickRestStub, type ItickRestStub } from '../../../support/itick-rest-stub';

const TOKEN = 'test-token-not-for-logs';
const MARKETS = ['stock', 'forex', 'indices', 'crypto', 'future', 'fund'] as const;
const SYMBOLS: Record<(typeof MARKETS)[number], string> = {
  stock: 'AAPL$US',
  forex: 'forex:EURUSD$GB',
  indices: 'indices:DJI$US',
  crypto: 'crypto:BTCUSDT$BA',
  future: 'future:GC$US',
  fund: 'fund:QQQ$US',
};

let stub: ItickRestStub;
beforeAll(async () => {
  stub = await startItickRestStub({ tokens: [TOKEN] });
});
afterAll(async () => {
  await stub.close();
});
beforeEach(() => {
  stub.requests.length = 0;
  stub.always(undefined);
});

function clientFor(options: { token?: string | undefined; perMinute?: number; now?: () => number } = {}) {
  const store = new MemoryRestBudgetStore({ limit: options.perMinute ?? 100, windowMs: 60_000 });
  const budget = new RestBudget(store, { perMinute: options.perMinute ?? 100 });
  const token = 'token' in options ? options.token : TOKEN;
  const client = new ItickRestClient({
    baseUrl: stub.baseUrl,
    token: async () => token,
    budget,
    pauseAfter429Ms: 60_000,
    maxPauseMs: 900_000,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  return { store, budget, data: new ItickMarketData(client, { maxWaitMs: 0, timeoutMs: 2000 }) };
}

describe('klines and quotes per market', () => {
  it.each(MARKETS)('%s: asks /<class>/kline with region, code, kType and limit, the token in a header, and reads the bars', async (market) => {
    const fixture = restFixture(`rest-${market}-kline`);
    stub.serve(new URL(fixture.setup.request.url).pathname, fixture.messages[0]);
    const bars = await clientFor().data.klines(SYMBOLS[market], '5m', 3);
    const [request] = stub.requests;
    expect(request?.path).toBe(new URL(fixture.setup.request.url).pathname);
    expect(request?.query).toEqual(fixture.setup.request.query);
    expect(request?.headers).toMatchObject({ token: TOKEN, accept: 'application/json' });
    const expected = fixture.expect.bars as Array<{ time: number; close: number }>;
    expect(bars.map((b) => [b.start, b.close])).toEqual(expected.map((b) => [b.time, b.close]));
  });

  it.each(MARKETS)('%s: asks /<class>/quote with region and code, and reads the previous close', async (market) => {
    const fixture = restFixture(`rest-${market}-quote`);
    stub.serve(new URL(fixture.setup.request.url).pathname, fixture.messages[0]);
    const quote = await clientFor().data.quote(SYMBOLS[market]);
    expect(stub.requests[0]?.query).toEqual(fixture.setup.request.query);
    const expected = fixture.expect.quote as { price: number; prevClose: number };
    expect(quote.price).toBe(expected.price);
    expect(quote.prevClose).toBeCloseTo(expected.prevClose, 9);
  });

  it('builds 15-minute bars from 5-minute klines: kType 2, three times the limit', async () => {
    stub.serve('/stock/kline', restFixture('rest-stock-kline').messages[0]);
    const bars = await clientFor().data.klines('AAPL$US', '15m', 100);
    expect(stub.requests[0]?.query).toMatchObject({ kType: '2', limit: '300' });
    expect(bars).toEqual([{ start: 1_796_396_400_000, open: 238.26, high: 238.54, low: 238.2, close: 238.4, volume: 378_780 }]);
  });

  it('asks the kTypes of the kline table: 1m → 1, 1h → 5, 1d → 8', async () => {
    stub.serve('/stock/kline', { code: 0, msg: null, data: [] });
    const { data } = clientFor();
    for (const interval of ['1m', '1h', '1d'] as const) await data.klines('AAPL$US', interval, 100);
    expect(stub.requests.map((r) => r.query.kType)).toEqual(['1', '5', '8']);
  });
});

describe('failures', () => {
  const failureOf = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      return error as ItickRestError;
    }
    throw new Error('expected a failure');
  };

  it('a 429 with Retry-After in seconds pauses every caller of the budget until then, without another call', async () => {
    const now = Date.UTC(2026, 11, 4, 15);
    const { data, store } = clientFor({ now: () => now });
    stub.answerNext({ status: 429, headers: { 'retry-after': '30' }, body: { code: 429, msg: 'too many requests' } });
    const error = await failureOf(data.quote('AAPL$US'));
    expect(error).toMatchObject({ kind: 'rate_limited', status: 429, retryAt: now + 30_000 });
    expect(store.state.pausedUntil).toBe(now + 30_000);
  });

  it('a 429 with an HTTP date pauses until that date; the next call is refused before reaching iTick', async () => {
    const until = Date.now() + 120_000;
    const { data } = clientFor();
    stub.answerNext({ status: 429, headers: { 'retry-after': new Date(until).toUTCString() } });
    await failureOf(data.quote('AAPL$US'));
    const second = await failureOf(data.quote('AAPL$US'));
    expect(second).toMatchObject({ kind: 'rate_limited', called: false });
    expect(second.retryAt).toBeGreaterThanOrEqual(Math.floor(until / 1000) * 1000);
    expect(stub.requests).toHaveLength(1);
  });

  it('a 5xx is an error and no budget change: the call was counted, nothing is paused', async () => {
    const { data, store } = clientFor();
    stub.answerNext({ status: 503, body: { code: 503, msg: 'unavailable' } });
    expect(await failureOf(data.klines('AAPL$US', '1m', 10))).toMatchObject({ kind: 'http', status: 503, called: true });
    expect(store.state).toMatchObject({ pausedUntil: 0 });
    expect(store.taken).toBe(1);
  });

  it('gives up on a hung answer after its timeout', async () => {
    const { budget } = clientFor();
    const client = new ItickRestClient({ baseUrl: stub.baseUrl, token: async () => TOKEN, budget, pauseAfter429Ms: 60_000, maxPauseMs: 900_000 });
    stub.answerNext({ hang: true });
    expect(await failureOf(client.get('stock', 'quote', { region: 'US', code: 'AAPL' }, { maxWaitMs: 0, timeoutMs: 200 }))).toMatchObject({ kind: 'timeout' });
  });

  it('refuses a spent budget before calling iTick', async () => {
    stub.serve('/stock/quote', restFixture('rest-stock-quote').messages[0]);
    const { data } = clientFor({ perMinute: 1 });
    await data.quote('AAPL$US');
    expect(await failureOf(data.quote('AAPL$US'))).toMatchObject({ kind: 'budget', called: false, reason: "iTick's REST budget is spent" });
    expect(stub.requests).toHaveLength(1);
  });

  it('without a token makes no call and takes nothing from the budget', async () => {
    const { data, store } = clientFor({ token: undefined });
    expect(await failureOf(data.quote('AAPL$US'))).toMatchObject({ kind: 'no_token', called: false });
    expect(stub.requests).toHaveLength(0);
    expect(store.taken).toBe(0);
  });

  it('a refused token is an http error whose message does not hold the token', async () => {
    const { data } = clientFor({ token: 'wrong-token' });
    const error = await failureOf(data.quote('AAPL$US'));
    expect(error).toMatchObject({ kind: 'http', status: 401 });
    expect(error.message).not.toContain('wrong-token');
    expect(stub.requests[0]?.path).toBe('/stock/quote');
  });

  it('an unreadable answer is an answer error', async () => {
    stub.serve('/stock/quote', { code: 0, msg: 'not found this produce', data: null });
    expect(await failureOf(clientFor().data.quote('AAPL$US'))).toMatchObject({ kind: 'answer', message: expect.stringContaining('not found this produce') });
  });

  it('a closed port is a network error', async () => {
    const { budget } = clientFor();
    const client = new ItickRestClient({ baseUrl: 'http://127.0.0.1:1', token: async () => TOKEN, budget, pauseAfter429Ms: 60_000, maxPauseMs: 900_000 });
    expect(await failureOf(client.get('stock', 'quote', {}, { maxWaitMs: 0, timeoutMs: 2000 }))).toMatchObject({ kind: 'network' });
  });
});

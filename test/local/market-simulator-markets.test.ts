/**
 * The market simulator over real sockets for what issue #15 added: every market on its own path
 * in both doc generations, the docs' shapes, unknown symbols refused with E001, streamed klines,
 * and the REST per market (kline, quote) behind a per-token rate limit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MarketSimulator, unknownSymbolMatcher, type MarketSimulatorOptions } from '../../local/market-simulator/market-simulator';
import { eventually, pause } from '../support/eventually';
import { connectRaw, isAnswer, isData, type RawClient } from '../support/itick-raw-client';

let market: MarketSimulator | undefined;
const clients: RawClient[] = [];

async function start(options: MarketSimulatorOptions = {}) {
  market = await MarketSimulator.start(options);
  return market;
}
async function connect(url: string, token?: string) {
  const client = await connectRaw(url, token);
  clients.push(client);
  return client;
}
/** Connected with the header, subscribed, and the answer read. */
async function subscribed(url: string, params: string, types = 'tick,quote,depth', token = 'good') {
  const client = await connect(url, token);
  await client.next(isAnswer('auth'), 'auth');
  client.send({ ac: 'subscribe', params, types });
  await client.next(isAnswer('subscribe'), 'subscribe answer');
  return client;
}
const dataOf = (client: RawClient, type: string) => client.messages.filter(isData(type)).map((m) => m.data as Record<string, unknown>);
const rest = (path: string, token: string | null = 'good') => fetch(`${market!.restBase}${path}`, { headers: token === null ? {} : { token } });

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await market?.close();
  market = undefined;
});

describe('the market simulator serves every market on its own path', () => {
  it("reads a subscription on a market's path as that market's symbol, and scripts it by the canonical symbol", async () => {
    await start();
    const crypto = await subscribed(market!.urlOf('crypto'), 'BTCUSDT$BA');
    const stock = await subscribed(market!.url, 'AAPL$US', 'tick', 'other');
    expect(market!.subscribedSymbols()).toEqual(['AAPL$US', 'crypto:BTCUSDT$BA']);
    expect(market!.script('crypto:BTCUSDT$BA', [97_000.5])).toBe(1);
    expect(market!.script('BTCUSDT$BA', [1])).toBe(0); // that is a stock
    await eventually(() => dataOf(crypto, 'tick').length === 1, 'the crypto trade');
    expect(dataOf(crypto, 'tick')[0]).toMatchObject({ s: 'BTCUSDT', r: 'BA', ld: 97_000.5 });
    expect(dataOf(stock, 'tick')).toEqual([]);
  });

  it('knocks off a connection only for a second one with the same token on the same market', async () => {
    await start();
    const stock = await subscribed(market!.url, 'AAPL$US', 'tick', 'key');
    const crypto = await subscribed(market!.urlOf('crypto'), 'ETHUSDT$BA', 'tick', 'key');
    await pause(50);
    expect([stock.ws.readyState, crypto.ws.readyState]).toEqual([stock.ws.OPEN, crypto.ws.OPEN]);
    await subscribed(market!.urlOf('crypto'), 'ETHUSDT$BA', 'tick', 'key');
    await crypto.closed;
    expect(stock.ws.readyState).toBe(stock.ws.OPEN);
  });

  it('honours no token header on the older paths: the client must send the auth message', async () => {
    await start({ tokens: ['good'] });
    const client = await connect(market!.urlOf('forex', { legacy: true }), 'good');
    await client.next((m) => m.msg === 'Connected Successfully', 'greeting');
    await pause(50);
    expect(client.messages.filter(isAnswer('auth'))).toEqual([]);
    client.send({ ac: 'auth', params: 'good' });
    expect(await client.next(isAnswer('auth'), 'auth')).toEqual({ code: 1, resAc: 'auth', msg: 'authenticated' });
    client.send({ ac: 'subscribe', params: 'EURUSD$GB', types: 'quote' });
    await client.next(isAnswer('subscribe'), 'subscribe');
    expect(market!.subscribedSymbols()).toEqual(['forex:EURUSD$GB']);
  });

  it('refuses a subscription holding an unknown symbol as a whole, with E001', async () => {
    await start({ unknownSymbols: unknownSymbolMatcher(['ZZZ*']) });
    const client = await connect(market!.url, 'good');
    await client.next(isAnswer('auth'), 'auth');
    client.send({ ac: 'subscribe', params: 'AAPL$US,ZZZZQ$US', types: 'quote' });
    expect(await client.next(isAnswer('subscribe'), 'refusal')).toEqual({ code: 0, resAc: 'subscribe', msg: 'not found this produce' });
    expect(market!.subscribedSymbols()).toEqual([]);
    client.send({ ac: 'subscribe', params: 'AAPL$US', types: 'quote' });
    expect(await client.next(isAnswer('subscribe'), 'answer', client.messages.length)).toMatchObject({ code: 1 });
    expect(market!.stats().unknownRefused).toBe(1);
    expect(market!.subscribedSymbols()).toEqual(['AAPL$US']);
  });

  it('takes the unknown symbols as a list of canonical symbols too', async () => {
    await start({ unknownSymbols: ['crypto:nope$ba'] });
    const client = await connect(market!.urlOf('crypto'), 'good');
    await client.next(isAnswer('auth'), 'auth');
    client.send({ ac: 'subscribe', params: 'BTCUSDT$BA,NOPE$BA', types: 'quote' });
    expect(await client.next(isAnswer('subscribe'), 'refusal')).toMatchObject({ code: 0, msg: 'not found this produce' });
  });
});

describe("the market simulator in iTick's docs' shapes", () => {
  it("authenticates as the current docs print it, with the masked token, and sends trades as quotes with the day's running volume", async () => {
    await start({ shapes: 'docs' });
    const token = '9f3c1e7a0123456789ab5b20d4c8e61a';
    const client = await subscribed(market!.url, 'AAPL$US', 'tick,quote,depth', token);
    expect(client.messages.find(isAnswer('auth'))).toEqual({ code: 1, resAc: 'auth', msg: 'authenticated', data: { params: '9f3c1e7a************5b20d4c8e61a' } });
    market!.script('AAPL$US', [238.415, 238.43, 238.39], { startAt: 1_796_396_400_250, stepMs: 1000, volume: 300 });
    await eventually(() => dataOf(client, 'quote').length === 3, 'three quotes');
    const quotes = dataOf(client, 'quote');
    expect(dataOf(client, 'tick')).toEqual([]);
    expect(quotes.map((q) => [q.s, q.ld, q.t])).toEqual([
      ['AAPL.US', 238.415, 1_796_396_400_250],
      ['AAPL.US', 238.43, 1_796_396_401_250],
      ['AAPL.US', 238.39, 1_796_396_402_250],
    ]);
    // The running volume grows by each trade's size; no r, p, ch or chp on the socket.
    expect(quotes.map((q) => Number(q.v) - Number(quotes[0]?.v))).toEqual([0, 300, 600]);
    for (const quote of quotes) expect(Object.keys(quote)).not.toEqual(expect.arrayContaining(['r']));
    expect(Object.keys(quotes[0] ?? {}).sort()).toEqual(['h', 'l', 'ld', 'o', 's', 't', 'ts', 'tu', 'type', 'v']);
  });

  it('names each market the way its docs page does, and takes bare codes as those pages subscribe them', async () => {
    await start({ shapes: 'docs' });
    const crypto = await subscribed(market!.urlOf('crypto'), 'ETHUSDT$BA', 'quote');
    const forex = await subscribed(market!.urlOf('forex'), 'EURUSD', 'quote', 'fx');
    const indices = await subscribed(market!.urlOf('indices'), 'DJI$US', 'quote', 'ix');
    const stock = await subscribed(market!.url, '700$HK', 'quote', 'hk');
    expect(market!.subscribedSymbols()).toEqual(['700$HK', 'crypto:ETHUSDT$BA', 'forex:EURUSD$GB', 'indices:DJI$US']);
    market!.script('crypto:ETHUSDT$BA', [3712.45]);
    market!.script('forex:EURUSD$GB', [1.05872]);
    market!.script('indices:DJI$US', [44_981.37]);
    market!.script('700$HK', [320.2]);
    await eventually(() => [crypto, forex, indices, stock].every((c) => dataOf(c, 'quote').length === 1), 'a quote on each');
    expect([crypto, forex, indices, stock].map((c) => dataOf(c, 'quote')[0]?.s)).toEqual(['ETH_USDT', 'EURUSD', 'DJI', '700.HK']);
    // iTick's crypto quote has no open, high or low.
    expect(Object.keys(dataOf(crypto, 'quote')[0] ?? {}).sort()).toEqual(['ld', 's', 't', 'ts', 'tu', 'type', 'v']);
  });

  it('drops the running volume at a new session, and repeats a quote unchanged when nothing traded', async () => {
    await start({ shapes: 'docs' });
    const client = await subscribed(market!.url, 'AAPL$US', 'quote');
    market!.script('AAPL$US', [200, 201], { volume: 500 });
    market!.quote('AAPL$US');
    await eventually(() => dataOf(client, 'quote').length === 3, 'two trades and a quote');
    const [, second, repeat] = dataOf(client, 'quote');
    expect(repeat).toEqual(second);
    market!.newSession('AAPL$US');
    market!.script('AAPL$US', [202], { volume: 100 });
    await eventually(() => dataOf(client, 'quote').length === 4, 'the first trade of the new session');
    expect(dataOf(client, 'quote')[3]).toMatchObject({ ld: 202, v: 100 });
  });

  it('streams the bar in progress to kline subscribers, wrapped with code 0 as the docs print it', async () => {
    await start({ shapes: 'docs' });
    const client = await subscribed(market!.url, 'AAPL$US', 'quote,kline@3');
    const start10m = Math.floor(Date.now() / 600_000) * 600_000;
    market!.script('AAPL$US', [200, 203, 199], { startAt: start10m + 1000, stepMs: 1000, volume: 10 });
    await eventually(() => client.messages.filter((m) => m.code === 0 && m.msg === null).length === 3, 'three bars');
    expect(client.messages.filter((m) => m.code === 0).at(-1)).toEqual({ code: 0, msg: null, data: { s: 'AAPL.US', t: 3, k: { t: start10m, o: 200, h: 203, l: 199, c: 199, v: 30, tu: 6020 } } });
  });
});

describe("the market simulator's REST per market", () => {
  it('answers a quote for any market under its path, in either shape', async () => {
    await start({ tokens: ['good'] });
    market!.quote('crypto:BTCUSDT$BA', { prevClose: 96_880, last: 97_412.6 });
    const answer = (await (await rest('/crypto/quote?region=BA&code=BTCUSDT')).json()) as { code: number; msg: unknown; data: Record<string, unknown> };
    expect(answer).toMatchObject({ code: 0, msg: null, data: { s: 'BTCUSDT', ld: 97_412.6, p: 96_880, ch: 532.6, chp: 0.55 } });
    expect(Object.keys(answer.data).sort()).toEqual(['ch', 'chp', 'h', 'l', 'ld', 'o', 'p', 's', 't', 'ts', 'tu', 'v']);
    expect((await rest('/crypto/quote?region=BA&code=BTCUSDT', 'bad')).status).toBe(401);
    await market!.close();

    await start({ shapes: 'docs' });
    market!.quote('700$HK', { prevClose: 318, last: 320.2 });
    const docs = (await (await rest('/stock/quote?region=hk&code=700.HK')).json()) as { data: Record<string, unknown> };
    expect(docs.data).toMatchObject({ s: '700.HK', ld: 320.2, ch: 2.2 });
    expect(docs.data).not.toHaveProperty('p');
  });

  it('serves klines per market and refuses an unknown symbol with E001', async () => {
    await start({ unknownSymbols: ['forex:ZZZ$GB'] });
    market!.setKlines('forex:EURUSD$GB', 3, [{ t: 1_800_000_000_000, o: 1.05, h: 1.06, l: 1.04, c: 1.055, v: 10, tu: 0 }]);
    const bars = (await (await rest('/forex/kline?region=GB&code=EURUSD&kType=3&limit=5')).json()) as { data: Array<{ c: number }> };
    expect(bars.data.map((b) => b.c)).toEqual([1.055]);
    expect(await (await rest('/forex/kline?region=GB&code=ZZZ&kType=1')).json()).toEqual({ code: 1, msg: 'not found this produce', data: null });
    expect(await (await rest('/forex/kline?region=GB&code=EURUSD&kType=10')).json()).toMatchObject({ code: 1, msg: 'invalid parameters' });
  });

  it('answers 429 with Retry-After past the per-token budget, and counts calls and refusals', async () => {
    await start({ restPerMinute: 2 });
    expect((await rest('/stock/quote?region=US&code=AAPL')).status).toBe(200);
    expect((await rest('/crypto/kline?region=BA&code=BTCUSDT&kType=1&limit=2')).status).toBe(200);
    const refused = await rest('/stock/kline?region=US&code=AAPL&kType=1');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // Another token has its own budget.
    expect((await rest('/stock/quote?region=US&code=AAPL', 'other')).status).toBe(200);
    market!.setRestPerMinute(undefined);
    expect((await rest('/stock/quote?region=US&code=AAPL')).status).toBe(200);
    expect(market!.stats()).toMatchObject({ restRequests: 5, restRateLimited: 1, klineRequests: 2, quoteRequests: 3 });
  });

  it('drives any market through the control API by canonical symbol', async () => {
    await start();
    const client = await subscribed(market!.urlOf('future'), 'GC$US', 'tick,quote');
    const post = (path: string, body: unknown) => fetch(`${market!.restBase}/control/${path}`, { method: 'POST', body: JSON.stringify(body) });
    expect(await (await post('script', { symbol: 'future:gc$us', prices: [2650.5] })).json()).toEqual({ code: 1, subscribers: 1 });
    expect(await (await post('session', { symbol: 'future:GC$US', prevClose: 2600 })).json()).toEqual({ code: 1 });
    expect(await (await post('quote', { symbol: 'future:GC$US' })).json()).toEqual({ code: 1, subscribers: 1 });
    await eventually(() => dataOf(client, 'quote').length === 1, 'the quote');
    expect(dataOf(client, 'quote')[0]).toMatchObject({ s: 'GC', r: 'US', ld: 2650.5, p: 2600, v: 0 });
    const stats = (await (await fetch(`${market!.restBase}/control/stats`)).json()) as { data: { subscribed: string[] } };
    expect(stats.data.subscribed).toEqual(['future:GC$US']);
  });
});

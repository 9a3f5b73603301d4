import { afterEach, describe, expect, it } from 'vitest';
import { MarketSimulator, type MarketSimulatorOptions } from '../../local/market-simulator/market-simulator';
import { eventually, pause } from '../support/eventually';
import { connectRaw, isAnswer, isData, type RawClient } from '../support/itick-raw-client';

let market: MarketSimulator | undefined;
const clients: RawClient[] = [];

async function start(options: MarketSimulatorOptions = {}) {
  market = await MarketSimulator.start(options);
  return market;
}
async function connect(token?: string) {
  const client = await connectRaw(market!.url, token);
  clients.push(client);
  return client;
}
async function subscribed(symbols: string, token = 'good') {
  const client = await connect(token);
  await client.next(isAnswer('auth'), 'auth');
  client.send({ ac: 'subscribe', params: symbols, types: 'tick,quote,depth' });
  await client.next(isAnswer('subscribe'), 'subscribe answer');
  return client;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await market?.close();
  market = undefined;
});

describe('the market simulator speaks iTick', () => {
  it('greets, then authenticates the token from the upgrade header', async () => {
    await start({ tokens: ['good'] });
    const client = await connect('good');
    await client.next(isAnswer('auth'), 'auth');
    expect(client.messages.slice(0, 2)).toEqual([
      { code: 1, msg: 'Connected Successfully' },
      { code: 1, resAc: 'auth', msg: 'authenticated' },
    ]);
  });

  it('authenticates with the auth message when there is no header', async () => {
    await start({ tokens: ['good'] });
    const client = await connect();
    await client.next((m) => m.msg === 'Connected Successfully', 'greeting');
    client.send({ ac: 'auth', params: 'good' });
    expect(await client.next(isAnswer('auth'), 'auth')).toEqual({ code: 1, resAc: 'auth', msg: 'authenticated' });
  });

  it('refuses an unknown token and closes the socket', async () => {
    await start({ tokens: ['good'] });
    const client = await connect('bad');
    expect(await client.next(isAnswer('auth'), 'auth')).toEqual({ code: 0, resAc: 'auth', msg: 'auth failed' });
    await client.closed;
  });

  it('knocks off the first connection when a second one uses the same token', async () => {
    await start();
    const first = await connect('key');
    await first.next(isAnswer('auth'), 'first auth');
    const second = await connect('key');
    await second.next(isAnswer('auth'), 'second auth');
    await first.closed;
    expect(second.ws.readyState).toBe(second.ws.OPEN);
  });

  it("answers subscribe and refuses symbols over the plan's limit", async () => {
    await start({ symbolLimit: 2 });
    const client = await subscribed('AAPL$US,TSLA$US');
    expect(client.messages.find(isAnswer('subscribe'))).toEqual({ code: 1, resAc: 'subscribe', msg: 'subscribe Successfully' });
    client.send({ ac: 'subscribe', params: 'MSFT$US', types: 'tick' });
    expect(await client.next(isAnswer('subscribe'), 'refusal', client.messages.length)).toEqual({ code: 0, resAc: 'subscribe', msg: 'exceeding the maximum subscription limit' });
    expect(market!.subscribedSymbols()).toEqual(['AAPL$US', 'TSLA$US']);
  });

  it('unsubscribes, and can be told to refuse unsubscribing', async () => {
    await start();
    const client = await subscribed('AAPL$US,TSLA$US');
    client.send({ ac: 'unsubscribe', params: 'TSLA$US' });
    expect(await client.next(isAnswer('unsubscribe'), 'unsubscribe')).toMatchObject({ code: 1 });
    expect(market!.subscribedSymbols()).toEqual(['AAPL$US']);
    await market!.close();
    await start({ refuseUnsubscribe: true });
    const other = await subscribed('AAPL$US');
    other.send({ ac: 'unsubscribe', params: 'AAPL$US' });
    expect(await other.next(isAnswer('unsubscribe'), 'refusal')).toMatchObject({ code: 0 });
  });

  it('echoes the ping params in a pong, until told to stop answering', async () => {
    await start();
    const client = await connect('key');
    client.send({ ac: 'ping', params: '1700000000000' });
    expect(await client.next(isAnswer('pong'), 'pong')).toEqual({ resAc: 'pong', data: { params: '1700000000000' } });
    market!.setAnswerPings(false);
    const seen = client.messages.length;
    client.send({ ac: 'ping', params: '1700000000001' });
    await pause(50);
    expect(client.messages.slice(seen)).toEqual([]);
  });

  it('answers a malformed request with an error and keeps the connection', async () => {
    await start();
    const client = await connect('key');
    client.send('{not json');
    expect(await client.next((m) => m.msg === 'cannot be resolved action', 'error')).toEqual({ code: 0, msg: 'cannot be resolved action' });
    client.send({ ac: 'dance' });
    await eventually(() => client.messages.filter((m) => m.msg === 'cannot be resolved action').length === 2, 'second error');
    expect(client.ws.readyState).toBe(client.ws.OPEN);
  });

  it('sends scripted ticks in iTick shape, exactly and in order, to subscribers only', async () => {
    await start();
    const watcher = await subscribed('AAPL$US');
    const other = await subscribed('TSLA$US', 'other');
    expect(market!.script('AAPL$US', [190, 191.5, 189], { startAt: 1_700_000_000_000, stepMs: 10, volume: 300 })).toBe(1);
    await eventually(() => watcher.messages.filter(isData('tick')).length === 3, 'ticks');
    expect(watcher.messages.filter(isData('tick'))).toEqual([190, 191.5, 189].map((ld, i) => ({ code: 1, data: { s: 'AAPL', r: 'US', ld, v: 300, t: 1_700_000_000_000 + i * 10, type: 'tick' } })));
    expect(other.messages.filter(isData('tick'))).toEqual([]);
  });

  it('sends quotes with the previous close, numbers as strings and no region when told to', async () => {
    await start({ stringNumbers: true, omitRegion: true });
    const client = await subscribed('700$HK');
    market!.quote('700$HK', { last: 320.2, prevClose: 318 });
    const quote = await client.next(isData('quote'), 'quote');
    expect(quote.data).toMatchObject({ s: '700', ld: '320.2', p: '318', type: 'quote' });
    expect(quote.data).not.toHaveProperty('r');
  });

  it('random-walks ticks, quotes and depth for subscribed symbols at the configured rate', async () => {
    await start({ ticksPerSecond: 100, quoteEveryMs: 100 });
    const client = await subscribed('AAPL$US');
    await eventually(() => client.messages.filter(isData('tick')).length >= 5 && client.messages.some(isData('depth')), 'walk');
    const quote = client.messages.find(isData('quote'))?.data as Record<string, unknown>;
    expect(quote).toMatchObject({ s: 'AAPL', r: 'US', p: expect.any(Number), ld: expect.any(Number) });
  });

  it('streams at full speed while asked to, and reports what it sent', async () => {
    await start();
    const client = await subscribed('AAPL$US,TSLA$US');
    market!.startFullSpeed();
    await eventually(() => client.messages.filter(isData('tick')).length >= 10_000, 'a full-speed stream', 10_000);
    market!.stopFullSpeed();
    expect(market!.stats().ticksSent).toBeGreaterThanOrEqual(10_000);
    expect(new Set(client.messages.filter(isData('tick')).map((m) => (m.data as { s: string }).s))).toEqual(new Set(['AAPL', 'TSLA']));
  });

  it('drops every connection on request', async () => {
    await start();
    const client = await connect('key');
    market!.dropAll();
    expect(await client.closed).toBe(1006);
  });

  it('sends raw text to every connection, for tolerance tests', async () => {
    await start();
    const client = await connect('key');
    const received: string[] = [];
    client.ws.on('message', (data: Buffer) => received.push(data.toString()));
    market!.sendRaw('{"code":1,"data":{"s":"AAPL","r":"US","ld":"oops","type":"tick"}}');
    await eventually(() => received.length === 1, 'raw message');
  });

  it('answers other HTTP requests with 404, and refuses sockets on paths iTick does not serve', async () => {
    await start();
    for (const path of ['/stock/depth?region=US&code=AAPL', '/sws/kline', '/control/dance']) expect((await fetch(`http://127.0.0.1:${market!.port}${path}`)).status).toBe(404);
    await expect(connectRaw(`ws://127.0.0.1:${market!.port}/websocket/stock`, 'key')).rejects.toThrow(/404/);
  });
});

describe("the market simulator serves iTick's kline endpoint", () => {
  const klines = (query: string, token: string | null = 'good') =>
    fetch(`http://127.0.0.1:${market!.port}/stock/kline?${query}`, { headers: token === null ? {} : { token } });
  const control = (path: string, body: unknown) => fetch(`http://127.0.0.1:${market!.port}/control/${path}`, { method: 'POST', body: JSON.stringify(body) });

  it('answers scripted bars in iTick shape, oldest first, the most recent `limit` of them', async () => {
    await start({ tokens: ['good'] });
    const scripted = await control('klines', { symbol: 'AAPL$US', kType: 1, closes: [190, 191, 192.5], startAt: 1_700_000_040_000 });
    expect(await scripted.json()).toEqual({ code: 1, bars: 3 });
    const response = await klines('region=US&code=aapl&kType=1&limit=2');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      code: 0,
      msg: null,
      data: [
        { t: 1_700_000_100_000, o: 191, h: 191, l: 191, c: 191, v: 100, tu: 19_100 },
        { t: 1_700_000_160_000, o: 192.5, h: 192.5, l: 192.5, c: 192.5, v: 100, tu: 19_250 },
      ],
    });
    expect(market!.stats().klineRequests).toBe(1);
  });

  it('takes full bars too, and refuses a request without a valid token', async () => {
    await start({ tokens: ['good'] });
    await control('klines', { symbol: '700$HK', kType: 8, bars: [{ t: 1_700_000_000_000, o: 310, h: 330, l: 305, c: 320, v: 5000 }] });
    expect(((await (await klines('region=HK&code=700&kType=8&limit=10')).json()) as { data: unknown }).data).toEqual([{ t: 1_700_000_000_000, o: 310, h: 330, l: 305, c: 320, v: 5000, tu: 1_600_000 }]);
    expect((await klines('region=HK&code=700&kType=8', null)).status).toBe(401);
    expect((await klines('region=HK&code=700&kType=8', 'bad')).status).toBe(401);
  });

  it('makes up a history ending at the current bar and price when none was scripted', async () => {
    await start();
    market!.setPrice('MSFT$US', 412.5);
    const { data } = (await (await klines('region=US&code=MSFT&kType=2&limit=50', 'any-token')).json()) as { data: Array<{ t: number; c: number; h: number; l: number }> };
    expect(data).toHaveLength(50);
    expect(data.at(-1)?.c).toBe(412.5);
    expect(data.at(-1)?.t).toBe(Math.floor(Date.now() / 300_000) * 300_000);
    for (let i = 1; i < data.length; i += 1) expect((data[i]?.t ?? 0) - (data[i - 1]?.t ?? 0)).toBe(300_000);
    for (const bar of data) expect(bar.h).toBeGreaterThanOrEqual(bar.l);
  });

  it('scripts trades with tick times of the test\'s choosing (startAt, stepMs)', async () => {
    await start();
    const watcher = await subscribed('AAPL$US');
    const scripted = await control('script', { symbol: 'AAPL$US', prices: [200, 201], startAt: 1_700_000_000_000, stepMs: 60_000 });
    expect(await scripted.json()).toEqual({ code: 1, subscribers: 1 });
    await eventually(() => watcher.messages.filter(isData('tick')).length === 2, 'ticks');
    expect(watcher.messages.filter(isData('tick')).map((m) => (m.data as { t: number }).t)).toEqual([1_700_000_000_000, 1_700_000_060_000]);
  });
});

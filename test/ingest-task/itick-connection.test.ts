import { afterEach, describe, expect, it, vi } from 'vitest';
import { ItickConnection, type ItickConnectionOptions } from '../../ingest-task/src/itick-connection';
import { MarketSimulator, type MarketSimulatorOptions } from '../../local/market-simulator/market-simulator';
import { eventually, pause } from '../support/eventually';
import { recordingLogger, type RecordingLogger } from '../support/ingest-recording-logger';
import { connectRaw, type RawClient } from '../support/itick-raw-client';

interface Setup {
  market: MarketSimulator;
  connection: ItickConnection;
  logger: RecordingLogger;
  trades: { symbol: string; price: number; at: number; volume: number }[];
  quotes: { symbol: string; last: number | undefined; prevClose: number | undefined }[];
  resets: string[][];
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: { market?: MarketSimulatorOptions; connection?: Partial<ItickConnectionOptions>; token?: string; symbols?: string[] } = {}): Promise<Setup> {
  const market = await MarketSimulator.start(options.market);
  cleanups.push(() => market.close());
  const logger = recordingLogger();
  const trades: Setup['trades'] = [];
  const quotes: Setup['quotes'] = [];
  const resets: string[][] = [];
  const connection = new ItickConnection({
    url: market.url,
    token: options.token ?? 'good',
    logger,
    handlers: {
      onTrade: (symbol, price, at, volume) => trades.push({ symbol, price, at, volume }),
      onQuote: (symbol, last, prevClose) => quotes.push({ symbol, last, prevClose }),
      onSubscribing: (symbols) => resets.push([...symbols]),
    },
    reconnect: { initialMs: 10, maxMs: 50 },
    knockedOffWithinMs: 0,
    ...options.connection,
  });
  cleanups.push(() => connection.stop());
  connection.setSymbols(options.symbols ?? ['AAPL$US']);
  connection.start();
  return { market, connection, logger, trades, quotes, resets };
}

const ready = (s: Setup, what = 'ready') => eventually(() => s.connection.status().state === 'ready' && s.connection.status().subscribed.length > 0, what);

describe('the iTick connection', () => {
  it('authenticates with the token header and subscribes the wanted symbols', async () => {
    const s = await setup({ market: { tokens: ['good'] }, symbols: ['AAPL$US', 'TSLA$US'] });
    await ready(s);
    expect(s.connection.status().subscribed).toEqual(['AAPL$US', 'TSLA$US']);
    expect(s.market.subscribedSymbols()).toEqual(['AAPL$US', 'TSLA$US']);
    expect(s.market.stats().requests).toEqual([{ ac: 'subscribe', params: 'AAPL$US,TSLA$US' }]);
    expect(s.resets).toEqual([['AAPL$US', 'TSLA$US']]);
  });

  it('sends the auth message when the header has brought no auth result a moment after the greeting', async () => {
    const s = await setup({ market: { tokens: ['good'], headerAuth: false }, connection: { authFallbackMs: 20 } });
    await ready(s);
    expect(s.market.stats().requests[0]).toEqual({ ac: 'auth', params: '<token>' });
  });

  it('says once, clearly, that the token is refused, and waits minutes before trying again', async () => {
    const s = await setup({ market: { tokens: ['good'] }, token: 'bad', connection: { refusedBackoffMs: 120_000 } });
    await eventually(() => s.connection.status().state === 'backoff', 'backoff');
    const [line, ...more] = s.logger.find('error', 'refused the token');
    expect(more).toEqual([]);
    expect(line?.message).toMatch(/check ITICK_TOKEN/);
    expect(JSON.stringify(s.logger.lines)).not.toContain('"bad"');
    expect(s.connection.status().nextAttemptAt! - Date.now()).toBeGreaterThan(50_000);
    await pause(100);
    expect(s.market.stats().connectionsAccepted).toBe(1);
  });

  it('backs off for long and says why when another client with the same token knocks it off', async () => {
    const s = await setup({ connection: { knockedOffWithinMs: 10_000, knockedOff: { initialMs: 60_000, maxMs: 600_000 } } });
    await ready(s);
    const intruder: RawClient = await connectRaw(s.market.url, 'good');
    cleanups.push(() => intruder.close());
    await eventually(() => s.connection.status().state === 'backoff', 'knocked off');
    expect(s.logger.find('error', 'another client is probably using the same token')).toHaveLength(1);
    expect(s.connection.status().nextAttemptAt! - Date.now()).toBeGreaterThan(25_000);
    expect(intruder.ws.readyState).toBe(intruder.ws.OPEN);
  });

  it('reconnects after the server drops the socket and subscribes everything again', async () => {
    const s = await setup({ symbols: ['AAPL$US', '700$HK'] });
    await ready(s);
    s.market.dropAll();
    await eventually(() => s.connection.status().connects === 2 && s.connection.status().state === 'ready' && s.connection.status().subscribed.length === 2, 'reconnected');
    expect(s.market.subscribedSymbols()).toEqual(['700$HK', 'AAPL$US']);
    expect(s.resets).toEqual([['AAPL$US', '700$HK'], ['AAPL$US', '700$HK']]);
    s.market.script('700$HK', [321.4]);
    await eventually(() => s.trades.length === 1, 'a tick after reconnecting');
  });

  it('follows the wanted set: subscribes added symbols and unsubscribes removed ones', async () => {
    const s = await setup({ symbols: ['AAPL$US', 'TSLA$US'] });
    await ready(s);
    s.connection.setSymbols(['TSLA$US', 'MSFT$US']);
    await eventually(() => s.market.subscribedSymbols().join() === 'MSFT$US,TSLA$US', 'new set');
    await eventually(() => s.connection.status().subscribed.join() === 'MSFT$US,TSLA$US', 'confirmed');
    expect(s.market.stats().requests.slice(1)).toEqual([
      { ac: 'unsubscribe', params: 'AAPL$US' },
      { ac: 'subscribe', params: 'MSFT$US' },
    ]);
    s.market.script('AAPL$US', [1]);
    s.market.script('MSFT$US', [2]);
    await eventually(() => s.trades.length === 1, 'ticks');
    expect(s.trades[0]?.symbol).toBe('MSFT$US');
  });

  it('reconnects to drop a symbol when iTick refuses to unsubscribe', async () => {
    const s = await setup({ market: { refuseUnsubscribe: true }, symbols: ['AAPL$US', 'TSLA$US'] });
    await ready(s);
    s.connection.setSymbols(['TSLA$US']);
    await eventually(() => s.connection.status().connects === 2 && s.market.subscribedSymbols().join() === 'TSLA$US', 'resubscribed without AAPL');
  });

  it("watches as many symbols as the plan allows and reports the rest, without asking again on every refresh", async () => {
    const s = await setup({ market: { symbolLimit: 2 }, symbols: ['A$US', 'B$US', 'C$US'] });
    await eventually(() => s.connection.status().refused.length === 1, 'refusal');
    expect(s.connection.status()).toMatchObject({ subscribed: ['A$US', 'B$US'], refused: ['C$US'] });
    expect(s.logger.find('error', 'these symbols are not watched')[0]?.attributes).toMatchObject({ symbols: ['C$US'], msg: 'exceeding the maximum subscription limit' });
    const asked = s.market.stats().requests.length;
    s.connection.setSymbols(['A$US', 'B$US', 'C$US']);
    await pause(50);
    expect(s.market.stats().requests.length).toBe(asked);
    s.connection.setSymbols(['B$US', 'C$US']);
    await eventually(() => s.connection.status().subscribed.join() === 'B$US,C$US' && s.connection.status().refused.length === 0, 'freed slot used');
  });

  it('pings on the interval and measures the round trip', async () => {
    const s = await setup({ connection: { pingIntervalMs: 20 } });
    await ready(s);
    await eventually(() => s.connection.status().pingRttMs !== undefined, 'a pong');
    const ping = s.market.stats().requests.find((request) => request.ac === 'ping');
    expect(Number(ping?.params)).toBeGreaterThan(1_600_000_000_000);
    expect(s.connection.status().connects).toBe(1);
  });

  it('pings every 30 s by default', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const s = await setup();
    await ready(s);
    await vi.advanceTimersByTimeAsync(29_000);
    expect(s.market.stats().requests.filter((request) => request.ac === 'ping')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1_000);
    await eventually(() => s.market.stats().requests.filter((request) => request.ac === 'ping').length === 1, 'the first ping');
  });

  it('takes a missing pong for a dead connection and reconnects', async () => {
    const s = await setup({ connection: { pingIntervalMs: 20, pongTimeoutMs: 40 } });
    await ready(s);
    s.market.setAnswerPings(false);
    await eventually(() => s.connection.status().connects >= 2, 'reconnect');
    expect(s.logger.find('warn', 'no pong')).not.toHaveLength(0);
    s.market.setAnswerPings(true);
    await ready(s, 'ready again');
  });

  it('drops malformed and unknown messages without losing the connection', async () => {
    const s = await setup();
    await ready(s);
    for (const text of ['{oops', '[]', '{"code":1,"data":{"s":"AAPL","r":"US","ld":"NaN","type":"tick"}}', '{"resAc":"mystery"}', '{"code":1,"data":{"s":"ZZZ","r":"US","ld":5,"type":"tick"}}']) s.market.sendRaw(text);
    s.market.script('AAPL$US', [190.25]);
    await eventually(() => s.trades.length === 1, 'the good tick');
    expect(s.connection.status()).toMatchObject({ state: 'ready', connects: 1, dropped: 5 });
    expect(s.logger.find('debug', 'dropped a message').map((line) => line.attributes.reason)).toEqual([
      'malformed JSON',
      'not a JSON object',
      'tick without a positive price',
      'unknown resAc "mystery"',
      'tick for ZZZ which is not subscribed',
    ]);
  });

  it('reads trades and quotes with numbers as strings and without a region', async () => {
    const s = await setup({ market: { stringNumbers: true, omitRegion: true } });
    await ready(s);
    s.market.script('AAPL$US', [190.5], { startAt: 1_700_000_000_000, volume: 300 });
    s.market.quote('AAPL$US', { prevClose: 188 });
    await eventually(() => s.trades.length === 1 && s.quotes.length === 1, 'trade and quote');
    expect(s.trades).toEqual([{ symbol: 'AAPL$US', price: 190.5, at: 1_700_000_000_000, volume: 300 }]);
    expect(s.quotes).toEqual([{ symbol: 'AAPL$US', last: 190.5, prevClose: 188 }]);
  });

  it('stops: closes the socket and never reconnects', async () => {
    const s = await setup();
    await ready(s);
    await s.connection.stop();
    expect(s.connection.status().state).toBe('stopped');
    await eventually(() => s.market.stats().open === 0, 'closed on the server');
    await pause(50);
    expect(s.market.stats().connectionsAccepted).toBe(1);
  });
});

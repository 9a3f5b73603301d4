import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ItickConnection, type FeedHandlers, type ItickConnectionOptions } from '../../ingest-task/src/itick-connection';
import { MarketSimulator, type MarketSimulatorOptions } from '../../local/market-simulator/market-simulator';
import { eventually, pause } from '../support/eventually';
import { recordingLogger, type RecordingLogger } from '../support/ingest-recording-logger';
import { connectRaw, type RawClient } from '../support/itick-raw-client';
import { ItickStubServer, type ItickStubOptions } from '../support/itick-stub-server';

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

  it('backs off for long at once and says why when the server says another client with the same token took over', async () => {
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

  it("pings every 15 s by default, as iTick's own example client does", async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const s = await setup();
    await ready(s);
    await vi.advanceTimersByTimeAsync(14_000);
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

interface StubSetup {
  stub: ItickStubServer;
  connection: ItickConnection;
  logger: RecordingLogger;
  trades: { symbol: string; price: number }[];
  invalid: { symbols: string[]; msg: string }[];
}

/** A connection to the stub server with iTick's default timings unless `connection` says otherwise. */
async function stubSetup(options: { stub?: ItickStubOptions; connection?: Partial<ItickConnectionOptions>; symbols?: string[]; path?: string } = {}): Promise<StubSetup> {
  const stub = await ItickStubServer.start(options.stub);
  cleanups.push(() => stub.close());
  const logger = recordingLogger();
  const trades: StubSetup['trades'] = [];
  const invalid: StubSetup['invalid'] = [];
  const handlers: FeedHandlers = {
    onTrade: (symbol, price) => trades.push({ symbol, price }),
    onQuote: () => undefined,
    onSubscribing: () => undefined,
    onInvalidSymbols: (symbols, msg) => invalid.push({ symbols: [...symbols], msg }),
  };
  const connection = new ItickConnection({ url: stub.url(options.path), token: 'good', logger, handlers, ...options.connection });
  cleanups.push(() => connection.stop());
  connection.setSymbols(options.symbols ?? ['AAPL$US', 'TSLA$US']);
  connection.start();
  return { stub, connection, logger, trades, invalid };
}

const subscribedOn = (s: StubSetup, count: number, what: string) => eventually(() => s.stub.eventsOf('subscribed').length >= count && s.connection.status().state === 'ready', what);

describe('reconnect timing (iTick default timings, over a real socket)', () => {
  it('reconnects and resubscribes within 3 s after one drop', async () => {
    const s = await stubSetup();
    await subscribedOn(s, 1, 'subscribed');
    const droppedAt = Date.now();
    s.stub.dropAll();
    const resubscribed = await eventually(() => s.stub.eventsOf('subscribed').find((event) => event.at > droppedAt), 'resubscribed');
    expect(resubscribed.at - droppedAt).toBeLessThan(3_000);
    expect(s.stub.subscribed()).toEqual(['AAPL$US', 'TSLA$US']);
    expect(s.logger.find('error', '')).toEqual([]);
  });

  it('reconnects and resubscribes within 3 s after a drop right after authenticating (once is no knock-off)', async () => {
    const s = await stubSetup();
    s.stub.closeAfterAuth(50);
    await eventually(() => s.stub.eventsOf('close').length === 1, 'the early close');
    s.stub.closeAfterAuth(undefined);
    const closedAt = s.stub.eventsOf('close')[0]!.at;
    const resubscribed = await eventually(() => s.stub.eventsOf('subscribed').find((event) => event.at > closedAt), 'resubscribed');
    expect(resubscribed.at - closedAt).toBeLessThan(3_000);
    expect(s.logger.find('error', '')).toEqual([]);
    expect(s.logger.find('warn', 'after authenticating; reconnecting')).toHaveLength(1);
  });

  it('backs off for long, with one error line, after three knock-offs within two minutes', async () => {
    const s = await stubSetup();
    s.stub.closeAfterAuth(50);
    await eventually(() => s.connection.status().state === 'backoff' && (s.connection.status().nextAttemptAt ?? 0) - Date.now() > 20_000, 'the long backoff', 10_000);
    expect(s.stub.eventsOf('auth')).toHaveLength(3);
    const [line, ...more] = s.logger.find('error', 'another client is probably using the same token');
    expect(more).toEqual([]);
    expect(line?.message).toMatch(/closed the connection 3 times in a row, each within 10 s of authenticating/);
    expect(s.logger.find('warn', 'after authenticating; reconnecting')).toHaveLength(2);
    // 1 minute doubling: between 30 and 60 s for the first long backoff.
    expect(s.connection.status().nextAttemptAt! - Date.now()).toBeGreaterThan(25_000);
    await pause(200);
    expect(s.stub.eventsOf('connect')).toHaveLength(3);
  });

  it('backs off for long at once when a notice says the key logged in elsewhere before the server drops the socket', async () => {
    const s = await stubSetup();
    await subscribedOn(s, 1, 'subscribed');
    s.stub.sendRaw('stock', '{"code":0,"msg":"your token has logged in elsewhere"}');
    await eventually(() => s.logger.find('warn', 'iTick says').length === 1, 'the notice');
    s.stub.dropAll();
    await eventually(() => s.connection.status().state === 'backoff', 'backoff');
    expect(s.logger.find('error', 'iTick says another client took the connection over')).toHaveLength(1);
    expect(s.connection.status().nextAttemptAt! - Date.now()).toBeGreaterThan(25_000);
  });

  it('sends the auth message at once on reconnecting when the server needed it before', async () => {
    const s = await stubSetup({ stub: { headerAuth: false }, connection: { authFallbackMs: 300 } });
    await subscribedOn(s, 1, 'subscribed');
    const droppedAt = Date.now();
    s.stub.dropAll();
    await eventually(() => s.stub.eventsOf('subscribed').some((event) => event.at > droppedAt), 'resubscribed');
    const connectedAt = s.stub.eventsOf('connect')[1]!.at;
    const auth = s.stub.requests.filter((request) => request.ac === 'auth')[1]!;
    expect(auth.at - connectedAt).toBeLessThan(250);
  });
});

describe('unknown symbols (E001), over a real socket', () => {
  const fixture = JSON.parse(readFileSync(new URL('../fixtures/itick/current-stock-subscribe-e001.json', import.meta.url), 'utf8')) as {
    setup: { subscriptions: string[] };
    messages: { code: number; resAc?: string; msg: string }[];
    expect: { bisect: { request: string[]; invalid: string[]; valid: string[] } };
  };

  it("bisects the fixture's refused subscribe to the unknown symbol; the valid one ends up subscribed", async () => {
    const { bisect } = fixture.expect;
    const refusal = fixture.messages.find((message) => message.resAc === 'subscribe')!;
    const s = await stubSetup({ stub: { unknown: (symbol) => bisect.invalid.includes(symbol) }, symbols: fixture.setup.subscriptions });
    await eventually(() => s.connection.status().invalid.length > 0 && s.connection.status().subscribed.length > 0, 'bisected');
    expect(s.connection.status()).toMatchObject({ subscribed: bisect.valid, invalid: bisect.invalid, refused: [] });
    expect(s.stub.subscribed()).toEqual(bisect.valid);
    expect(s.invalid).toEqual([{ symbols: bisect.invalid, msg: refusal.msg }]);
    expect(s.stub.requests.filter((request) => request.ac === 'subscribe').map((request) => request.params)).toEqual([bisect.request.join(','), ...bisect.valid, ...bisect.invalid]);
  });

  it('finds two unknown codes among many, keeps the others subscribed, and asks for them no more', async () => {
    const symbols = Array.from({ length: 20 }, (_, i) => `S${i}$US`).concat(['ZZZA$US', 'ZZZB$HK']);
    const s = await stubSetup({ stub: { unknown: (symbol) => symbol.startsWith('ZZZ') }, symbols });
    await eventually(() => s.connection.status().invalid.length === 2 && s.connection.status().subscribed.length === 20, 'bisected');
    expect(s.stub.subscribed()).toHaveLength(20);
    expect(s.invalid.flatMap((report) => report.symbols).sort()).toEqual(['ZZZA$US', 'ZZZB$HK']);
    const asked = s.stub.requests.length;
    s.connection.setSymbols([...symbols, 'NEW$US']);
    await eventually(() => s.connection.status().subscribed.length === 21, 'the new symbol');
    expect(s.stub.requests.slice(asked).filter((request) => request.ac === 'subscribe').map((request) => request.params)).toEqual(['NEW$US']);
  });

  it("keeps E003 apart: symbols over the plan's limit are refused (unwatched), not invalid", async () => {
    const s = await stubSetup({ stub: { limit: 2 }, symbols: ['A$US', 'B$US', 'C$US'] });
    await eventually(() => s.connection.status().refused.length === 1, 'the refusal');
    expect(s.connection.status()).toMatchObject({ subscribed: ['A$US', 'B$US'], refused: ['C$US'], invalid: [] });
    expect(s.invalid).toEqual([]);
  });
});

describe('a connection of another market', () => {
  it("subscribes iTick's CODE$REGION on its market's URL and reports the project's symbols", async () => {
    const s = await stubSetup({ path: 'crypto', connection: { market: 'crypto' }, symbols: ['crypto:BTCUSDT$BA', 'AAPL$US'] });
    await subscribedOn(s, 1, 'subscribed');
    expect(s.stub.subscribed('crypto')).toEqual(['BTCUSDT$BA']);
    expect(s.connection.status()).toMatchObject({ market: 'crypto', subscribed: ['crypto:BTCUSDT$BA'] });
    // A stock symbol handed to it is not its own: left out, with a warning.
    expect(s.logger.find('warn', 'another market')[0]?.attributes).toMatchObject({ symbol: 'AAPL$US', market: 'crypto' });
    s.stub.sendData('crypto', { s: 'BTCUSDT', r: 'BA', ld: 97_000.5, v: 0.01, t: Date.now(), type: 'tick' });
    await eventually(() => s.trades.length === 1, 'the trade');
    expect(s.trades).toEqual([{ symbol: 'crypto:BTCUSDT$BA', price: 97_000.5 }]);
  });
});

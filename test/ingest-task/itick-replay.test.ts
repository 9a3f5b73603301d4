/**
 * Every WebSocket shape of iTick's published docs (test/fixtures/itick/, both generations, every
 * market) played over a real socket to the real ItickConnection, checked against each fixture's
 * `expect` block: the trade prices handed on (symbol, price, time, trade volume, running volume,
 * previous close), what is counted as unmatched or unreadable, what is said at warn, and whether
 * the connection authenticates and subscribes.
 *
 * Connection-level conclusions that belong to the connection lifecycle are asserted loosely here
 * and in full in test/ingest-task/itick-connection.test.ts (auth refusal backoff, E003 plan limit,
 * E001 bisection to `invalid_symbol`, reconnects and knock-offs): here they only must not crash
 * and must end where the fixture says.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BATCH_EVENT_VERSION, type BatchEvent } from '../../core/feed';
import { marketSymbol, splitSymbol } from '../../core/rule-model';
import { Batcher } from '../../ingest-task/src/batcher';
import { parseFeedMessage, type TradeDetails } from '../../ingest-task/src/feed-protocol';
import { SymbolIndex } from '../../ingest-task/src/feed-symbols';
import { ItickConnection, type ItickConnectionOptions } from '../../ingest-task/src/itick-connection';
import { eventually, pause } from '../support/eventually';
import { recordingLogger, type LogLine, type RecordingLogger } from '../support/ingest-recording-logger';
import { ItickFixtureServer } from '../support/itick-fixture-server';
import { isDataFrame, readItickFixture, webSocketFixtures, type ExpectedPrice, type ItickFixture } from '../support/itick-fixtures';

const TOKEN = 'replay-token-0123456789';

interface Trade {
  symbol: string;
  price: number;
  at: number;
  volume: number;
  details: TradeDetails | undefined;
  /** The previous close the symbol's quotes had said by then. */
  prevClose: number | undefined;
}

interface Replay {
  server: ItickFixtureServer;
  connection: ItickConnection;
  logger: RecordingLogger;
  trades: Trade[];
  invalid: string[];
  everReady: () => boolean;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function replay(fixture: ItickFixture, options: Partial<ItickConnectionOptions> = {}): Promise<Replay> {
  const server = await ItickFixtureServer.start(fixture);
  cleanups.push(() => server.close());
  const logger = recordingLogger();
  const trades: Trade[] = [];
  const invalid: string[] = [];
  const prevCloses = new Map<string, number>();
  const connection = new ItickConnection({
    url: server.url,
    token: TOKEN,
    logger,
    market: fixture.class,
    handlers: {
      onTrade: (symbol, price, at, volume, details) => trades.push({ symbol, price, at, volume, details, prevClose: prevCloses.get(symbol) }),
      onQuote: (symbol, _last, prevClose) => {
        if (prevClose !== undefined) prevCloses.set(symbol, prevClose);
      },
      onSubscribing: () => undefined,
      onInvalidSymbols: (symbols) => invalid.push(...symbols),
    },
    // The legacy docs' auth message goes out this long after the greeting when the header brought no answer.
    authFallbackMs: 20,
    // Pings are the test's barrier (ItickFixtureServer.drained) and the pong fixtures' subject.
    pingIntervalMs: 20,
    reconnect: { initialMs: 10, maxMs: 50 },
    ...options,
  });
  cleanups.push(() => connection.stop());
  let ready = false;
  const watch = setInterval(() => (ready ||= connection.status().state === 'ready'), 2);
  cleanups.push(async () => clearInterval(watch));
  connection.setSymbols(fixture.setup.subscriptions ?? []);
  connection.start();
  return { server, connection, logger, trades, invalid, everReady: () => ready || connection.status().state === 'ready' };
}

/** The trade as the fixtures' `expect.prices` describe one, limited to the keys `expected` names. */
function asExpected(trade: Trade, expected: ExpectedPrice | undefined): Partial<ExpectedPrice> {
  const full: ExpectedPrice = {
    symbol: trade.symbol,
    price: trade.price,
    time: trade.at,
    tradeVolume: trade.details?.volumeKnown === false ? null : trade.volume,
    dayVolume: trade.details?.dayVolume ?? null,
    prevClose: trade.prevClose ?? null,
    newSession: trade.details?.newSession ?? false,
    source: trade.details?.source ?? 'tick',
  };
  if (expected === undefined) return full;
  return Object.fromEntries(Object.keys(expected).map((key) => [key, full[key as keyof ExpectedPrice]]));
}

const mentions = (line: LogLine, text: string) => line.message.includes(text) || JSON.stringify(line.attributes).includes(text);

/** Waits until the connection has done all the fixture leads to. */
async function settle(fixture: ItickFixture, r: Replay): Promise<void> {
  const expected = fixture.expect;
  const wanted = fixture.setup.subscriptions ?? [];
  if (expected.authenticated === false) {
    await eventually(() => r.connection.status().state === 'backoff', 'the refusal and the backoff after it');
    return;
  }
  if (expected.subscribeError !== undefined) {
    // Every wanted symbol ends up subscribed, refused or found unknown; then nothing more is asked.
    await eventually(() => {
      const status = r.connection.status();
      return status.state === 'ready' && status.subscribed.length + status.refused.length + status.invalid.length === wanted.length;
    }, 'every subscription answered');
    await pause(100);
    return;
  }
  await eventually(() => r.server.drained(), 'every frame read');
}

describe("iTick's documented shapes, replayed over a real socket (test/fixtures/itick)", () => {
  const fixtures = webSocketFixtures();

  it.each(fixtures.map((fixture) => [fixture.file, fixture] as const))('%s', async (_file, fixture) => {
    const r = await replay(fixture);
    await settle(fixture, r);
    const expected = fixture.expect;
    const status = r.connection.status();

    // What every fixture shares: documented shapes are never unreadable, and the token is never logged.
    expect(status.unreadable).toBe(0);
    expect(JSON.stringify(r.logger.lines)).not.toContain(TOKEN);
    if (fixture.setup.auth === 'message') expect(r.server.requestsOf('auth')[0]).toEqual({ ac: 'auth', params: TOKEN });
    else expect(r.server.upgradeTokens[0]).toBe(TOKEN);

    if (expected.prices !== undefined) {
      expect(r.trades.map((trade, i) => asExpected(trade, expected.prices?.[i]))).toEqual(expected.prices);
    }
    if (expected.neverNegativeVolume === true) expect(r.trades.every((trade) => trade.volume >= 0)).toBe(true);
    if (expected.changeFromPrevClosePct !== undefined) {
      const [trade] = r.trades;
      expect(((trade!.price - trade!.prevClose!) / trade!.prevClose!) * 100).toBeCloseTo(expected.changeFromPrevClosePct, 2);
    }
    if (expected.unmatched !== undefined) expect(status.unmatched).toBe(expected.unmatched);
    if (expected.unmatched !== undefined && expected.unmatched > 0) {
      const raw = fixture.messages.filter(isDataFrame).map((frame) => String((frame.data as Record<string, unknown>).s));
      expect(status.unmatchedSymbols.every((s) => raw.includes(s))).toBe(true);
    }
    if (expected.logs !== undefined) {
      if (expected.logs.length === 0) expect(r.logger.lines.filter((line) => line.level === 'warn' || line.level === 'error')).toEqual([]);
      for (const log of expected.logs) {
        const lines = r.logger.lines.filter((line) => line.level === log.level && mentions(line, log.contains));
        if (log.count !== undefined) expect(lines).toHaveLength(log.count);
        else expect(lines.length).toBeGreaterThanOrEqual(1);
      }
    }
    if (expected.authenticated !== undefined) expect(r.everReady()).toBe(expected.authenticated);
    if (expected.subscribed !== undefined) {
      // After an E001 refusal, bisection leaves the known symbols subscribed (itick-connection.test.ts tests it in full).
      const subscribed = expected.bisect?.valid ?? expected.subscribed;
      expect(status.subscribed.sort()).toEqual([...subscribed].sort());
    }
    if (fixture.generation === 'current') {
      // The current docs' clients ask for CODE$REGION: every subscription was asked for in that form.
      const asked = r.server.requestsOf('subscribe').flatMap((request) => String(request.params).split(','));
      for (const symbol of fixture.setup.subscriptions ?? []) {
        if (expected.authenticated !== false) expect(asked).toContain(splitSymbol(symbol).feedSymbol);
      }
    }
    if (expected.subscribeError !== undefined) {
      // Never the same request in a loop: at most one request per symbol beyond the first.
      expect(r.server.requestsOf('subscribe').length).toBeLessThanOrEqual(1 + 2 * (fixture.setup.subscriptions ?? []).length);
      expect(r.trades).toEqual([]);
    }
    if (expected.ruleStatus !== undefined) {
      // The unknown symbol is reported for its rules' `invalid_symbol` (the task's part: ingest-task.test.ts).
      expect(r.invalid.sort()).toEqual(Object.keys(expected.ruleStatus).sort());
    }
    if (expected.authenticated === false) {
      // Refused: one error line and minutes before the next attempt (itick-connection.test.ts: the backoff in full).
      expect(r.logger.find('error', 'refused the token')).toHaveLength(1);
      expect(status.nextAttemptAt! - Date.now()).toBeGreaterThan(60_000);
      expect(r.server.connections).toBe(1);
    }
    if (expected.pong !== undefined) {
      expect(status.pingRttMs).toBeDefined();
      expect(r.logger.find('debug', 'dropped a message').filter((line) => String(line.attributes.reason).includes('pong'))).toEqual([]);
    }
    if (expected.depth !== undefined || expected.bars !== undefined) {
      // Depth and bars are not trades, and not unusable either.
      expect(r.trades).toEqual([]);
      expect(status).toMatchObject({ unmatched: 0, unreadable: 0, dropped: 0 });
    }
    if (expected.bars !== undefined) {
      const index = new SymbolIndex();
      for (const symbol of fixture.setup.subscriptions ?? []) index.add(splitSymbol(symbol).feedSymbol);
      const bars = fixture.messages.filter(isDataFrame).map((frame) => parseFeedMessage(JSON.stringify(frame)));
      expect(bars.map((bar) => (bar.kind === 'kline' ? marketSymbol(fixture.class, index.resolve(bar.code, bar.region) ?? '?') : bar.kind))).toEqual(expected.bars.map((bar) => bar.symbol));
    }
  });
});

describe('the data path over a real socket, beyond single fixtures', () => {
  it('counts unreadable frames and says so at warn, once per kind of problem, without losing the connection', async () => {
    const r = await replay(readItickFixture('current-stock-quote.json'));
    await eventually(() => r.server.drained(), 'the fixture read');
    for (let i = 0; i < 3; i += 1) r.server.sendRaw('{oops');
    r.server.sendRaw(Buffer.from([1, 2, 3]));
    for (let i = 0; i < 3; i += 1) r.server.sendRaw('{"code":1,"data":{"s":"AAPL.US","ld":"abc","type":"tick"}}');
    r.server.sendRaw('{"code":1,"data":{"s":"AAPL.US","ld":238.5,"v":100,"t":1796396409000,"type":"tick"}}');
    await eventually(() => r.trades.length === 2, 'the good tick after the bad frames');
    expect(r.connection.status()).toMatchObject({ state: 'ready', connects: 1, unreadable: 7, unmatched: 0 });
    expect(r.logger.find('warn', 'malformed JSON')).toHaveLength(1);
    expect(r.logger.find('warn', 'binary frame')).toHaveLength(1);
    expect(r.logger.find('warn', 'tick without a positive price')).toHaveLength(1);
  });

  it('takes trades from ticks once a symbol has them, so that quotes never count a trade twice', async () => {
    const r = await replay(readItickFixture('current-stock-tick.json'));
    await eventually(() => r.server.drained(), 'the fixture read');
    const quote = (ld: number, t: number, v: number) => JSON.stringify({ code: 1, data: { s: 'AAPL.US', ld, t, v, type: 'quote' } });
    r.server.sendRaw(quote(238.5, 1_796_396_401_000, 9_183_742));
    r.server.sendRaw('{"code":1,"data":{"s":"AAPL.US","ld":238.52,"v":300,"t":1796396401500,"type":"tick"}}');
    r.server.sendRaw(quote(238.52, 1_796_396_401_500, 9_184_042));
    await eventually(() => r.trades.length === 2, 'the tick');
    await pause(50);
    expect(r.trades.map((trade) => [trade.price, trade.volume, trade.details?.source])).toEqual([
      [238.44, 200, 'tick'],
      [238.52, 300, 'tick'],
    ]);
  });

  it('hands a quote-only stream to the evaluator as trade points, with running-volume differences and the previous close', async () => {
    const fixture = readItickFixture('current-stock-quote-stream.json');
    const server = await ItickFixtureServer.start(fixture);
    cleanups.push(() => server.close());
    const events: BatchEvent[] = [];
    const batcher = new Batcher({
      shards: 1,
      windowMs: 20,
      maxPoints: 1_000,
      backlogMaxPoints: 1_000_000,
      logger: recordingLogger(),
      invoker: { invoke: async (event) => (events.push(structuredClone(event)), { version: BATCH_EVENT_VERSION, shard: event.shard, seq: event.seq, fired: 0, claimed: 0, state: {} }) },
    });
    cleanups.push(async () => void (await batcher.drain(0)));
    const connection = new ItickConnection({
      url: server.url,
      token: TOKEN,
      logger: recordingLogger(),
      handlers: {
        onTrade: (symbol, price, at, volume) => batcher.addTrade(symbol, price, at, volume),
        onQuote: (symbol) => batcher.setPrevClose(symbol, 236.17),
        onSubscribing: (symbols) => symbols.forEach((symbol) => batcher.markReset(symbol)),
      },
      pingIntervalMs: 20,
    });
    cleanups.push(() => connection.stop());
    connection.setSymbols(['AAPL$US']);
    connection.start();
    await eventually(() => events.flatMap((event) => event.symbols).flatMap((path) => path.points).length === 3, 'three trade points');
    expect(events.flatMap((event) => event.symbols)[0]).toMatchObject({ symbol: 'AAPL$US', reset: true, prevClose: 236.17 });
    expect(events.flatMap((event) => event.symbols).flatMap((path) => path.points)).toEqual([
      [238.415, 1_796_396_400_250, 0],
      [238.43, 1_796_396_402_000, 300],
      [238.39, 1_796_396_404_350, 600],
    ]);
    expect(connection.status().lastTickAt).toBeDefined();
  });
});

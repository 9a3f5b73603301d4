import { countInRegularSession } from '../../core/engine/sessions';
import { afterEach, describe, expect, it } from 'vitest';
import { PathCompressor, type PricePointTuple } from '../../core/feed';
import type { Market } from '../../core/rule-model';
import type { Heartbeat } from '../../ingest-task/src/heartbeat';
import { IngestTask, type InvalidSymbolSink, type WatchlistSource } from '../../ingest-task/src/ingest-task';
import { shardOf } from '../../ingest-task/src/shard-assignment';
import { eventually } from '../support/eventually';
import { startIngestHarness, type HarnessOptions, type IngestHarness } from '../support/ingest-harness';
import { recordingEvaluator, type RecordingEvaluator } from '../support/ingest-recording-evaluator';
import { recordingLogger, type RecordingLogger } from '../support/ingest-recording-logger';
import { ItickStubServer, type ItickStubOptions } from '../support/itick-stub-server';

let harness: IngestHarness | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(options: HarnessOptions) {
  harness = await startIngestHarness(options);
  return harness;
}

const subscribedTo = (h: IngestHarness, symbols: string[]) =>
  eventually(() => h.market.subscribedSymbols().join() === [...symbols].sort().join() && h.task.heartbeat().subscribed === symbols.length, `subscribed to ${symbols.join()}`);

describe('the ingest task', () => {
  it("hands the evaluator each symbol's path as the path compressor keeps it, in order", async () => {
    // One window for the whole path, so that it is compressed as one.
    const h = await start({ symbols: ['AAPL$US'], windowMs: 300 });
    await subscribedTo(h, ['AAPL$US']);
    const path = Array.from({ length: 150 }, (_, i): PricePointTuple => [100 + Math.round(10 * Math.sin(i / 5)) / 10, 1_700_000_000_000 + i * 20, 100]);
    h.market.script('AAPL$US', path.map(([price]) => price), { startAt: path[0]![1], stepMs: 20 });
    const kept = new PathCompressor();
    for (const [price, at, volume] of path) kept.add(price, at, volume);
    const expected = kept.take();
    await eventually(() => h.evaluator.pricesOf('AAPL$US').length === expected.length, 'the whole path');
    expect(h.evaluator.delivered()).toHaveLength(1);
    expect(h.evaluator.delivered()[0]?.symbols[0]?.points).toEqual(expected);
    expect(h.evaluator.delivered()[0]?.symbols[0]?.reset).toBe(true);
  });

  it('subscribes exactly the symbols with active rules and follows rule changes', async () => {
    const h = await start({ symbols: ['AAPL$US', 'TSLA$US'] });
    await subscribedTo(h, ['AAPL$US', 'TSLA$US']);
    h.watchlist.delete('AAPL$US');
    h.watchlist.add('MSFT$US');
    h.watchlist.add('not a symbol');
    await subscribedTo(h, ['MSFT$US', 'TSLA$US']);
    expect(h.logger.find('warn', 'not CODE$REGION')).toHaveLength(1);
  });

  it("reports the symbols over the plan's limit in the heartbeat and in one error line", async () => {
    const h = await start({ symbols: ['A$US', 'B$US', 'C$US'], maxSymbolsPerConnection: 2 });
    await subscribedTo(h, ['A$US', 'B$US']);
    await eventually(() => h.heartbeats.at(-1)?.unwatched.join() === 'C$US', 'heartbeat naming C$US');
    expect(h.logger.find('error', 'symbol limit is reached')).toHaveLength(1);
  });

  it('reports the symbols iTick refuses when the limit setting is higher than the real plan', async () => {
    const h = await start({ symbols: ['A$US', 'B$US', 'C$US'], market: { symbolLimit: 2 } });
    await eventually(() => h.task.heartbeat().unwatched.join() === 'C$US' && h.task.heartbeat().subscribed === 2, 'refusal in the heartbeat');
  });

  it('opens a second connection only when the plan allows one and the first is full', async () => {
    const h = await start({ symbols: ['A$US', 'B$US', 'C$US'], maxSymbolsPerConnection: 2, connections: 2, market: { knockOff: false } });
    await subscribedTo(h, ['A$US', 'B$US', 'C$US']);
    expect(h.market.stats().authenticated).toBe(2);
    h.watchlist.delete('C$US');
    await eventually(() => h.market.stats().open === 1, 'second connection closed');
  });

  it('loses no tick across a reconnect, and the first batch after it starts from a baseline', async () => {
    const h = await start({ symbols: ['AAPL$US'] });
    await subscribedTo(h, ['AAPL$US']);
    h.market.script('AAPL$US', [100, 101, 99]);
    await eventually(() => h.evaluator.pricesOf('AAPL$US').length === 3, 'ticks before the drop');
    h.market.dropAll();
    await eventually(() => h.market.stats().connectionsAccepted === 2 && h.market.subscribedSymbols().length === 1, 'resubscribed');
    h.market.script('AAPL$US', [150, 149, 151]);
    await eventually(() => h.evaluator.pricesOf('AAPL$US').length === 6, 'ticks after the reconnect');
    expect(h.evaluator.pricesOf('AAPL$US')).toEqual([100, 101, 99, 150, 149, 151]);
    const after = h.evaluator.delivered().find((event) => event.symbols.some((path) => path.points.some(([price]) => price === 150)));
    expect(after?.symbols.find((path) => path.symbol === 'AAPL$US')?.reset).toBe(true);
  });

  it("evaluates each shard's batches in order, one at a time, each symbol in its own shard", async () => {
    const symbols = Array.from({ length: 12 }, (_, i) => `S${i}$US`);
    const h = await start({ symbols, shards: 3, windowMs: 5 });
    await subscribedTo(h, symbols);
    h.evaluator.setDelay(15);
    const sent = new Map(symbols.map((symbol) => [symbol, [] as number[]]));
    for (let round = 0; round < 20; round += 1) {
      for (const symbol of symbols) {
        // A zigzag: every tick is a turning point, so every one must reach the evaluator.
        const price = round % 2 === 0 ? 100 + round : 50 + round;
        h.market.script(symbol, [price]);
        sent.get(symbol)!.push(price);
      }
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    await eventually(() => symbols.every((symbol) => h.evaluator.pricesOf(symbol).length === 20), 'every tick', 10_000);
    for (const symbol of symbols) expect(h.evaluator.pricesOf(symbol)).toEqual(sent.get(symbol));
    expect(h.evaluator.maxConcurrentPerShard()).toBe(1);
    for (let shard = 0; shard < 3; shard += 1) {
      const events = h.evaluator.delivered().filter((event) => event.shard === shard);
      expect(events.map((event) => event.seq)).toEqual(events.map((_, i) => i));
      for (let i = 1; i < events.length; i += 1) expect(events[i]!.fromPos).toBeGreaterThan(events[i - 1]!.toPos);
      for (const event of events) for (const path of event.symbols) expect(shardOf(path.symbol, 3)).toBe(shard);
    }
  });

  it('retries failed invocations and merges their ticks into the next batch, never dropping one', async () => {
    const h = await start({ symbols: ['AAPL$US'] });
    await subscribedTo(h, ['AAPL$US']);
    h.evaluator.failNext(2);
    h.market.script('AAPL$US', [100, 105]);
    await eventually(() => h.evaluator.calls.length >= 1, 'first, failing, call');
    h.market.script('AAPL$US', [95, 110]);
    await eventually(() => h.evaluator.pricesOf('AAPL$US').length === 4, 'all ticks');
    expect(h.evaluator.pricesOf('AAPL$US')).toEqual([100, 105, 95, 110]);
    const failed = h.evaluator.calls.filter((call) => call.failed).map((call) => call.event);
    const delivered = h.evaluator.delivered()[0]!;
    expect(failed).toHaveLength(2);
    for (const event of failed) expect(event).toMatchObject({ seq: delivered.seq, fromPos: delivered.fromPos });
    expect(h.task.stats().batcher).toMatchObject({ invokeFailures: 2, droppedTicks: 0 });
    expect(h.logger.find('warn', 'evaluator invocation failed')[0]?.attributes.error).toMatch(/Unhandled.*evaluator down/);
  });

  it('writes heartbeats with connection, last tick time, tick rate, subscribed count and lag', async () => {
    const h = await start({ symbols: ['AAPL$US'] });
    await subscribedTo(h, ['AAPL$US']);
    const before = Date.now();
    h.market.script('AAPL$US', [100]);
    const heartbeat = await eventually(() => h.heartbeats.find((hb) => hb.lastTickAt !== null), 'a heartbeat after a tick');
    expect(heartbeat).toMatchObject({ connected: true, subscribed: 1, unwatched: [], lagMs: expect.any(Number) });
    // Whether AAPL's exchange is open now, by its calendar: what the no-ticks alarm waits for.
    expect(heartbeat.openSubscribed).toBe(countInRegularSession(['AAPL$US'], heartbeat.updatedAt));
    const rated = await eventually(() => h.heartbeats.find((hb) => hb.ticksPerSecond > 0), 'a heartbeat with a tick rate');
    expect(rated.ticksPerSecond).toBeGreaterThan(0);
    expect(heartbeat.lastTickAt).toBeGreaterThanOrEqual(before);
    expect(heartbeat.updatedAt).toBeGreaterThanOrEqual(heartbeat.lastTickAt!);
  });

  it('on stop closes the feed, flushes what it gathered and writes a last heartbeat saying it is disconnected', async () => {
    const h = await start({ symbols: ['AAPL$US'], windowMs: 60_000 });
    await subscribedTo(h, ['AAPL$US']);
    h.market.script('AAPL$US', [100, 99]);
    await eventually(() => h.task.stats().batcher.ticksAccepted === 2, 'ticks received');
    await expect(h.task.stop(2_000)).resolves.toEqual({ complete: true, pendingTicks: 0 });
    expect(h.evaluator.pricesOf('AAPL$US')).toEqual([100, 99]);
    expect(h.market.stats().open).toBe(0);
    expect(h.heartbeats.at(-1)?.connected).toBe(false);
  });
});

interface StubTask {
  stub: ItickStubServer;
  task: IngestTask;
  evaluator: RecordingEvaluator;
  logger: RecordingLogger;
  watchlist: Set<string>;
  heartbeats: Heartbeat[];
}

/** An ingest task on the iTick stub server (any path is a market's URL), an in-process evaluator and an in-memory watchlist. */
async function stubTask(options: {
  symbols: string[];
  stub?: ItickStubOptions;
  urls?: (stub: ItickStubServer) => Partial<Record<Market, string>>;
  connections?: number;
  maxSymbolsPerConnection?: number;
  invalidSymbols?: (watchlist: Set<string>) => InvalidSymbolSink;
}): Promise<StubTask> {
  const stub = await ItickStubServer.start(options.stub);
  const evaluator = recordingEvaluator();
  const logger = recordingLogger();
  const watchlist = new Set(options.symbols);
  const source: WatchlistSource = { list: async () => [...watchlist] };
  const heartbeats: Heartbeat[] = [];
  const task = new IngestTask({
    config: {
      itick: {
        token: 'test-token',
        url: stub.url('stock'),
        ...(options.urls === undefined ? {} : { urls: options.urls(stub) }),
        maxSymbolsPerConnection: options.maxSymbolsPerConnection,
        connections: options.connections ?? 1,
      },
      batch: { windowMs: 20, maxPoints: 1_000, backlogMaxPoints: 1_000_000, shards: 2 },
      watchlistRefreshMs: 50,
      heartbeat: { intervalMs: 50, file: undefined },
    },
    watchlist: source,
    heartbeatSinks: [{ write: async (heartbeat) => void heartbeats.push(heartbeat) }],
    invoker: evaluator,
    logger,
    ...(options.invalidSymbols === undefined ? {} : { invalidSymbols: options.invalidSymbols(watchlist) }),
    connection: { reconnect: { initialMs: 20, maxMs: 100 } },
    batcher: { retry: { initialMs: 20, maxMs: 100 } },
  });
  task.start();
  cleanups.push(async () => {
    await task.stop(2_000);
    await stub.close();
  });
  return { stub, task, evaluator, logger, watchlist, heartbeats };
}

const marketsOf = (heartbeat: Heartbeat) => Object.fromEntries(heartbeat.markets.map(({ market, ...rest }) => [market, rest]));

describe('the ingest task, market by market', () => {
  it("gives each market in use its own connection at its own URL, and says so in the heartbeat", async () => {
    const t = await stubTask({ symbols: ['AAPL$US', 'crypto:BTCUSDT$BA', 'crypto:ETHUSDT$BA', 'forex:EURUSD$GB'], urls: (stub) => ({ forex: stub.url('fx-proxy/forex') }) });
    await eventually(() => t.stub.subscribed('crypto').length === 2 && t.stub.subscribed('fx-proxy/forex').length === 1 && t.stub.subscribed('stock').length === 1, 'every market subscribed');
    // iTick's CODE$REGION on each market's URL: derived from ITICK_WS_URL (crypto) or its own setting (forex).
    expect(t.stub.subscribed('crypto')).toEqual(['BTCUSDT$BA', 'ETHUSDT$BA']);
    expect(t.stub.subscribed('fx-proxy/forex')).toEqual(['EURUSD$GB']);
    expect(t.stub.subscribed('stock')).toEqual(['AAPL$US']);
    const heartbeat = await eventually(() => t.heartbeats.findLast((hb) => hb.subscribed === 4 && hb.connected), 'a heartbeat with all four');
    expect(marketsOf(heartbeat)).toEqual({
      stock: { connected: true, connections: 1, subscribed: 1 },
      crypto: { connected: true, connections: 1, subscribed: 2 },
      forex: { connected: true, connections: 1, subscribed: 1 },
    });
    // Data on the crypto connection reaches the evaluator under the project's symbol.
    t.stub.sendData('crypto', { s: 'BTCUSDT', r: 'BA', ld: 97_000, v: 0.5, t: Date.now(), type: 'tick' });
    await eventually(() => t.evaluator.pricesOf('crypto:BTCUSDT$BA').length === 1, 'the crypto trade');
  });

  it('closes a market\'s connections when it has nothing left to watch, but keeps the first stock connection open', async () => {
    const t = await stubTask({ symbols: ['AAPL$US', 'crypto:BTCUSDT$BA'] });
    await eventually(() => t.stub.authenticated('crypto') === 1 && t.stub.subscribed('stock').length === 1, 'both markets');
    t.watchlist.clear();
    await eventually(() => t.stub.authenticated('crypto') === 0 && t.stub.subscribed('stock').length === 0, 'crypto closed, stock emptied');
    expect(t.stub.authenticated('stock')).toBe(1);
    const from = t.heartbeats.length;
    const heartbeat = await eventually(() => t.heartbeats.slice(from).findLast((hb) => hb.markets.length === 1), 'only stocks left');
    expect(heartbeat).toMatchObject({ connected: true, markets: [{ market: 'stock', connected: true, connections: 1, subscribed: 0 }] });
  });

  it("applies the plan's connections and symbol limit to each market on its own", async () => {
    const t = await stubTask({ symbols: ['AAPL$US', 'MSFT$US', 'crypto:BTCUSDT$BA', 'crypto:ETHUSDT$BA', 'crypto:SOLUSDT$BA'], maxSymbolsPerConnection: 1, connections: 2 });
    await eventually(() => t.stub.subscribed('stock').length === 2 && t.stub.subscribed('crypto').length === 2, 'two of each');
    const heartbeat = await eventually(() => t.heartbeats.findLast((hb) => hb.subscribed === 4 && hb.unwatched.length === 1), 'the heartbeat');
    expect(heartbeat.unwatched).toEqual(['crypto:SOLUSDT$BA']);
    expect(marketsOf(heartbeat)).toMatchObject({ stock: { connections: 2, subscribed: 2 }, crypto: { connections: 2, subscribed: 2 } });
    expect(t.stub.authenticated('crypto')).toBe(2);
  });

  it('is not connected while one market it needs is not, and says which', async () => {
    const t = await stubTask({ symbols: ['AAPL$US', 'crypto:BTCUSDT$BA'], urls: () => ({ crypto: 'ws://127.0.0.1:1/crypto' }) });
    await eventually(() => t.stub.subscribed('stock').length === 1, 'stocks subscribed');
    const heartbeat = await eventually(() => t.heartbeats.findLast((hb) => hb.markets.length === 2 && hb.subscribed === 1), 'a heartbeat for both');
    expect(heartbeat.connected).toBe(false);
    expect(marketsOf(heartbeat)).toEqual({ stock: { connected: true, connections: 1, subscribed: 1 }, crypto: { connected: false, connections: 1, subscribed: 0 } });
  });

  it('sums what the connections could not use into the heartbeat', async () => {
    const t = await stubTask({ symbols: ['AAPL$US', 'crypto:BTCUSDT$BA'] });
    await eventually(() => t.stub.subscribed('crypto').length === 1 && t.stub.subscribed('stock').length === 1, 'subscribed');
    t.stub.sendData('stock', { s: 'NOPE.US', ld: 1, t: Date.now(), type: 'quote' });
    t.stub.sendData('crypto', { s: 'DOGE_USDT', ld: 0.1, t: Date.now(), type: 'quote' });
    t.stub.sendRaw('crypto', '{oops');
    const heartbeat = await eventually(() => t.heartbeats.findLast((hb) => hb.unmatched === 2 && hb.unreadable === 1), 'the counts');
    expect([...heartbeat.unmatchedSymbols].sort()).toEqual(['DOGE_USDT', 'NOPE.US']);

    // The crypto connection closes when its market has nothing left to watch: its counts stay.
    t.watchlist.delete('crypto:BTCUSDT$BA');
    await eventually(() => t.stub.authenticated('crypto') === 0, 'crypto closed');
    const from = t.heartbeats.length;
    const after = await eventually(() => t.heartbeats.slice(from).findLast((hb) => hb.markets.length === 1), 'only stocks left');
    expect(after).toMatchObject({ unmatched: 2, unreadable: 1 });
  });
});

describe('the ingest task and symbols iTick does not know', () => {
  /** Like storage: a marked symbol leaves the watchlist. */
  const storageLike = (marks: { symbol: string; message: string }[]) => (watchlist: Set<string>): InvalidSymbolSink => ({
    markInvalid: async (symbol, message) => {
      marks.push({ symbol, message });
      watchlist.delete(symbol);
    },
  });

  it('records the unknown symbol through its port, shows it in the heartbeat, keeps the others subscribed, and asks again after a rule change', async () => {
    const marks: { symbol: string; message: string }[] = [];
    const t = await stubTask({ symbols: ['AAPL$US', 'ZZZZQ$US', 'TSLA$US', 'crypto:ZZZUSDT$BA', 'crypto:BTCUSDT$BA'], stub: { unknown: (symbol) => symbol.startsWith('ZZZ') }, invalidSymbols: storageLike(marks) });
    await eventually(() => marks.length === 2, 'both marks');
    expect(marks.sort((a, b) => (a.symbol < b.symbol ? -1 : 1))).toEqual([
      { symbol: 'ZZZZQ$US', message: 'iTick does not know this symbol (not found this produce)' },
      { symbol: 'crypto:ZZZUSDT$BA', message: 'iTick does not know this symbol (not found this produce)' },
    ]);
    await eventually(() => t.stub.subscribed('stock').join() === 'AAPL$US,TSLA$US' && t.stub.subscribed('crypto').join() === 'BTCUSDT$BA', 'the others');
    // Left out of the watchlist, still named in the heartbeat.
    const heartbeat = await eventually(() => t.heartbeats.findLast((hb) => hb.subscribed === 3 && !t.watchlist.has('ZZZZQ$US')), 'a later heartbeat');
    expect(heartbeat.invalidSymbols).toEqual(['ZZZZQ$US', 'crypto:ZZZUSDT$BA']);
    expect(heartbeat.unwatched).toEqual([]);
    // A rule change clears the mark: the symbol is listed again, and iTick asked again.
    const asked = t.stub.requests.length;
    t.watchlist.add('ZZZZQ$US');
    await eventually(() => marks.length === 3, 'marked again');
    expect(t.stub.requests.slice(asked).filter((request) => request.ac === 'subscribe').map((request) => request.params)).toEqual(['ZZZZQ$US']);
  });

  it('without a port, still leaves the unknown symbol out and names it in the heartbeat', async () => {
    const t = await stubTask({ symbols: ['AAPL$US', 'ZZZZQ$US'], stub: { unknown: (symbol) => symbol.startsWith('ZZZ') } });
    const heartbeat = await eventually(() => t.heartbeats.findLast((hb) => hb.invalidSymbols.length === 1 && hb.subscribed === 1), 'the heartbeat');
    expect(heartbeat.invalidSymbols).toEqual(['ZZZZQ$US']);
    expect(t.logger.find('warn', 'iTick does not know these symbols')).toHaveLength(1);
  });

  it('tries a failed mark again on the next refresh, and says so once', async () => {
    let failures = 2;
    const marks: string[] = [];
    const t = await stubTask({
      symbols: ['ZZZZQ$US'],
      stub: { unknown: (symbol) => symbol.startsWith('ZZZ') },
      invalidSymbols: () => ({
        markInvalid: async (symbol) => {
          if (failures-- > 0) throw new Error('DynamoDB is down');
          marks.push(symbol);
        },
      }),
    });
    await eventually(() => marks.length === 1, 'written at last');
    expect(t.logger.find('warn', 'could not record a symbol iTick does not know')).toHaveLength(1);
    expect(t.logger.find('info', 'unknown symbols are recorded again')).toHaveLength(1);
  });
});

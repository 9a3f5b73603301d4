import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManagementApiPoster } from '../../ingest-task/src/connection-poster';
import { IngestTask, type PriceObserver } from '../../ingest-task/src/ingest-task';
import { PricePublisher, type ConnectionPoster, type WatchSource } from '../../ingest-task/src/price-publisher';
import type { PricesMessage } from '../../ingest-task/src/price-snapshot';
import { createDynamoWatchSource } from '../../ingest-task/src/storage-adapters';
import { MarketSimulator } from '../../local/market-simulator/market-simulator';
import { startWebSocketApiServer, type WebSocketApiServer } from '../../local/websocket-api-server';
import { listWatches, setWatches } from '../../storage/watches-repository';
import { openClient, type DashboardClient } from '../support/delivery-dashboard';
import { useDynamoDbTable } from '../support/dynamodb';
import { eventually } from '../support/eventually';
import { LOCAL_AWS } from '../support/local-aws';
import { recordingLogger } from '../support/ingest-recording-logger';

const T = Date.parse('2026-03-02T14:30:00.000Z');

/** Watches kept in memory; `forgotten` records the connections whose watches were deleted. */
function memoryWatches(initial: Array<[string, string]> = []) {
  const watches = new Set(initial.map(([symbol, id]) => `${symbol} ${id}`));
  const forgotten: string[] = [];
  const source: WatchSource & { add(symbol: string, id: string): void; remove(symbol: string, id: string): void; forgotten: string[]; failing: boolean } = {
    forgotten,
    failing: false,
    add: (symbol, id) => void watches.add(`${symbol} ${id}`),
    remove: (symbol, id) => void watches.delete(`${symbol} ${id}`),
    async list() {
      if (source.failing) throw new Error('DynamoDB is unavailable');
      return [...watches].map((w) => ({ symbol: w.split(' ')[0] as string, connectionId: w.split(' ')[1] as string }));
    },
    async forget(id) {
      forgotten.push(id);
      for (const w of [...watches]) if (w.endsWith(` ${id}`)) watches.delete(w);
    },
  };
  return source;
}

/** Records posts; a connection can be made gone, failing or slow. */
function recordingPoster() {
  const posts: Array<{ connectionId: string; message: PricesMessage; bytes: number }> = [];
  const gone = new Set<string>();
  const failing = new Set<string>();
  let hold: Promise<void> | undefined;
  const poster: ConnectionPoster & { posts: typeof posts; gone: Set<string>; failing: Set<string>; holdUntil(p: Promise<void>): void } = {
    posts,
    gone,
    failing,
    holdUntil: (p) => void (hold = p),
    async post(connectionId, data) {
      if (hold !== undefined) await hold;
      if (gone.has(connectionId)) return 'gone';
      if (failing.has(connectionId)) throw new Error('ECONNRESET');
      posts.push({ connectionId, message: JSON.parse(new TextDecoder().decode(data)) as PricesMessage, bytes: data.byteLength });
      return 'sent';
    },
  };
  return poster;
}

function publisher(watches: WatchSource, poster: ConnectionPoster, options: { historyPoints?: number } = {}) {
  let now = T;
  const logger = recordingLogger();
  const prices = new PricePublisher({ watches, poster, logger, intervalMs: 1_000, watchesRefreshMs: 2_000, now: () => now, ...options });
  return { prices, logger, advance: (ms: number) => (now += ms) };
}

const symbolsIn = (message: PricesMessage) => message.prices.map((p) => p.symbol);

describe('PricePublisher', () => {
  it('posts each watching connection one message per round holding only the symbols that moved', async () => {
    const watches = memoryWatches([['AAPL$US', 'c1'], ['TSLA$US', 'c1'], ['AAPL$US', 'c2'], ['MSFT$US', 'c2']]);
    const poster = recordingPoster();
    const { prices } = publisher(watches, poster);
    await prices.refreshWatches();

    prices.trade('AAPL$US', 200, T);
    prices.trade('AAPL$US', 201, T + 100);
    prices.trade('TSLA$US', 300, T + 200);
    prices.trade('NVDA$US', 900, T + 200); // nobody watches it
    await prices.publish();
    expect(poster.posts.map((p) => [p.connectionId, symbolsIn(p.message)])).toEqual([
      ['c1', ['AAPL$US', 'TSLA$US']],
      ['c2', ['AAPL$US']],
    ]);
    expect(poster.posts[0]?.message.prices[0]).toMatchObject({ symbol: 'AAPL$US', price: 201, at: new Date(T + 100).toISOString() });

    // Nothing moved: nothing is posted.
    poster.posts.length = 0;
    await prices.publish();
    expect(poster.posts).toEqual([]);

    prices.trade('TSLA$US', 301, T + 1_200);
    await prices.publish();
    expect(poster.posts.map((p) => [p.connectionId, symbolsIn(p.message)])).toEqual([['c1', ['TSLA$US']]]);
  });

  it('sends the change against the previous close once a quote has told it, and null before', async () => {
    const poster = recordingPoster();
    const { prices } = publisher(memoryWatches([['AAPL$US', 'c1']]), poster);
    await prices.refreshWatches();
    prices.trade('AAPL$US', 200, T);
    await prices.publish();
    prices.quote('AAPL$US', 200, 190, T + 500);
    prices.trade('AAPL$US', 209.5, T + 1_000);
    await prices.publish();

    const [first, second] = poster.posts.map((p) => p.message.prices[0]);
    expect(first).toMatchObject({ price: 200, change: null, changePct: null });
    expect(second).toMatchObject({ price: 209.5, change: 19.5, changePct: 10.2631578947 });
  });

  it('gives a connection the recent history with its first snapshot of a symbol, one point per second, capped', async () => {
    const watches = memoryWatches();
    const poster = recordingPoster();
    const { prices } = publisher(watches, poster, { historyPoints: 3 });
    await prices.refreshWatches();
    // Five seconds of trades, two in the last second: history keeps the last three seconds, the later price of a second.
    for (const [offset, price] of [[0, 10], [1_000, 11], [2_000, 12], [3_000, 13], [4_000, 14], [4_600, 14.5]] as const) {
      prices.trade('AAPL$US', price, T + offset);
      await prices.publish();
    }
    watches.add('AAPL$US', 'late');
    await prices.refreshWatches();
    await prices.publish();

    expect(poster.posts).toHaveLength(1);
    expect(poster.posts[0]?.message.prices[0]).toMatchObject({
      symbol: 'AAPL$US',
      price: 14.5,
      history: [[T + 2_000, 12], [T + 3_000, 13], [T + 4_000, 14.5]],
    });

    prices.trade('AAPL$US', 15, T + 5_000);
    await prices.publish();
    expect(poster.posts[1]?.message.prices[0]).not.toHaveProperty('history');

    // Stop watching and watch again: the history comes again.
    watches.remove('AAPL$US', 'late');
    await prices.refreshWatches();
    watches.add('AAPL$US', 'late');
    await prices.refreshWatches();
    await prices.publish();
    expect(poster.posts[2]?.message.prices[0]?.history).toHaveLength(3);
  });

  it('drops a connection the API reports gone, deletes its watches, and never posts to it again', async () => {
    const watches = memoryWatches([['AAPL$US', 'gone-1'], ['AAPL$US', 'c2']]);
    const poster = recordingPoster();
    const { prices } = publisher(watches, poster);
    await prices.refreshWatches();
    poster.gone.add('gone-1');
    prices.trade('AAPL$US', 200, T);
    await prices.publish();
    await eventually(() => watches.forgotten.includes('gone-1'), 'the gone connection’s watches to be deleted');

    // Even if a stale list still names it (a forget that failed), it stays dropped.
    watches.add('AAPL$US', 'gone-1');
    await prices.refreshWatches();
    prices.trade('AAPL$US', 201, T + 1_000);
    await prices.publish();
    expect(poster.posts.map((p) => p.connectionId)).toEqual(['c2', 'c2']);
    expect(prices.stats()).toMatchObject({ connectionsGone: 1, messagesSent: 2 });
  });

  it('logs a failing post once, and gives that connection its symbols (with history) again next round', async () => {
    const poster = recordingPoster();
    const { prices, logger } = publisher(memoryWatches([['AAPL$US', 'c1']]), poster);
    await prices.refreshWatches();
    poster.failing.add('c1');
    prices.trade('AAPL$US', 200, T);
    await prices.publish();
    prices.trade('AAPL$US', 201, T + 1_000);
    await prices.publish();
    expect(logger.find('warn', 'could not post live prices')).toHaveLength(1);

    poster.failing.delete('c1');
    await prices.publish();
    expect(poster.posts).toHaveLength(1);
    expect(poster.posts[0]?.message.prices[0]).toMatchObject({ price: 201, history: [[T, 200], [T + 1_000, 201]] });
    expect(logger.find('info', 'works again')).toHaveLength(1);
  });

  it('keeps the last watch list when it cannot be read, and says so once', async () => {
    const watches = memoryWatches([['AAPL$US', 'c1']]);
    const poster = recordingPoster();
    const { prices, logger } = publisher(watches, poster);
    await prices.refreshWatches();
    watches.failing = true;
    await prices.refreshWatches();
    await prices.refreshWatches();
    prices.trade('AAPL$US', 200, T);
    await prices.publish();
    expect(poster.posts.map((p) => p.connectionId)).toEqual(['c1']);
    expect(logger.find('warn', 'could not read')).toHaveLength(1);
  });

  it('skips a round while the last one is still posting; the moves go out with the next', async () => {
    const poster = recordingPoster();
    const { prices } = publisher(memoryWatches([['AAPL$US', 'c1'], ['TSLA$US', 'c1']]), poster);
    await prices.refreshWatches();
    let release: () => void = () => undefined;
    poster.holdUntil(new Promise<void>((resolve) => (release = resolve)));
    prices.trade('AAPL$US', 200, T);
    const slow = prices.publish();
    prices.trade('TSLA$US', 300, T + 1_000);
    await prices.publish();
    expect(prices.stats().roundsSkipped).toBe(1);
    release();
    await slow;
    await prices.publish();
    expect(poster.posts.map((p) => symbolsIn(p.message))).toEqual([['AAPL$US'], ['TSLA$US']]);
  });

  it('splits a large first message (many symbols with history) into messages below API Gateway’s 128 KB', async () => {
    const symbols = Array.from({ length: 40 }, (_, i) => `S${i}$US`);
    const poster = recordingPoster();
    const { prices } = publisher(memoryWatches(symbols.map((s) => [s, 'c1'])), poster);
    await prices.refreshWatches();
    for (let second = 0; second < 300; second++) {
      for (const symbol of symbols) prices.trade(symbol, 100 + second / 7, T + second * 1_000);
      // Sample without posting: nobody is informed until the history is full.
      (prices as unknown as { collect(): unknown }).collect();
    }
    poster.posts.length = 0;
    await prices.refreshWatches();
    (prices as unknown as { entries: Map<string, { informed: Set<string> }> }).entries.forEach((e) => e.informed.clear());
    await prices.publish();

    expect(poster.posts.length).toBeGreaterThan(1);
    for (const post of poster.posts) expect(post.bytes).toBeLessThan(128 * 1024);
    expect(poster.posts.flatMap((p) => symbolsIn(p.message)).sort()).toEqual([...symbols].sort());
    expect(poster.posts.every((p) => p.message.prices.every((s) => s.history?.length === 300))).toBe(true);
  });
});

describe('live prices through the management API and DynamoDB watches', () => {
  const table = useDynamoDbTable();
  let api: WebSocketApiServer;
  let clients: DashboardClient[] = [];

  beforeAll(async () => {
    api = await startWebSocketApiServer({ routes: {} });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await api.close();
  });

  it('reaches the watching sockets, and forgets a closed one on its 410', async () => {
    const symbol = `L${randomUUID().slice(0, 6).toUpperCase()}$US`;
    const open = await openClient(api.url);
    const [openId] = api.connectionIds() as [string];
    const closing = await openClient(api.url);
    const closingId = api.connectionIds().find((id) => id !== openId) as string;
    clients = [open, closing];
    for (const connectionId of [openId, closingId]) await setWatches(table.db, { owner: 'dev', connectionId, symbols: [symbol], now: new Date() });
    await closing.close();
    await eventually(() => api.connectionIds().length === 1, 'the closed socket to be gone');

    const prices = new PricePublisher({
      watches: createDynamoWatchSource(table.db),
      poster: createManagementApiPoster({ endpoint: api.managementEndpoint, ...LOCAL_AWS }),
      logger: recordingLogger(),
      intervalMs: 1_000,
      watchesRefreshMs: 1_000,
    });
    await prices.refreshWatches();
    prices.trade(symbol, 123.45, Date.now());
    await prices.publish();

    const received = await eventually(() => open.received[0], 'the price on the open socket');
    expect(JSON.parse(received)).toMatchObject({ type: 'prices', prices: [{ symbol, price: 123.45, change: null, changePct: null }] });
    expect(prices.stats()).toMatchObject({ messagesSent: 1, connectionsGone: 1 });
    await eventually(async () => (await listWatches(table.db, new Date())).every((w) => w.connectionId !== closingId), 'the gone connection’s watches to be deleted');
  });
});

describe('IngestTask with a price observer', () => {
  it('hands every trade and quote to the observer and starts and stops it with the task', async () => {
    const market = await MarketSimulator.start();
    const seen: string[] = [];
    let started = 0;
    let stopped = 0;
    const observer: PriceObserver = {
      trade: (symbol, price) => void seen.push(`trade ${symbol} ${price}`),
      quote: (symbol, last, prevClose) => void seen.push(`quote ${symbol} ${last} ${prevClose}`),
      forget: (symbol) => void seen.push(`forget ${symbol}`),
      start: () => void (started += 1),
      stop: async () => void (stopped += 1),
    };
    const watchlist = new Set(['AAPL$US']);
    const task = new IngestTask({
      config: {
        itick: { token: 't', url: market.url, maxSymbolsPerConnection: undefined, connections: 1 },
        batch: { windowMs: 20, maxPoints: 1_000, backlogMaxPoints: 1_000_000, shards: 1 },
        watchlistRefreshMs: 50,
        heartbeat: { intervalMs: 1_000, file: undefined },
      },
      watchlist: { list: async () => [...watchlist] },
      heartbeatSinks: [],
      invoker: { invoke: async (event) => ({ version: event.version, shard: event.shard, seq: event.seq, fired: 0, claimed: 0, state: event.state }) },
      logger: recordingLogger(),
      prices: observer,
    });
    try {
      task.start();
      expect(started).toBe(1);
      await eventually(() => market.subscribedSymbols().includes('AAPL$US'), 'the subscription');
      market.quote('AAPL$US', { prevClose: 190, last: 195 });
      market.script('AAPL$US', [196.5]);
      await eventually(() => seen.includes('trade AAPL$US 196.5'), 'the trade');
      expect(seen).toContain('quote AAPL$US 195 190');
      watchlist.clear();
      await eventually(() => seen.includes('forget AAPL$US'), 'the symbol to be forgotten');
    } finally {
      await task.stop(2_000);
      await market.close();
    }
    expect(stopped).toBe(1);
  });
});

import { countInRegularSession } from '../../core/engine/sessions';
import { afterEach, describe, expect, it } from 'vitest';
import { PathCompressor, type PricePointTuple } from '../../core/feed';
import { shardOf } from '../../ingest-task/src/shard-assignment';
import { eventually } from '../support/eventually';
import { startIngestHarness, type HarnessOptions, type IngestHarness } from '../support/ingest-harness';

let harness: IngestHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
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

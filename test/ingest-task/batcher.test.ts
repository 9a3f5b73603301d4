import { afterEach, describe, expect, it } from 'vitest';
import { BATCH_EVENT_VERSION, type BatchEvent, type BatchResult } from '../../core/feed';
import { Batcher, type BatcherOptions } from '../../ingest-task/src/batcher';
import { shardOf } from '../../ingest-task/src/shard-assignment';
import type { EvaluatorInvoker } from '../../ingest-task/src/evaluator-invoker';
import { eventually, pause } from '../support/eventually';
import { recordingEvaluator } from '../support/ingest-recording-evaluator';
import { recordingLogger } from '../support/ingest-recording-logger';

/** An evaluator whose answers the test releases one by one. */
function gatedEvaluator() {
  const calls: { event: BatchEvent; answer: (ok: boolean) => void }[] = [];
  const invoker: EvaluatorInvoker = {
    invoke: (event) =>
      new Promise<BatchResult>((resolve, reject) => {
        const copy = structuredClone(event);
        calls.push({
          event: copy,
          answer: (ok) => (ok ? resolve({ version: BATCH_EVENT_VERSION, shard: copy.shard, seq: copy.seq, fired: 0, claimed: 0, state: { after: copy.seq } }) : reject(new Error('down'))),
        });
      }),
  };
  return { invoker, calls };
}

const batchers: Batcher[] = [];
function batcher(options: Partial<BatcherOptions> & Pick<BatcherOptions, 'invoker'>): Batcher {
  const created = new Batcher({ shards: 1, windowMs: 20, maxPoints: 1_000, backlogMaxPoints: 1_000_000, logger: recordingLogger(), retry: { initialMs: 10, maxMs: 20 }, ...options });
  batchers.push(created);
  return created;
}
afterEach(async () => {
  // Closes timers of batchers a test left with work pending.
  await Promise.all(batchers.splice(0).map((b) => b.drain(0)));
});

/** Alternating prices: every tick is a turning point, so every tick is a kept point. */
const zigzag = (count: number, base = 100) => Array.from({ length: count }, (_, i) => base + (i % 2));
const prices = (event: BatchEvent, symbol: string) => event.symbols.find((path) => path.symbol === symbol)?.points.map(([price]) => price);

describe('batching ticks for the evaluator', () => {
  it('gathers ticks for the window, then hands them over as one batch', async () => {
    const evaluator = recordingEvaluator();
    const b = batcher({ invoker: evaluator, windowMs: 40 });
    const at = Date.now();
    b.addTrade('AAPL$US', 100, at, 10);
    b.addTrade('AAPL$US', 101, at + 1, 20);
    b.addTrade('TSLA$US', 200, at + 2, 5);
    expect(evaluator.calls).toHaveLength(0);
    const [event] = await eventually(() => evaluator.delivered().length === 1 && evaluator.delivered(), 'a batch');
    expect(event).toMatchObject({ version: 1, shard: 0, seq: 0 });
    expect(event?.state).toBeUndefined();
    expect(event?.symbols).toEqual([
      { symbol: 'AAPL$US', points: [[100, at, 10], [101, at + 1, 20]] },
      { symbol: 'TSLA$US', points: [[200, at + 2, 5]] },
    ]);
    // Three ticks, three positions (from the wall clock, so possibly further apart than 1).
    expect(event!.fromPos).toBeGreaterThanOrEqual(at * 1000);
    expect(event!.toPos - event!.fromPos).toBeGreaterThanOrEqual(2);
  });

  it("sends the state of a shard's last answer with its next batch", async () => {
    const evaluator = recordingEvaluator();
    const b = batcher({ invoker: evaluator });
    b.addTrade('AAPL$US', 100, Date.now(), 1);
    await eventually(() => evaluator.delivered().length === 1, 'first batch');
    b.addTrade('AAPL$US', 101, Date.now(), 1);
    const events = await eventually(() => evaluator.delivered().length === 2 && evaluator.delivered(), 'second batch');
    expect(events[1]).toMatchObject({ seq: 1, state: { batches: 1, lastSeq: 0 } });
  });

  it('keeps one batch per shard in flight; ticks gathered meanwhile follow in the next batch, in order', async () => {
    const { invoker, calls } = gatedEvaluator();
    const b = batcher({ invoker, windowMs: 10 });
    b.addTrade('AAPL$US', 100, Date.now(), 1);
    await eventually(() => calls.length === 1, 'first batch in flight');
    b.addTrade('AAPL$US', 101, Date.now(), 1);
    b.addTrade('AAPL$US', 99, Date.now(), 1);
    await pause(60);
    expect(calls).toHaveLength(1);
    calls[0]!.answer(true);
    await eventually(() => calls.length === 2, 'second batch');
    const [first, second] = calls.map((call) => call.event);
    expect(prices(second!, 'AAPL$US')).toEqual([101, 99]);
    expect(second).toMatchObject({ seq: 1, state: { after: 0 } });
    expect(second!.fromPos).toBeGreaterThan(first!.toPos);
  });

  it('spreads symbols over shards by a stable hash and sends each shard its own batches', async () => {
    const evaluator = recordingEvaluator();
    const b = batcher({ invoker: evaluator, shards: 4 });
    const symbols = Array.from({ length: 40 }, (_, i) => `S${i}$US`);
    for (const symbol of symbols) b.addTrade(symbol, 10, Date.now(), 1);
    await eventually(() => evaluator.delivered().flatMap((event) => event.symbols).length === 40, 'all symbols');
    for (const event of evaluator.delivered()) {
      for (const path of event.symbols) expect(shardOf(path.symbol, 4)).toBe(event.shard);
    }
    expect(new Set(evaluator.delivered().map((event) => event.shard)).size).toBe(4);
    expect(shardOf('AAPL$US', 4)).toBe(shardOf('AAPL$US', 4));
  });

  it('flushes a shard early when its kept points reach the limit', async () => {
    const evaluator = recordingEvaluator();
    const b = batcher({ invoker: evaluator, windowMs: 60_000, maxPoints: 100, backlogMaxPoints: 400 });
    const at = Date.now();
    zigzag(100).forEach((price) => b.addTrade('AAPL$US', price, at, 1));
    const [event] = await eventually(() => evaluator.delivered().length === 1 && evaluator.delivered(), 'early batch');
    expect(event?.symbols[0]?.points).toHaveLength(100);
  });

  it('numbers ticks from the wall clock, increasing across batches', async () => {
    const evaluator = recordingEvaluator();
    const b = batcher({ invoker: evaluator });
    const before = Date.now() * 1000;
    for (let i = 0; i < 3; i += 1) {
      b.addTrade('AAPL$US', 100 + i, Date.now(), 1);
      await eventually(() => evaluator.delivered().length === i + 1, `batch ${i}`);
    }
    const events = evaluator.delivered();
    expect(events[0]!.fromPos).toBeGreaterThanOrEqual(before);
    for (let i = 1; i < events.length; i += 1) expect(events[i]!.fromPos).toBeGreaterThan(events[i - 1]!.toPos);
  });

  it('retries a failed batch with the ticks gathered since, keeping its seq, its fromPos and the previous state', async () => {
    const evaluator = recordingEvaluator();
    const b = batcher({ invoker: evaluator, retry: { initialMs: 80, maxMs: 80 } });
    b.addTrade('AAPL$US', 100, Date.now(), 1);
    await eventually(() => evaluator.delivered().length === 1, 'first batch');
    evaluator.failNext(1);
    const at = Date.now();
    b.addTrade('AAPL$US', 105, at, 1);
    await eventually(() => evaluator.calls.length === 2, 'failed call');
    b.addTrade('AAPL$US', 95, at + 1, 1);
    b.addTrade('TSLA$US', 200, at + 2, 1);
    await eventually(() => evaluator.delivered().length === 2, 'retried batch');
    const failed = evaluator.calls[1]!.event;
    const retried = evaluator.delivered()[1]!;
    expect(retried.seq).toBe(failed.seq);
    expect(retried.fromPos).toBe(failed.fromPos);
    expect(retried.toPos).toBeGreaterThan(failed.toPos);
    expect(retried.state).toEqual(failed.state);
    expect(prices(retried, 'AAPL$US')).toEqual([105, 95]);
    expect(prices(retried, 'TSLA$US')).toEqual([200]);
    expect(b.stats()).toMatchObject({ invokeFailures: 1, ticksDelivered: 4, pendingTicks: 0 });
  });

  it('retries a failed batch on its own rather than join points from both sides of a reset', async () => {
    const evaluator = recordingEvaluator();
    const b = batcher({ invoker: evaluator, retry: { initialMs: 80, maxMs: 80 } });
    evaluator.failNext(1);
    b.addTrade('AAPL$US', 100, Date.now(), 1);
    await eventually(() => evaluator.calls.length === 1, 'failed call');
    b.markReset('AAPL$US');
    b.addTrade('AAPL$US', 150, Date.now(), 1);
    await eventually(() => evaluator.delivered().length === 2, 'retry, then the batch after the gap');
    const [retry, after] = evaluator.delivered();
    expect(retry?.symbols).toEqual([{ symbol: 'AAPL$US', points: [[100, expect.any(Number), 1]] }]);
    expect(after?.symbols).toEqual([{ symbol: 'AAPL$US', points: [[150, expect.any(Number), 1]], reset: true }]);
    expect(after?.seq).toBe(1);
  });

  it('marks the first batch of a symbol after a reset, and only that one', async () => {
    const evaluator = recordingEvaluator();
    const b = batcher({ invoker: evaluator });
    b.markReset('AAPL$US');
    b.addTrade('AAPL$US', 100, Date.now(), 1);
    await eventually(() => evaluator.delivered().length === 1, 'first batch');
    b.addTrade('AAPL$US', 101, Date.now(), 1);
    await eventually(() => evaluator.delivered().length === 2, 'second batch');
    expect(evaluator.delivered().map((event) => event.symbols[0]?.reset)).toEqual([true, undefined]);
  });

  it('seals the window at a reset so that a path never spans a gap', async () => {
    const { invoker, calls } = gatedEvaluator();
    const b = batcher({ invoker });
    b.addTrade('AAPL$US', 100, Date.now(), 1);
    await eventually(() => calls.length === 1, 'first batch in flight');
    b.addTrade('AAPL$US', 101, Date.now(), 1);
    b.markReset('AAPL$US');
    b.addTrade('AAPL$US', 130, Date.now(), 1);
    calls[0]!.answer(true);
    await eventually(() => calls.length === 2, 'batch before the gap');
    calls[1]!.answer(true);
    await eventually(() => calls.length === 3, 'batch after the gap');
    expect(calls.map((call) => call.event.symbols[0])).toEqual([
      { symbol: 'AAPL$US', points: [[100, expect.any(Number), 1]] },
      { symbol: 'AAPL$US', points: [[101, expect.any(Number), 1]] },
      { symbol: 'AAPL$US', points: [[130, expect.any(Number), 1]], reset: true },
    ]);
  });

  it("keeps the previous close from quotes and sends it with the symbol's path; a quote's price is no point of its own", async () => {
    const evaluator = recordingEvaluator();
    const b = batcher({ invoker: evaluator });
    const at = Date.now();
    // The connection hands a quote that stands for a trade on as a trade too (quote-trades.ts):
    // a point here as well would count that trade twice.
    b.setPrevClose('AAPL$US', 98);
    b.addTrade('AAPL$US', 99, at, 0);
    b.setPrevClose('AAPL$US', undefined);
    await eventually(() => evaluator.delivered().length === 1, 'first batch');
    b.setPrevClose('AAPL$US', 98.5);
    b.addTrade('AAPL$US', 100, at + 3, 7);
    await eventually(() => evaluator.delivered().length === 2, 'second batch');
    expect(evaluator.delivered().map((event) => event.symbols[0])).toEqual([
      { symbol: 'AAPL$US', points: [[99, at, 0]], prevClose: 98 },
      { symbol: 'AAPL$US', points: [[100, at + 3, 7]], prevClose: 98.5 },
    ]);
  });

  it('sends no batch for quotes alone', async () => {
    const evaluator = recordingEvaluator();
    const b = batcher({ invoker: evaluator });
    b.setPrevClose('AAPL$US', 98);
    await pause(60);
    expect(evaluator.calls).toHaveLength(0);
    expect(b.stats()).toMatchObject({ ticksAccepted: 0, pendingPoints: 0 });
  });

  it("still hands over a retired symbol's gathered ticks", async () => {
    const evaluator = recordingEvaluator();
    const b = batcher({ invoker: evaluator });
    b.addTrade('AAPL$US', 100, Date.now(), 1);
    b.retire('AAPL$US');
    await eventually(() => evaluator.pricesOf('AAPL$US').length === 1, 'batch');
  });

  it('at the backlog cap drops the oldest waiting ticks, says so once, and restarts their symbols from a baseline', async () => {
    const { invoker, calls } = gatedEvaluator();
    const logger = recordingLogger();
    const b = batcher({ invoker, logger, windowMs: 60_000, maxPoints: 100, backlogMaxPoints: 400 });
    const at = Date.now();
    b.addTrade('AAPL$US', 50, at, 1);
    b.markReset('AAPL$US');
    await eventually(() => calls.length === 1, 'first batch in flight');
    // The evaluator hangs: 10 windows of 100 points pile up against a cap of 400.
    for (let window = 0; window < 10; window += 1) zigzag(100, 100 + window * 10).forEach((price) => b.addTrade('AAPL$US', price, at, 1));
    const stats = b.stats();
    expect(stats.droppedTicks).toBeGreaterThan(0);
    expect(stats.pendingPoints - 1).toBeLessThanOrEqual(400);
    expect(logger.find('error', 'BACKLOG_MAX_POINTS')).toHaveLength(1);
    calls[0]!.answer(true);
    await eventually(() => calls.length === 2, 'the oldest kept batch');
    // The oldest windows were dropped: what comes next starts at a later window, as a baseline.
    expect(calls[1]!.event.symbols[0]).toMatchObject({ reset: true });
    expect(calls[1]!.event.symbols[0]!.points[0]![0]).toBeGreaterThan(100 + 10);
  });

  it('drains at once on shutdown and resolves when the evaluator has acknowledged everything', async () => {
    const evaluator = recordingEvaluator();
    const b = batcher({ invoker: evaluator, windowMs: 60_000 });
    b.addTrade('AAPL$US', 100, Date.now(), 1);
    await expect(b.drain(1_000)).resolves.toEqual({ complete: true, pendingTicks: 0 });
    expect(evaluator.pricesOf('AAPL$US')).toEqual([100]);
  });

  it('gives up draining after its timeout and logs the ticks left behind', async () => {
    const { invoker } = gatedEvaluator();
    const logger = recordingLogger();
    const b = batcher({ invoker, logger, windowMs: 60_000 });
    b.addTrade('AAPL$US', 100, Date.now(), 1);
    await expect(b.drain(50)).resolves.toEqual({ complete: false, pendingTicks: 1 });
    expect(logger.find('error', 'did not acknowledge')).toHaveLength(1);
  });
});

import { describe, expect, it } from 'vitest';
import { BATCH_EVENT_VERSION } from '../../core/feed';
import type { SealedWindow } from '../../ingest-task/src/batch-window';
import { DRAIN_RETRY_MAX_MS, ShardHandOver } from '../../ingest-task/src/shard-hand-over';

const window = (price: number, pos: number): SealedWindow => ({
  paths: [{ symbol: 'AAPL$US', points: [[price, pos, 1]], reset: false, prevClose: undefined }],
  points: 1,
  ticks: 1,
  fromPos: pos,
  toPos: pos,
  openedAt: pos,
});
const none = () => undefined;

/** A lane whose first batch (one AAPL point at position 1) failed and waits for its retry. */
function laneWithFailedBatch(): ShardHandOver {
  const lane = new ShardHandOver(0, { maxPoints: 100, retry: { initialMs: 200, maxMs: 1_000 }, random: () => 0 });
  lane.enqueue(window(100, 1));
  const batch = lane.nextBatch(none)!;
  lane.send(batch, 0);
  lane.failed(batch, 0);
  return lane;
}

describe("a shard's hand-over", () => {
  it('numbers batches, sends the state of the last answer with the next batch, and matches answers to the batch', () => {
    const lane = new ShardHandOver(2, { maxPoints: 100, retry: { initialMs: 200, maxMs: 10_000 }, random: () => 0 });
    lane.enqueue(window(100, 1));
    const first = lane.nextBatch(none)!;
    expect(lane.send(first, 5)).toEqual({ version: BATCH_EVENT_VERSION, shard: 2, seq: 0, fromPos: 1, toPos: 1, sentAt: 5, symbols: [{ symbol: 'AAPL$US', points: [[100, 1, 1]] }] });
    expect(lane.mismatch(first, { version: BATCH_EVENT_VERSION, shard: 2, seq: 1, fired: 0, claimed: 0, state: null })?.message).toMatch(/seq 1 for shard 2 seq 0/);
    lane.acknowledged({ version: BATCH_EVENT_VERSION, shard: 2, seq: 0, fired: 0, claimed: 0, state: { n: 1 } });
    lane.enqueue(window(101, 2));
    expect(lane.send(lane.nextBatch(none)!, 6)).toMatchObject({ seq: 1, state: { n: 1 } });
  });

  it('waits a doubling, equal-jitter backoff after each failure, at most 500 ms once draining', () => {
    const lane = new ShardHandOver(0, { maxPoints: 100, retry: { initialMs: 200, maxMs: 1_000 }, random: () => 0.999999 });
    lane.enqueue(window(100, 1));
    const batch = lane.nextBatch(none)!;
    const waits = [1, 2, 3, 4].map(() => {
      lane.send(batch, 0);
      return lane.failed(batch, 0).retryInMs;
    });
    expect(waits).toEqual([200, 400, 800, 1_000]);
    lane.drain(0);
    expect(lane.retryAt).toBe(DRAIN_RETRY_MAX_MS);
    expect(lane.failed(batch, 0)).toEqual({ attempt: 5, retryInMs: DRAIN_RETRY_MAX_MS });
  });

  it('retries a failed batch with the next window merged behind it, keeping its seq', () => {
    const lane = laneWithFailedBatch();
    let sealed = 0;
    const retried = lane.nextBatch(() => {
      sealed += 1;
      lane.enqueue(window(90, 2));
    });
    expect(sealed).toBe(1);
    expect(retried).toMatchObject({ seq: 0, fromPos: 1, toPos: 2, ticks: 2 });
    expect(lane.idle).toBe(true);
  });

  it('drops the failed batch first at the backlog cap and marks its symbols for a baseline', () => {
    const lane = laneWithFailedBatch();
    lane.enqueue(window(101, 2));
    expect(lane.dropOldest(1, 0)).toEqual({ ticks: 1, points: 1, symbols: new Set(['AAPL$US']) });
    expect(lane.dropOldest(1, 0)).toBeUndefined();
    expect(lane.nextBatch(none)?.paths[0]?.reset).toBe(true);
  });
});

/**
 * Hand-over: what one shard has sealed and not yet got acknowledged by the evaluator, and the
 * rules for giving it over.
 *
 * - At most one batch in flight; `seq` is +1 per new batch, and the engine state of the last
 *   answer goes with the next batch.
 * - A failed batch waits out a capped jittered backoff (core/retry.ts) and is retried with the
 *   same `seq`, `fromPos` and previous state, with the next sealed window merged behind it when
 *   {@link mergeWindows} allows.
 * - The backlog cap drops the oldest waiting batch first, and marks its symbols so that their
 *   next path is a baseline.
 */
import { BATCH_EVENT_VERSION, type BatchEvent, type BatchResult, type SymbolPath } from '../../core/feed';
import { backoffDelay, type Backoff, type Random } from '../../core/retry';
import { mergeWindows, type SealedWindow } from './batch-window';

/** A sealed window given a `seq`. */
export interface Batch extends SealedWindow {
  seq: number;
}

/** What {@link ShardHandOver.dropOldest} dropped. */
export interface DroppedBacklog {
  ticks: number;
  points: number;
  symbols: Set<string>;
}

/** Retry backoff cap while draining: a shutdown has seconds, not minutes. */
export const DRAIN_RETRY_MAX_MS = 500;

/**
 * One shard's queue of sealed windows, batch in flight and failed batch.
 * @example
 * const handOver = new ShardHandOver(0, { maxPoints: 10_000, retry: { initialMs: 200, maxMs: 10_000 }, random: Math.random });
 * handOver.enqueue(window);
 * const batch = handOver.nextBatch(() => undefined);
 * const event = handOver.send(batch, Date.now()); // then handOver.acknowledged(result) or handOver.failed(batch, Date.now())
 */
export class ShardHandOver {
  /** Sent and not answered yet. */
  inFlight: Batch | undefined;
  /** A batch whose invocation failed, waiting for `retryAt`. */
  retry: Batch | undefined;
  retryAt = 0;
  private queue: SealedWindow[] = [];
  private queuedPoints = 0;
  private failures = 0;
  private state: unknown;
  private hasState = false;
  private nextSeq = 0;
  private draining = false;
  /** Symbols whose next point follows dropped ticks. */
  private readonly gaps = new Set<string>();

  constructor(
    readonly index: number,
    private readonly options: { maxPoints: number; retry: Backoff; random: Random },
  ) {}

  get queued(): number {
    return this.queue.length;
  }

  /** Nothing waits and nothing is in flight. */
  get idle(): boolean {
    return this.inFlight === undefined && this.retry === undefined && this.queue.length === 0;
  }

  /** Every batch and window not acknowledged yet. */
  *pending(): Iterable<SealedWindow> {
    if (this.inFlight !== undefined) yield this.inFlight;
    if (this.retry !== undefined) yield this.retry;
    yield* this.queue;
  }

  enqueue(window: SealedWindow): void {
    this.queue.push(window);
    this.queuedPoints += window.points;
  }

  /** From now on retries wait at most {@link DRAIN_RETRY_MAX_MS}, one already scheduled included. */
  drain(now: number): void {
    this.draining = true;
    if (this.retry !== undefined) this.retryAt = Math.min(this.retryAt, now + DRAIN_RETRY_MAX_MS);
  }

  /**
   * The batch to send next: the failed batch (with the next window merged behind it when that
   * keeps every path free of gaps and the batch within `maxPoints`; the merged batch keeps the
   * failed batch's `seq` and `fromPos`, as it replaces a batch the evaluator never acknowledged),
   * else the oldest sealed window. `sealOpen` is called when no window is queued, to seal the
   * shard's open window into the queue.
   */
  nextBatch(sealOpen: () => void): Batch | undefined {
    const failed = this.retry;
    if (failed !== undefined) {
      // Out of the retry slot first: a backlog drop in the seal below leaves the failed batch be.
      this.retry = undefined;
      if (this.queue.length === 0) sealOpen();
      const next = this.queue[0];
      if (next === undefined) return failed;
      this.applyGaps(next);
      const merged = mergeWindows(failed, next, this.options.maxPoints);
      if (merged === undefined) return failed;
      this.dequeue();
      return { ...merged, seq: failed.seq };
    }
    if (this.queue.length === 0) sealOpen();
    const window = this.dequeue();
    if (window === undefined) return undefined;
    const batch = { ...window, seq: this.nextSeq };
    this.nextSeq += 1;
    return batch;
  }

  /** Marks `batch` in flight and gives the event that carries it. */
  send(batch: Batch, now: number): BatchEvent {
    this.inFlight = batch;
    const symbols = batch.paths.map((path): SymbolPath => {
      const out: SymbolPath = { symbol: path.symbol, points: path.points };
      if (path.prevClose !== undefined) out.prevClose = path.prevClose;
      if (path.reset) out.reset = true;
      return out;
    });
    const event: BatchEvent = { version: BATCH_EVENT_VERSION, shard: this.index, seq: batch.seq, fromPos: batch.fromPos, toPos: batch.toPos, sentAt: now, symbols };
    if (this.hasState) event.state = this.state;
    return event;
  }

  /** Why `result` does not answer `batch`, or `undefined` when it does. */
  mismatch(batch: Batch, result: BatchResult): Error | undefined {
    if (result.shard === this.index && result.seq === batch.seq) return undefined;
    return new Error(`evaluator answered shard ${result.shard} seq ${result.seq} for shard ${this.index} seq ${batch.seq}`);
  }

  /** The evaluator answered the batch in flight: keep its state for the next batch. */
  acknowledged(result: BatchResult): void {
    this.inFlight = undefined;
    this.failures = 0;
    this.state = result.state;
    this.hasState = true;
  }

  /** The invocation of `batch` failed: it waits for a retry. Returns the attempt and the wait. */
  failed(batch: Batch, now: number): { attempt: number; retryInMs: number } {
    this.inFlight = undefined;
    this.failures += 1;
    const { initialMs, maxMs } = this.options.retry;
    const cap = this.draining ? Math.min(DRAIN_RETRY_MAX_MS, maxMs) : maxMs;
    const retryInMs = backoffDelay({ initialMs, maxMs: cap }, this.failures, this.options.random);
    this.retry = batch;
    this.retryAt = now + retryInMs;
    return { attempt: this.failures, retryInMs };
  }

  /**
   * Drops the oldest waiting batches (the failed one first) while the points waiting, with
   * `openPoints` of the open window, are over `budget`; `undefined` when nothing was dropped.
   */
  dropOldest(budget: number, openPoints: number): DroppedBacklog | undefined {
    let waiting = this.queuedPoints + (this.retry?.points ?? 0) + openPoints;
    const dropped: DroppedBacklog = { ticks: 0, points: 0, symbols: new Set() };
    while (waiting > budget) {
      let oldest: SealedWindow | undefined;
      if (this.retry !== undefined) {
        oldest = this.retry;
        this.retry = undefined;
        this.failures = 0;
      } else {
        oldest = this.queue.shift();
        if (oldest === undefined) break;
        this.queuedPoints -= oldest.points;
      }
      waiting -= oldest.points;
      dropped.ticks += oldest.ticks;
      dropped.points += oldest.points;
      for (const path of oldest.paths) {
        this.gaps.add(path.symbol);
        dropped.symbols.add(path.symbol);
      }
    }
    return dropped.ticks === 0 ? undefined : dropped;
  }

  /** Takes the queue's head, with the resets that dropped ticks before it call for. */
  private dequeue(): SealedWindow | undefined {
    const window = this.queue.shift();
    if (window === undefined) return undefined;
    this.queuedPoints -= window.points;
    this.applyGaps(window);
    return window;
  }

  private applyGaps(window: SealedWindow): void {
    if (this.gaps.size === 0) return;
    for (const path of window.paths) {
      if (this.gaps.delete(path.symbol)) path.reset = true;
    }
  }
}

/**
 * The batcher, composed: ticks go into their shard's open window (batching, batch-window.ts), a
 * symbol's shard is fixed by a stable hash (sharding, shard-assignment.ts), and each shard hands
 * its sealed windows to the evaluator one batch at a time (hand-over, shard-hand-over.ts). This
 * module holds what ties them together: tick positions, each shard's timer (when its next batch is
 * due), the backlog cap across shards, stats and the drain on shutdown.
 *
 * - A shard's open window is sealed when it is `windowMs` old and the shard is idle, when it
 *   reaches `maxPoints` kept points (sealed at once, even while a batch is in flight), or when a
 *   symbol in it gets a reset mark (so points from both sides of a gap never share one path).
 * - A failed invocation is retried after a capped jittered backoff with the ticks gathered since
 *   merged behind it (docs/ingest.md, "Sharding and hand-over").
 * - Memory is bounded by `backlogMaxPoints`: when a shard's waiting points pass its share, its
 *   oldest waiting batch is dropped, loudly (error log, `droppedTicks`), and its symbols'
 *   next points become baselines. Dropping the oldest keeps what an alert is still useful for.
 *
 * Positions: every tick gets `max(lastPos + 1, now × 1000)`, so positions grow across restarts of
 * the task as long as it takes fewer than 1000 ticks per millisecond on average.
 */
import type { Backoff, Random } from '../../core/retry';
import { newSymbolFeed, OpenWindow, type SymbolFeed } from './batch-window';
import type { EvaluatorInvoker } from './evaluator-invoker';
import { errorMessage, type IngestLogger } from './logger';
import { shardOf } from './shard-assignment';
import { ShardHandOver, type Batch } from './shard-hand-over';

export interface BatcherOptions {
  shards: number;
  windowMs: number;
  /** A window is sealed when its kept points reach this; batches stay below it unless a merge is refused. */
  maxPoints: number;
  /** Hard cap on points waiting across all shards (not counting batches in flight). */
  backlogMaxPoints: number;
  invoker: EvaluatorInvoker;
  logger: IngestLogger;
  /** Backoff of a failed invocation; defaults to 200 ms doubling up to 10 s. */
  retry?: Backoff;
  now?: () => number;
  random?: Random;
}

export interface BatcherStats {
  ticksAccepted: number;
  ticksDelivered: number;
  batchesDelivered: number;
  invokeFailures: number;
  /** Ticks dropped at the backlog cap since start; anything but 0 is an incident. */
  droppedTicks: number;
  /** Points gathered and not yet acknowledged by the evaluator. */
  pendingPoints: number;
  pendingTicks: number;
  /** Age of the oldest tick not yet acknowledged by the evaluator (0 when all are). */
  lagMs: number;
}

/** The default backoff of a failed invocation. */
const DEFAULT_RETRY: Backoff = { initialMs: 200, maxMs: 10_000 };

/** A shard: the window it is gathering, what it hands over, and the timer of its next batch. */
interface Shard {
  open: OpenWindow;
  handOver: ShardHandOver;
  timer: NodeJS.Timeout | undefined;
  timerDue: number;
}

/**
 * Batches ticks per shard and invokes the evaluator.
 * @example
 * const batcher = new Batcher({ shards: 4, windowMs: 250, maxPoints: 10_000, backlogMaxPoints: 1_000_000, invoker, logger });
 * batcher.markReset('AAPL$US');             // just subscribed: the first point is a baseline
 * batcher.addTrade('AAPL$US', 190.5, Date.now(), 100);
 * batcher.setPrevClose('AAPL$US', 188.2); // a quote's previous close goes with the next batch
 * await batcher.drain(8_000);               // on SIGTERM
 */
export class Batcher {
  private readonly shards: Shard[];
  private readonly feeds = new Map<string, SymbolFeed>();
  private readonly now: () => number;
  private readonly shardBudget: number;
  private lastPos = 0;
  private draining = false;
  private closed = false;
  private settled: (() => void) | undefined;
  private lastDropLogAt = Number.NEGATIVE_INFINITY;
  private readonly counters = { ticksAccepted: 0, ticksDelivered: 0, batchesDelivered: 0, invokeFailures: 0, droppedTicks: 0 };
  /** Called by a sealed window for each retired symbol whose last points it took. */
  private readonly forget = (feed: SymbolFeed): void => {
    if (this.feeds.get(feed.symbol) === feed) this.feeds.delete(feed.symbol);
  };

  constructor(private readonly options: BatcherOptions) {
    this.now = options.now ?? Date.now;
    const handOverOptions = { maxPoints: options.maxPoints, retry: options.retry ?? DEFAULT_RETRY, random: options.random ?? Math.random };
    this.shardBudget = Math.floor(options.backlogMaxPoints / options.shards);
    if (this.shardBudget < options.maxPoints * 4) throw new RangeError('backlogMaxPoints must be at least shards × maxPoints × 4');
    this.shards = Array.from({ length: options.shards }, (_, index) => ({
      open: new OpenWindow(),
      handOver: new ShardHandOver(index, handOverOptions),
      timer: undefined,
      timerDue: 0,
    }));
  }

  /**
   * A trade: the price path's next point. It may come from a `tick` or from a quote with a new
   * last price (the connection decides which quotes are trades: quote-trades.ts), so a quote-only
   * feed is priced through here too.
   */
  addTrade(symbol: string, price: number, at: number, volume: number): void {
    this.addPoint(this.feed(symbol), price, at, volume);
  }

  /**
   * A quote's previous close: kept (sent with the symbol's next batch). Its price is not
   * a point here: a quote that stands for a trade comes through {@link addTrade} as well, so a
   * point here would count it twice.
   */
  setPrevClose(symbol: string, prevClose: number | undefined): void {
    if (prevClose === undefined) return;
    const feed = this.feed(symbol);
    feed.prevClose = prevClose;
  }

  /** The symbol's next point follows a gap in the feed (a (re)connect or (re)subscribe). */
  markReset(symbol: string): void {
    const feed = this.feed(symbol);
    feed.retired = false;
    if (feed.compressor.size > 0) {
      const shard = this.shards[feed.shard] as Shard;
      this.seal(shard);
      this.schedule(shard);
    }
    feed.reset = true;
  }

  /** The symbol is no longer watched: its gathered points still go out, then it is forgotten. */
  retire(symbol: string): void {
    const feed = this.feeds.get(symbol);
    if (feed === undefined) return;
    feed.retired = true;
    if (feed.compressor.size === 0) this.feeds.delete(symbol);
  }

  stats(): BatcherStats {
    const now = this.now();
    let pendingPoints = 0;
    let pendingTicks = 0;
    let oldest = Number.POSITIVE_INFINITY;
    for (const shard of this.shards) {
      for (const window of shard.handOver.pending()) {
        pendingPoints += window.points;
        pendingTicks += window.ticks;
        oldest = Math.min(oldest, window.openedAt);
      }
      if (shard.open.ticks > 0) {
        pendingPoints += shard.open.points;
        pendingTicks += shard.open.ticks;
        oldest = Math.min(oldest, shard.open.openedAt);
      }
    }
    return { ...this.counters, pendingPoints, pendingTicks, lagMs: Number.isFinite(oldest) ? Math.max(0, now - oldest) : 0 };
  }

  /**
   * Sends everything gathered without waiting for windows, and resolves when the evaluator has
   * acknowledged it all or `timeoutMs` has passed (what is left is logged). Failed batches are
   * still retried meanwhile, with backoff capped at 500 ms. The batcher is closed afterwards.
   */
  async drain(timeoutMs: number): Promise<{ complete: boolean; pendingTicks: number }> {
    this.draining = true;
    const now = this.now();
    for (const shard of this.shards) {
      shard.handOver.drain(now);
      this.schedule(shard);
    }
    const deadline = now + timeoutMs;
    while (!this.isIdle() && this.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - this.now()));
        this.settled = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.settled = undefined;
    }
    for (const shard of this.shards) clearTimeout(shard.timer);
    const { pendingTicks } = this.stats();
    this.closed = true;
    if (pendingTicks > 0) this.options.logger.error('shutdown: evaluator did not acknowledge every tick in time; these ticks are lost', { pendingTicks });
    return { complete: pendingTicks === 0, pendingTicks };
  }

  private isIdle(): boolean {
    return this.shards.every((s) => s.handOver.idle && s.open.ticks === 0);
  }

  private feed(symbol: string): SymbolFeed {
    let feed = this.feeds.get(symbol);
    if (feed === undefined) {
      feed = newSymbolFeed(symbol, shardOf(symbol, this.shards.length));
      this.feeds.set(symbol, feed);
    }
    return feed;
  }

  private addPoint(feed: SymbolFeed, price: number, at: number, volume: number): void {
    const now = this.now();
    const pos = Math.max(this.lastPos + 1, now * 1000);
    this.lastPos = pos;
    this.counters.ticksAccepted += 1;
    const shard = this.shards[feed.shard] as Shard;
    const open = shard.open;
    open.add(feed, price, at, volume, pos, now);
    if (open.points >= this.options.maxPoints) {
      this.seal(shard);
      this.schedule(shard);
    } else if (open.ticks === 1) {
      this.schedule(shard);
    }
  }

  /** Moves the open window into the hand-over queue. */
  private seal(shard: Shard): void {
    const window = shard.open.seal(this.forget);
    if (window === undefined) return;
    shard.handOver.enqueue(window);
    this.enforceBacklog(shard);
  }

  /** When the shard's next batch is due: a failed batch's retry, a sealed window, or the open window's end. */
  private dueAt(shard: Shard, now: number): number | undefined {
    const handOver = shard.handOver;
    if (handOver.retry !== undefined) return handOver.retryAt;
    if (handOver.queued > 0) return now;
    if (shard.open.ticks > 0) return this.draining ? now : shard.open.openedAt + this.options.windowMs;
    return undefined;
  }

  /** Arms the shard's timer for the moment its next batch is due. */
  private schedule(shard: Shard): void {
    if (this.closed || shard.handOver.inFlight !== undefined) return;
    const now = this.now();
    const due = this.dueAt(shard, now);
    if (due === undefined) return;
    if (shard.timer !== undefined) {
      if (shard.timerDue <= due) return;
      clearTimeout(shard.timer);
    }
    shard.timerDue = due;
    shard.timer = setTimeout(() => {
      shard.timer = undefined;
      this.send(shard);
    }, Math.max(0, due - now));
  }

  private send(shard: Shard): void {
    const handOver = shard.handOver;
    if (this.closed || handOver.inFlight !== undefined) return;
    const now = this.now();
    const due = this.dueAt(shard, now);
    if (due === undefined) return;
    if (now < due) {
      this.schedule(shard);
      return;
    }
    const batch = handOver.nextBatch(() => this.seal(shard));
    if (batch === undefined) return;
    this.options.invoker.invoke(handOver.send(batch, now)).then(
      (result) => {
        const mismatch = handOver.mismatch(batch, result);
        if (mismatch !== undefined) return this.failed(shard, batch, mismatch);
        handOver.acknowledged(result);
        this.counters.batchesDelivered += 1;
        this.counters.ticksDelivered += batch.ticks;
        this.schedule(shard);
        this.settled?.();
      },
      (error: unknown) => this.failed(shard, batch, error),
    );
  }

  private failed(shard: Shard, batch: Batch, error: unknown): void {
    this.counters.invokeFailures += 1;
    const { attempt, retryInMs } = shard.handOver.failed(batch, this.now());
    this.options.logger.warn('evaluator invocation failed; retrying with the ticks gathered since', {
      shard: shard.handOver.index,
      seq: batch.seq,
      attempt,
      retryInMs,
      ticks: batch.ticks,
      error: errorMessage(error),
    });
    this.enforceBacklog(shard);
    this.schedule(shard);
    this.settled?.();
  }

  /** Drops the shard's oldest waiting batches while its waiting points are over its share of the cap. */
  private enforceBacklog(shard: Shard): void {
    const dropped = shard.handOver.dropOldest(this.shardBudget, shard.open.points);
    if (dropped === undefined) return;
    this.counters.droppedTicks += dropped.ticks;
    const now = this.now();
    // One line per 10 s at most: during an outage this can happen several times a second.
    if (now - this.lastDropLogAt >= 10_000) {
      this.lastDropLogAt = now;
      this.options.logger.error('backlog over BACKLOG_MAX_POINTS: dropped the oldest waiting ticks; their symbols restart from a baseline', {
        shard: shard.handOver.index,
        droppedTicks: dropped.ticks,
        droppedPoints: dropped.points,
        droppedTicksTotal: this.counters.droppedTicks,
        symbols: [...dropped.symbols].slice(0, 20),
        symbolCount: dropped.symbols.size,
      });
    }
  }
}

/**
 * Gathers ticks into batches and hands them to the evaluator, shard by shard, in order.
 *
 * - Each symbol belongs to one shard (a stable hash). A shard has at most one batch in flight, so
 *   a symbol's batches are evaluated in order, and the engine state that a batch's answer returns
 *   goes with the shard's next batch.
 * - A shard's *open window* gathers ticks in one {@link PathCompressor} per symbol. It is sealed
 *   when it is `windowMs` old and the shard is idle, when it reaches `maxPoints` kept points
 *   (sealed at once, even while a batch is in flight), or when a symbol in it gets a reset mark.
 *   Sealed windows wait in a queue and become batches one at a time.
 * - Reset marks: after a (re)connect or (re)subscribe, the symbol's next point is a baseline
 *   (`reset: true`). A window holding the symbol's points from before the gap is sealed first, so
 *   points from both sides of a gap never share one path.
 * - A failed invocation is retried with capped jittered backoff, with the same `seq`, `fromPos`
 *   and previous state. When it is due, the next waiting window is merged behind it (one exact
 *   compression of the joined path per symbol) unless that would put a gap inside a path or go
 *   over `maxPoints`; then the failed batch is retried as it was.
 * - Memory is bounded by `backlogMaxPoints`: when a shard's waiting points pass its share, its
 *   oldest waiting batch is dropped, loudly (error log, `droppedTicks`), and its symbols'
 *   next points become baselines. Dropping the oldest keeps what an alert is still useful for.
 *
 * Positions: every tick gets `max(lastPos + 1, now × 1000)`, so positions grow across restarts of
 * the task as long as it takes fewer than 1000 ticks per millisecond on average.
 */
import { BATCH_EVENT_VERSION, PathCompressor, type BatchEvent, type BatchResult, type PricePointTuple, type SymbolPath } from '../../core/feed';
import type { EvaluatorInvoker } from './evaluator-invoker';
import { errorMessage, type IngestLogger } from './logger';

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
  retry?: { initialMs: number; maxMs: number };
  now?: () => number;
  random?: () => number;
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

/** A symbol's path in a sealed window. */
interface PendingPath {
  symbol: string;
  points: PricePointTuple[];
  reset: boolean;
  prevClose: number | undefined;
}

/** A sealed window, or a batch made of one (or of a failed batch and the window after it). */
interface Window {
  paths: PendingPath[];
  points: number;
  ticks: number;
  fromPos: number;
  toPos: number;
  /** When the oldest tick in it was received. */
  openedAt: number;
}

interface Batch extends Window {
  seq: number;
}

interface SymbolFeed {
  symbol: string;
  shard: Shard;
  compressor: PathCompressor;
  /** The next point follows a gap (reconnect, resubscribe): the engine takes it as a baseline. */
  reset: boolean;
  /** Listed in its shard's open window. */
  listed: boolean;
  prevClose: number | undefined;
  lastPrice: number | undefined;
  hadTrade: boolean;
  /** No longer watched: forgotten once its gathered points are sealed. */
  retired: boolean;
}

interface OpenWindow {
  feeds: SymbolFeed[];
  points: number;
  ticks: number;
  fromPos: number;
  toPos: number;
  openedAt: number;
}

interface Shard {
  index: number;
  open: OpenWindow;
  queue: Window[];
  queuedPoints: number;
  inFlight: Batch | undefined;
  /** A batch whose invocation failed, waiting for `retryAt`. */
  retry: Batch | undefined;
  retryAt: number;
  failures: number;
  state: unknown;
  hasState: boolean;
  nextSeq: number;
  /** Symbols whose next point follows dropped ticks. */
  gaps: Set<string>;
  timer: NodeJS.Timeout | undefined;
  timerDue: number;
}

/** Retry backoff cap while draining: a shutdown has seconds, not minutes. */
const DRAIN_RETRY_MAX_MS = 500;

const emptyWindow = (): OpenWindow => ({ feeds: [], points: 0, ticks: 0, fromPos: 0, toPos: 0, openedAt: 0 });

/** One window's compression of a failed batch's path followed by the path gathered since. */
function joinPaths(earlier: readonly PricePointTuple[], later: readonly PricePointTuple[]): PricePointTuple[] {
  const joined = new PathCompressor();
  for (const [price, at, volume] of later) joined.add(price, at, volume);
  joined.prepend(earlier);
  return joined.take();
}

/** FNV-1a: stable across processes and versions, so a symbol keeps its shard across restarts. */
export function shardOf(symbol: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < symbol.length; i += 1) {
    hash ^= symbol.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

/**
 * Batches ticks per shard and invokes the evaluator.
 * @example
 * const batcher = new Batcher({ shards: 4, windowMs: 250, maxPoints: 10_000, backlogMaxPoints: 1_000_000, invoker, logger });
 * batcher.markReset('AAPL$US');             // just subscribed: the first point is a baseline
 * batcher.addTrade('AAPL$US', 190.5, Date.now(), 100);
 * await batcher.drain(8_000);               // on SIGTERM
 */
export class Batcher {
  private readonly shards: Shard[];
  private readonly feeds = new Map<string, SymbolFeed>();
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly retry: { initialMs: number; maxMs: number };
  private readonly shardBudget: number;
  private lastPos = 0;
  private draining = false;
  private closed = false;
  private settled: (() => void) | undefined;
  private lastDropLogAt = Number.NEGATIVE_INFINITY;
  private readonly counters = { ticksAccepted: 0, ticksDelivered: 0, batchesDelivered: 0, invokeFailures: 0, droppedTicks: 0 };

  constructor(private readonly options: BatcherOptions) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.retry = options.retry ?? { initialMs: 200, maxMs: 10_000 };
    this.shardBudget = Math.floor(options.backlogMaxPoints / options.shards);
    if (this.shardBudget < options.maxPoints * 4) throw new RangeError('backlogMaxPoints must be at least shards × maxPoints × 4');
    this.shards = Array.from({ length: options.shards }, (_, index) => ({
      index,
      open: emptyWindow(),
      queue: [],
      queuedPoints: 0,
      inFlight: undefined,
      retry: undefined,
      retryAt: 0,
      failures: 0,
      state: undefined,
      hasState: false,
      nextSeq: 0,
      gaps: new Set(),
      timer: undefined,
      timerDue: 0,
    }));
  }

  /** A trade: the price path's next point. */
  addTrade(symbol: string, price: number, at: number, volume: number): void {
    const feed = this.feed(symbol);
    feed.hadTrade = true;
    this.addPoint(feed, price, at, volume);
  }

  /**
   * A quote: keeps the previous close, and its last price stands in for trades only while the
   * symbol has had none (some symbols only ever quote). Quote volume is the day's running total,
   * not a trade's, so the point carries none.
   */
  addQuote(symbol: string, last: number | undefined, prevClose: number | undefined, at: number): void {
    const feed = this.feed(symbol);
    if (prevClose !== undefined) feed.prevClose = prevClose;
    if (!feed.hadTrade && last !== undefined && last !== feed.lastPrice) this.addPoint(feed, last, at, 0);
  }

  /** The symbol's next point follows a gap in the feed (a (re)connect or (re)subscribe). */
  markReset(symbol: string): void {
    const feed = this.feed(symbol);
    feed.retired = false;
    if (feed.compressor.size > 0) {
      this.seal(feed.shard);
      this.schedule(feed.shard);
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
      for (const window of [shard.inFlight, shard.retry, ...shard.queue]) {
        if (window === undefined) continue;
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
      // A retry scheduled before the stop may be seconds away: bring it within the drain's pace.
      if (shard.retry !== undefined) shard.retryAt = Math.min(shard.retryAt, now + DRAIN_RETRY_MAX_MS);
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
    return this.shards.every((s) => s.inFlight === undefined && s.retry === undefined && s.queue.length === 0 && s.open.ticks === 0);
  }

  private feed(symbol: string): SymbolFeed {
    let feed = this.feeds.get(symbol);
    if (feed === undefined) {
      const shard = this.shards[shardOf(symbol, this.shards.length)] as Shard;
      feed = { symbol, shard, compressor: new PathCompressor(), reset: false, listed: false, prevClose: undefined, lastPrice: undefined, hadTrade: false, retired: false };
      this.feeds.set(symbol, feed);
    }
    return feed;
  }

  private addPoint(feed: SymbolFeed, price: number, at: number, volume: number): void {
    const now = this.now();
    const pos = Math.max(this.lastPos + 1, now * 1000);
    this.lastPos = pos;
    this.counters.ticksAccepted += 1;
    const shard = feed.shard;
    const open = shard.open;
    if (open.ticks === 0) {
      open.fromPos = pos;
      open.openedAt = now;
    }
    open.ticks += 1;
    open.toPos = pos;
    const compressor = feed.compressor;
    const before = compressor.size;
    compressor.add(price, at, volume);
    open.points += compressor.size - before;
    feed.lastPrice = price;
    if (!feed.listed) {
      feed.listed = true;
      open.feeds.push(feed);
    }
    if (open.points >= this.options.maxPoints) {
      this.seal(shard);
      this.schedule(shard);
    } else if (open.ticks === 1) {
      this.schedule(shard);
    }
  }

  /** Moves the open window into the queue. */
  private seal(shard: Shard): void {
    const open = shard.open;
    shard.open = emptyWindow();
    if (open.ticks === 0) return;
    const paths: PendingPath[] = [];
    for (const feed of open.feeds) {
      feed.listed = false;
      if (feed.compressor.size === 0) continue;
      paths.push({ symbol: feed.symbol, points: feed.compressor.take(), reset: feed.reset, prevClose: feed.prevClose });
      feed.reset = false;
      if (feed.retired && this.feeds.get(feed.symbol) === feed) this.feeds.delete(feed.symbol);
    }
    shard.queue.push({ paths, points: open.points, ticks: open.ticks, fromPos: open.fromPos, toPos: open.toPos, openedAt: open.openedAt });
    shard.queuedPoints += open.points;
    this.enforceBacklog(shard);
  }

  /** Arms the shard's timer for the moment its next batch is due. */
  private schedule(shard: Shard): void {
    if (this.closed || shard.inFlight !== undefined) return;
    const now = this.now();
    let due: number;
    if (shard.retry !== undefined) due = shard.retryAt;
    else if (shard.queue.length > 0) due = now;
    else if (shard.open.ticks > 0) due = this.draining ? now : shard.open.openedAt + this.options.windowMs;
    else return;
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
    if (this.closed || shard.inFlight !== undefined) return;
    const now = this.now();
    let batch: Batch | undefined;
    if (shard.retry !== undefined) {
      if (now < shard.retryAt) {
        this.schedule(shard);
        return;
      }
      batch = this.mergeRetry(shard);
    } else {
      if (shard.queue.length === 0) {
        if (shard.open.ticks === 0) return;
        if (!this.draining && now < shard.open.openedAt + this.options.windowMs) {
          this.schedule(shard);
          return;
        }
        this.seal(shard);
      }
      const window = this.dequeue(shard);
      if (window === undefined) return;
      batch = { ...window, seq: shard.nextSeq };
      shard.nextSeq += 1;
    }
    shard.inFlight = batch;
    const sent = batch;
    this.options.invoker.invoke(this.toEvent(shard, sent, now)).then(
      (result) => this.delivered(shard, sent, result),
      (error: unknown) => this.failed(shard, sent, error),
    );
  }

  /** Takes the queue's head, with the resets that dropped ticks before it call for. */
  private dequeue(shard: Shard): Window | undefined {
    const window = shard.queue.shift();
    if (window === undefined) return undefined;
    shard.queuedPoints -= window.points;
    this.applyGaps(shard, window);
    return window;
  }

  private applyGaps(shard: Shard, window: Window): void {
    if (shard.gaps.size === 0) return;
    for (const path of window.paths) {
      if (shard.gaps.delete(path.symbol)) path.reset = true;
    }
  }

  /**
   * The failed batch, with the next waiting window merged behind it when that keeps every path
   * free of gaps and the batch within `maxPoints`. The merged batch keeps the failed batch's `seq`
   * and `fromPos`: it replaces a batch the evaluator never acknowledged.
   */
  private mergeRetry(shard: Shard): Batch {
    const failed = shard.retry as Batch;
    shard.retry = undefined;
    if (shard.queue.length === 0 && shard.open.ticks > 0) this.seal(shard);
    const next = shard.queue[0];
    if (next === undefined) return failed;
    this.applyGaps(shard, next);
    if (failed.points + next.points > this.options.maxPoints) return failed;
    const later = new Map(next.paths.map((path) => [path.symbol, path]));
    if (failed.paths.some((path) => later.get(path.symbol)?.reset === true)) return failed;
    this.dequeue(shard);
    const paths = failed.paths.map((path): PendingPath => {
      const after = later.get(path.symbol);
      if (after === undefined) return path;
      later.delete(path.symbol);
      return { symbol: path.symbol, points: joinPaths(path.points, after.points), reset: path.reset, prevClose: after.prevClose ?? path.prevClose };
    });
    paths.push(...later.values());
    return {
      paths,
      points: paths.reduce((sum, path) => sum + path.points.length, 0),
      ticks: failed.ticks + next.ticks,
      fromPos: failed.fromPos,
      toPos: next.toPos,
      openedAt: Math.min(failed.openedAt, next.openedAt),
      seq: failed.seq,
    };
  }

  private toEvent(shard: Shard, batch: Batch, now: number): BatchEvent {
    const symbols = batch.paths.map((path): SymbolPath => {
      const out: SymbolPath = { symbol: path.symbol, points: path.points };
      if (path.prevClose !== undefined) out.prevClose = path.prevClose;
      if (path.reset) out.reset = true;
      return out;
    });
    const event: BatchEvent = { version: BATCH_EVENT_VERSION, shard: shard.index, seq: batch.seq, fromPos: batch.fromPos, toPos: batch.toPos, sentAt: now, symbols };
    if (shard.hasState) event.state = shard.state;
    return event;
  }

  private delivered(shard: Shard, batch: Batch, result: BatchResult): void {
    if (result.shard !== shard.index || result.seq !== batch.seq) {
      this.failed(shard, batch, new Error(`evaluator answered shard ${result.shard} seq ${result.seq} for shard ${shard.index} seq ${batch.seq}`));
      return;
    }
    shard.inFlight = undefined;
    shard.failures = 0;
    shard.state = result.state;
    shard.hasState = true;
    this.counters.batchesDelivered += 1;
    this.counters.ticksDelivered += batch.ticks;
    this.schedule(shard);
    this.settled?.();
  }

  private failed(shard: Shard, batch: Batch, error: unknown): void {
    shard.inFlight = undefined;
    shard.failures += 1;
    this.counters.invokeFailures += 1;
    const cap = this.draining ? Math.min(DRAIN_RETRY_MAX_MS, this.retry.maxMs) : this.retry.maxMs;
    const ceiling = Math.min(cap, this.retry.initialMs * 2 ** Math.min(shard.failures - 1, 20));
    // Equal jitter: at least half the ceiling, so retries of several shards spread out but never hammer.
    const delay = Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
    shard.retry = batch;
    shard.retryAt = this.now() + delay;
    this.options.logger.warn('evaluator invocation failed; retrying with the ticks gathered since', {
      shard: shard.index,
      seq: batch.seq,
      attempt: shard.failures,
      retryInMs: delay,
      ticks: batch.ticks,
      error: errorMessage(error),
    });
    this.enforceBacklog(shard);
    this.schedule(shard);
    this.settled?.();
  }

  /** Drops the shard's oldest waiting batches while its waiting points are over its share of the cap. */
  private enforceBacklog(shard: Shard): void {
    let waiting = shard.queuedPoints + (shard.retry?.points ?? 0) + shard.open.points;
    let dropped: Window | undefined;
    let droppedTicks = 0;
    let droppedPoints = 0;
    const symbols = new Set<string>();
    while (waiting > this.shardBudget) {
      if (shard.retry !== undefined) {
        dropped = shard.retry;
        shard.retry = undefined;
        shard.failures = 0;
      } else {
        dropped = shard.queue.shift();
        if (dropped === undefined) break;
        shard.queuedPoints -= dropped.points;
      }
      waiting -= dropped.points;
      droppedTicks += dropped.ticks;
      droppedPoints += dropped.points;
      for (const path of dropped.paths) {
        shard.gaps.add(path.symbol);
        symbols.add(path.symbol);
      }
    }
    if (droppedTicks === 0) return;
    this.counters.droppedTicks += droppedTicks;
    const now = this.now();
    // One line per 10 s at most: during an outage this can happen several times a second.
    if (now - this.lastDropLogAt >= 10_000) {
      this.lastDropLogAt = now;
      this.options.logger.error('backlog over BACKLOG_MAX_POINTS: dropped the oldest waiting ticks; their symbols restart from a baseline', {
        shard: shard.index,
        droppedTicks,
        droppedPoints,
        droppedTicksTotal: this.counters.droppedTicks,
        symbols: [...symbols].slice(0, 20),
        symbolCount: symbols.size,
      });
    }
  }
}

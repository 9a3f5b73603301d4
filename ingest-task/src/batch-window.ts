/**
 * Batching: a shard's open window gathers each symbol's ticks as an exact compressed path
 * (core/feed/path-compression.ts) and is sealed into a {@link SealedWindow}; a failed batch and
 * the window after it are joined into one compression per symbol ({@link mergeWindows}).
 *
 * Reset marks: after a gap in the feed a symbol's next point is a baseline (`reset: true`); a
 * path never spans a gap, so a merge that would put a reset inside a path is refused.
 */
import { PathCompressor, type PricePointTuple } from '../../core/feed';

/** A symbol's path in a sealed window. */
export interface PendingPath {
  symbol: string;
  points: PricePointTuple[];
  reset: boolean;
  prevClose: number | undefined;
}

/** A sealed window, or a batch made of one (or of a failed batch and the window after it). */
export interface SealedWindow {
  paths: PendingPath[];
  points: number;
  ticks: number;
  fromPos: number;
  toPos: number;
  /** When the oldest tick in it was received. */
  openedAt: number;
}

/** What the batcher keeps per symbol between windows. */
export interface SymbolFeed {
  symbol: string;
  /** Index of its shard (shard-assignment.ts). */
  shard: number;
  compressor: PathCompressor;
  /** The next point follows a gap (reconnect, resubscribe): the engine takes it as a baseline. */
  reset: boolean;
  /** Listed in its shard's open window. */
  listed: boolean;
  /** The last previous close a quote said (sent with each of the symbol's paths). */
  prevClose: number | undefined;
  /** No longer watched: forgotten once its gathered points are sealed. */
  retired: boolean;
}

/** A new symbol's feed on shard `shard`. */
export function newSymbolFeed(symbol: string, shard: number): SymbolFeed {
  return { symbol, shard, compressor: new PathCompressor(), reset: false, listed: false, prevClose: undefined, retired: false };
}

/** The window a shard is gathering: the symbols with points in it, and its counts and positions. */
export class OpenWindow {
  private feeds: SymbolFeed[] = [];
  /** Kept points (after compression). */
  points = 0;
  ticks = 0;
  fromPos = 0;
  toPos = 0;
  /** When its first tick was received. */
  openedAt = 0;

  /** Adds a point with position `pos`, received at `now`. */
  add(feed: SymbolFeed, price: number, at: number, volume: number, pos: number, now: number): void {
    if (this.ticks === 0) {
      this.fromPos = pos;
      this.openedAt = now;
    }
    this.ticks += 1;
    this.toPos = pos;
    const compressor = feed.compressor;
    const before = compressor.size;
    compressor.add(price, at, volume);
    this.points += compressor.size - before;
    if (!feed.listed) {
      feed.listed = true;
      this.feeds.push(feed);
    }
  }

  /**
   * Takes the gathered paths and starts an empty window; `undefined` when it held no tick.
   * `forget` is called for each retired symbol whose last points this took.
   */
  seal(forget: (feed: SymbolFeed) => void): SealedWindow | undefined {
    const { feeds, points, ticks, fromPos, toPos, openedAt } = this;
    this.feeds = [];
    this.points = 0;
    this.ticks = 0;
    this.fromPos = 0;
    this.toPos = 0;
    this.openedAt = 0;
    if (ticks === 0) return undefined;
    const paths: PendingPath[] = [];
    for (const feed of feeds) {
      feed.listed = false;
      if (feed.compressor.size === 0) continue;
      paths.push({ symbol: feed.symbol, points: feed.compressor.take(), reset: feed.reset, prevClose: feed.prevClose });
      feed.reset = false;
      if (feed.retired) forget(feed);
    }
    return { paths, points, ticks, fromPos, toPos, openedAt };
  }
}

/** One window's compression of a failed batch's path followed by the path gathered since. */
function joinPaths(earlier: readonly PricePointTuple[], later: readonly PricePointTuple[]): PricePointTuple[] {
  const joined = new PathCompressor();
  for (const [price, at, volume] of later) joined.add(price, at, volume);
  joined.prepend(earlier);
  return joined.take();
}

/**
 * `earlier` with `later` joined behind it, symbol by symbol, keeping `earlier`'s `fromPos`; or
 * `undefined` when that would go over `maxPoints` or put a reset inside a path.
 */
export function mergeWindows(earlier: SealedWindow, later: SealedWindow, maxPoints: number): SealedWindow | undefined {
  if (earlier.points + later.points > maxPoints) return undefined;
  const after = new Map(later.paths.map((path) => [path.symbol, path]));
  if (earlier.paths.some((path) => after.get(path.symbol)?.reset === true)) return undefined;
  const paths = earlier.paths.map((path): PendingPath => {
    const next = after.get(path.symbol);
    if (next === undefined) return path;
    after.delete(path.symbol);
    return { symbol: path.symbol, points: joinPaths(path.points, next.points), reset: path.reset, prevClose: next.prevClose ?? path.prevClose };
  });
  paths.push(...after.values());
  return {
    paths,
    points: paths.reduce((sum, path) => sum + path.points.length, 0),
    ticks: earlier.ticks + later.ticks,
    fromPos: earlier.fromPos,
    toPos: later.toPos,
    openedAt: Math.min(earlier.openedAt, later.openedAt),
  };
}

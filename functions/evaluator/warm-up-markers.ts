/**
 * "Warming from live data", as `GET /rules` shows it on a rule (storage/symbols-repository.ts
 * `setSymbolWarmUp`): written when a bar series of a symbol could not be warmed from iTick's
 * history, cleared when it later is (or has warmed from live bars meanwhile).
 *
 * Written only on a change of state, never per batch: each evaluator instance remembers what it
 * last wrote per symbol and interval (a bounded map). An instance that starts knows nothing, so
 * the first time it sees a series warm (seeded, or warm from live bars) it clears it — one
 * conditional write, a no-op when nothing was recorded — and the first time it cannot warm one
 * it records it. So a marker left by an instance that has gone away is cleared by the next one
 * that sees the series warm. At most {@link MAX_WRITES_PER_FLUSH} writes go out per batch, in
 * parallel; the rest wait for the next batch.
 */
import { BoundedMap } from '../../core/bounded-map';
import type { SymbolWarmUp } from '../../storage/symbols-repository';

export type MarkerWrite = (symbol: string, interval: string, state: SymbolWarmUp | undefined) => Promise<void>;

type Known = 'live' | 'history';

/** Marker writes per batch at most (a new instance meeting a shard of warm series clears them over a few batches). */
export const MAX_WRITES_PER_FLUSH = 25;

export class WarmUpMarkers {
  /** symbol → interval → what this instance last wrote. Oldest symbol first (Map order). */
  private readonly known: BoundedMap<string, Map<string, Known>>;
  private readonly pending = new Map<string, { symbol: string; interval: string; state: SymbolWarmUp | undefined }>();

  constructor(
    private readonly write: MarkerWrite,
    private readonly onError: (error: unknown, details: { symbol: string; interval: string }) => void,
    maxSymbols = 5_000,
  ) {
    this.known = new BoundedMap(maxSymbols);
  }

  /** The series warms from live data since `since`, because `reason`. */
  live(symbol: string, interval: string, since: number, reason: string): void {
    if (this.known.get(symbol)?.get(interval) === 'live') return;
    this.pending.set(`${symbol}|${interval}`, { symbol, interval, state: { since: new Date(since).toISOString(), reason } });
  }

  /** The series was warmed from history, or no longer warms from live data. */
  history(symbol: string, interval: string): void {
    if (this.known.get(symbol)?.get(interval) === 'history') return;
    this.pending.set(`${symbol}|${interval}`, { symbol, interval, state: undefined });
  }

  /** Intervals of the symbol this instance recorded as warming from live data. */
  liveIntervals(symbol: string): string[] {
    const intervals = this.known.get(symbol);
    if (intervals === undefined) return [];
    return [...intervals].filter(([, known]) => known === 'live').map(([interval]) => interval);
  }

  /** Changes not written yet. */
  get unwritten(): number {
    return this.pending.size;
  }

  /** Writes the changes gathered so far (at most MAX_WRITES_PER_FLUSH), in parallel; a failed write is tried again at the series' next change. */
  async flush(): Promise<number> {
    const changes: Array<{ symbol: string; interval: string; state: SymbolWarmUp | undefined }> = [];
    for (const [key, change] of this.pending) {
      if (changes.length >= MAX_WRITES_PER_FLUSH) break;
      changes.push(change);
      this.pending.delete(key);
    }
    await Promise.all(
      changes.map(async ({ symbol, interval, state }) => {
        try {
          await this.write(symbol, interval, state);
          this.remember(symbol, interval, state === undefined ? 'history' : 'live');
        } catch (error) {
          this.onError(error, { symbol, interval });
        }
      }),
    );
    return changes.length;
  }

  private remember(symbol: string, interval: string, known: Known): void {
    let intervals = this.known.get(symbol);
    if (intervals === undefined) {
      intervals = new Map();
      this.known.remember(symbol, intervals);
    }
    intervals.set(interval, known);
  }
}

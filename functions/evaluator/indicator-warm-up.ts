/**
 * Warms indicator bar series from iTick's klines before a batch is evaluated, so that a cold
 * start (a new ingest task, a new rule, a new indicator) does not wait hours of live bars. The
 * engine says which series want history (`warmUpRequests`) and takes it (`seedBars`); this
 * adapter only fetches.
 *
 * It never fails a batch: a fetch that fails or times out is logged and the series goes on cold
 * (warming from live bars), and is tried again after `retryAfterMs`. Per batch at most
 * `maxPerBatch` fetches run, in parallel, each bounded by its timeout, so a cold shard of many
 * symbols warms over a few batches instead of holding one up. Answers are kept per container for
 * a short while (a retried batch, and the sessions of one interval, share a fetch), in a bounded
 * map.
 */
import { MAX_WARM_UP_BARS, seedBars, warmUpRequests } from '../../core/engine';
import type { EngineState, RuleIndex, SeedBar, WarmUpRequest } from '../../core/engine';
import { errorMessage } from '../shared/error-message';
import type { KlineSource } from './itick-klines';

export interface WarmUpOptions {
  /** Fetches per batch at most. */
  maxPerBatch: number;
  /** A failed fetch is not repeated before this long. */
  retryAfterMs: number;
  /** An answer serves other requests this long (history older than this would miss recent bars). */
  reuseForMs: number;
  /** Answers and failures remembered at most. */
  maxEntries: number;
}

export const DEFAULT_WARM_UP_OPTIONS: WarmUpOptions = { maxPerBatch: 8, retryAfterMs: 60_000, reuseForMs: 10_000, maxEntries: 2_000 };

export interface WarmUpLog {
  failed(details: { symbol: string; interval: string; error: string }): void;
}

export interface WarmUpOutcome {
  /** Series seeded from history. */
  seeded: number;
  /** Fetches made (and how many of them failed). */
  fetched: number;
  failed: number;
  /** Series left cold for a later batch (over the per-batch limit, or waiting out a failure). */
  deferred: number;
}

type Entry = { at: number; limit: number; bars: SeedBar[] } | { at: number; failed: true };

export class IndicatorWarmUp {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly source: KlineSource,
    private readonly log: WarmUpLog,
    private readonly options: WarmUpOptions = DEFAULT_WARM_UP_OPTIONS,
  ) {}

  /** Seeds the series of `symbols` that want history into `state`. */
  async warm(index: RuleIndex, state: EngineState, symbols: readonly string[], now: number): Promise<WarmUpOutcome> {
    const outcome: WarmUpOutcome = { seeded: 0, fetched: 0, failed: 0, deferred: 0 };
    const requests = warmUpRequests(index, state, symbols);
    if (requests.length === 0) return outcome;
    const fetches = new Map<string, { symbol: string; request: WarmUpRequest; limit: number }>();
    const ready: Array<{ request: WarmUpRequest; key: string }> = [];
    for (const request of requests) {
      const key = `${request.symbol}|${request.series.interval}`;
      const entry = this.entries.get(key);
      if (entry !== undefined && 'failed' in entry && now - entry.at < this.options.retryAfterMs) {
        outcome.deferred += 1;
        continue;
      }
      if (entry !== undefined && !('failed' in entry) && now - entry.at <= this.options.reuseForMs && entry.limit >= request.limit) {
        ready.push({ request, key });
        continue;
      }
      const pending = fetches.get(key);
      if (pending !== undefined) {
        pending.limit = Math.max(pending.limit, request.limit);
        ready.push({ request, key });
      } else if (fetches.size < this.options.maxPerBatch) {
        fetches.set(key, { symbol: request.symbol, request, limit: request.limit });
        ready.push({ request, key });
      } else {
        outcome.deferred += 1;
      }
    }
    await Promise.all(
      [...fetches].map(async ([key, { symbol, request, limit }]) => {
        outcome.fetched += 1;
        try {
          const bars = await this.source.klines(symbol, request.series.interval, Math.min(limit, MAX_WARM_UP_BARS));
          this.remember(key, { at: now, limit, bars });
        } catch (error) {
          outcome.failed += 1;
          this.remember(key, { at: now, failed: true });
          this.log.failed({ symbol, interval: request.series.interval, error: errorMessage(error) });
        }
      }),
    );
    for (const { request, key } of ready) {
      const entry = this.entries.get(key);
      if (entry === undefined || 'failed' in entry) continue;
      seedBars(state, request.symbol, request.series, entry.bars, now);
      outcome.seeded += 1;
    }
    return outcome;
  }

  private remember(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    // Oldest first (Map order): drop the oldest beyond the bound.
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.options.maxEntries) break;
      this.entries.delete(oldest);
    }
  }
}

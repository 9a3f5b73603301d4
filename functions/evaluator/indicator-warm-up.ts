/**
 * Warms indicator bar series from iTick's klines before a batch is evaluated, so that a cold
 * start (a new ingest task, a new rule, a new indicator) does not wait hours of live bars. The
 * engine says which series want history (`warmUpRequests`) and takes it (`seedBars`); this
 * adapter fetches, through the token's shared REST budget (functions/shared/itick-rest).
 *
 * It never fails a batch, and never waits for the budget beyond `maxWaitMs` (0 by default: the
 * hot path does not queue). A series it cannot warm — budget spent, a 429, an error, a timeout —
 * goes on with live bars ("warming from live data", recorded on the symbol by warm-up-markers.ts
 * and shown on its rules) and is tried again once the budget has a slot (its `retryAt`) or, after
 * an error, after `retryAfterMs`. Per batch at most `maxPerBatch` series are tried, in parallel,
 * each bounded by its timeout, so a cold shard of many symbols warms over a few batches instead
 * of holding one up. Answers are kept per container for a short while (a retried batch, and the
 * sessions of one interval, share a fetch), in a bounded map; a series fetched lately is not
 * fetched again before `retryAfterMs` even if the history did not line up with its live bars, so
 * that no series can spend the budget over and over.
 */
import { BoundedMap } from '../../core/bounded-map';
import { MAX_WARM_UP_BARS, seedBars, warmUpRequests } from '../../core/engine';
import type { EngineState, RuleIndex, SeedBar, WarmUpRequest } from '../../core/engine';
import { errorMessage } from '../shared/error-message';
import { isItickRestError, type KlineSource } from '../shared/itick-rest';
import type { WarmUpMarkers } from './warm-up-markers';

export interface WarmUpOptions {
  /** Series tried per batch at most (`WARM_UP_MAX_PER_BATCH`). */
  maxPerBatch: number;
  /** A failed fetch is not repeated before this long (budget refusals and 429s wait for the budget instead). */
  retryAfterMs: number;
  /** An answer serves other requests this long (history older than this would miss recent bars). */
  reuseForMs: number;
  /** Answers and failures remembered at most. */
  maxEntries: number;
  /** How long a fetch may wait for the REST budget (`WARM_UP_BUDGET_WAIT_MS`; 0: not at all). */
  maxWaitMs: number;
}

export const DEFAULT_WARM_UP_OPTIONS: WarmUpOptions = { maxPerBatch: 8, retryAfterMs: 60_000, reuseForMs: 10_000, maxEntries: 2_000, maxWaitMs: 0 };

export interface WarmUpLog {
  /** A series could not be warmed from history (the caller rate-limits these lines). */
  failed(details: { symbol: string; interval: string; kind: string; error: string }): void;
}

export interface WarmUpOutcome {
  /** Series seeded from history. */
  seeded: number;
  /** Calls made to iTick, and how many of them failed. */
  fetched: number;
  failed: number;
  /** Series the REST budget refused (not called). */
  refused: number;
  /** Series left cold for a later batch (over the per-batch limit, or waiting out a failure). */
  deferred: number;
}

type Entry = { at: number; limit: number; bars: SeedBar[] } | { at: number; failed: true; retryAt: number };

export class IndicatorWarmUp {
  private readonly entries: BoundedMap<string, Entry>;

  constructor(
    private readonly source: KlineSource,
    private readonly log: WarmUpLog,
    private readonly options: WarmUpOptions = DEFAULT_WARM_UP_OPTIONS,
    private readonly markers?: WarmUpMarkers,
  ) {
    this.entries = new BoundedMap(options.maxEntries);
  }

  /** Seeds the series of `symbols` that want history into `state`. */
  async warm(index: RuleIndex, state: EngineState, symbols: readonly string[], now: number): Promise<WarmUpOutcome> {
    const outcome: WarmUpOutcome = { seeded: 0, fetched: 0, failed: 0, refused: 0, deferred: 0 };
    const requests = warmUpRequests(index, state, symbols);
    if (this.markers !== undefined) this.noteWarmSeries(this.markers, index, symbols, requests);
    const fetches = new Map<string, { symbol: string; request: WarmUpRequest; limit: number }>();
    const ready: Array<{ request: WarmUpRequest; key: string }> = [];
    for (const request of requests) {
      const key = `${request.symbol}|${request.series.interval}`;
      const entry = this.entries.get(key);
      if (entry !== undefined && 'failed' in entry && now < entry.retryAt) {
        outcome.deferred += 1;
        continue;
      }
      if (entry !== undefined && !('failed' in entry) && entry.limit >= request.limit) {
        if (now - entry.at <= this.options.reuseForMs) {
          ready.push({ request, key });
          continue;
        }
        if (now - entry.at < this.options.retryAfterMs) {
          // Fetched lately and still cold (the history did not line up with the live bars): not again yet.
          outcome.deferred += 1;
          continue;
        }
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
        const interval = request.series.interval;
        try {
          const bars = await this.source.klines(symbol, interval, Math.min(limit, MAX_WARM_UP_BARS), { maxWaitMs: this.options.maxWaitMs });
          outcome.fetched += 1;
          this.entries.remember(key, { at: now, limit, bars });
        } catch (error) {
          const rest = isItickRestError(error) ? error : undefined;
          if (rest?.called === false) outcome.refused += 1;
          else {
            outcome.fetched += 1;
            outcome.failed += 1;
          }
          this.entries.remember(key, { at: now, failed: true, retryAt: Math.max(now + 1, rest?.retryAt ?? now + this.options.retryAfterMs) });
          this.markers?.live(symbol, interval, now, rest?.reason ?? 'iTick could not be read');
          this.log.failed({ symbol, interval, kind: rest?.kind ?? 'error', error: errorMessage(error) });
        }
      }),
    );
    for (const { request, key } of ready) {
      const entry = this.entries.get(key);
      if (entry === undefined || 'failed' in entry) continue;
      seedBars(state, request.symbol, request.series, entry.bars, now);
      outcome.seeded += 1;
      this.markers?.history(request.symbol, request.series.interval);
    }
    if (this.markers !== undefined) await this.markers.flush();
    return outcome;
  }

  /**
   * The intervals of the batch's symbols that are in use and want no history are warm (seeded,
   * or warmed from live bars): clear what this instance (or, unknown to it, another) recorded.
   */
  private noteWarmSeries(markers: WarmUpMarkers, index: RuleIndex, symbols: readonly string[], requests: readonly WarmUpRequest[]): void {
    const wanted = new Set(requests.map((r) => `${r.symbol}|${r.series.interval}`));
    for (const symbol of new Set(symbols)) {
      const inUse = new Set((index.symbol(symbol)?.windowsInUse().series ?? []).map((spec) => spec.interval as string));
      for (const interval of markers.liveIntervals(symbol)) inUse.add(interval);
      for (const interval of inUse) if (!wanted.has(`${symbol}|${interval}`)) markers.history(symbol, interval);
    }
  }

}

/**
 * The previous close after a restart: when a symbol's rules compare with the feed's previous
 * close (`change_from_prev_close_pct`) and neither the batch (a feed quote's `p`) nor the engine
 * state has one for the batch's trading day, it is read from iTick's quote REST through the
 * token's shared budget and put on the batch exactly where the feed's `p` would be
 * (`SymbolBatch.prevClose`): the engine takes it as a change of previous close and looks at the
 * change rules at the batch's first point, so they can fire on the first tick of the day.
 *
 * Which close: a quote from the batch's own trading day gives `p`, else `ld - ch`; a quote
 * whose last trade is from an earlier trading day (asked before the day's first trade) describes
 * that finished session, so its last price `ld` is the close the new day compares with.
 *
 * Never fails a batch, never waits for the budget beyond `maxWaitMs`: without a close the rules
 * simply do not hold yet. A close is remembered per symbol and trading day in this instance (it
 * cannot change within the day), a failure until the budget has a slot again (`retryAt`) or
 * `retryAfterMs` after an error. Per batch at most `maxPerBatch` quotes are asked for.
 */
import { BoundedMap } from '../../core/bounded-map';
import { forgetPrevClose, prevCloseRequests } from '../../core/engine';
import type { EngineState, RuleIndex, SymbolBatch } from '../../core/engine';
import { calendarOf, tradingDayOf } from '../../core/engine/sessions';
import { errorMessage } from '../shared/error-message';
import { isItickRestError, type QuoteSource, type RestQuote } from '../shared/itick-rest';

export interface PrevCloseOptions {
  /** Quotes asked for per batch at most. */
  maxPerBatch: number;
  /** A failed quote is not asked for again before this long (budget refusals and 429s wait for the budget instead). */
  retryAfterMs: number;
  /** How long a quote may wait for the REST budget (0: not at all). */
  maxWaitMs: number;
  /** Symbols remembered at most. */
  maxEntries: number;
}

export const DEFAULT_PREV_CLOSE_OPTIONS: PrevCloseOptions = { maxPerBatch: 8, retryAfterMs: 60_000, maxWaitMs: 0, maxEntries: 5_000 };

export interface PrevCloseLog {
  failed(details: { symbol: string; kind: string; error: string }): void;
}

export interface PrevCloseOutcome {
  /** Batch paths given a previous close. */
  filled: number;
  /** Calls made to iTick, and how many of them failed (or gave no close). */
  fetched: number;
  failed: number;
  /** Quotes the REST budget refused (not called). */
  refused: number;
  /** Symbols left without a close for a later batch. */
  deferred: number;
}

type Entry = { day: number; prevClose: number } | { failed: true; retryAt: number };

/**
 * The previous close a quote gives for trading day `day` of the calendar, or undefined.
 * @example prevCloseForDay({ price: 238.4, time: fridayAfternoon, prevClose: 236.2, … }, 'US', mondayDay) // 238.4
 */
export function prevCloseForDay(quote: RestQuote, calendar: string, day: number): number | undefined {
  if (quote.time !== undefined && tradingDayOf(calendar, quote.time) < day) return quote.price;
  return quote.prevClose;
}

export class PrevCloseWarmUp {
  private readonly entries: BoundedMap<string, Entry>;

  constructor(
    private readonly source: QuoteSource,
    private readonly log: PrevCloseLog,
    private readonly options: PrevCloseOptions = DEFAULT_PREV_CLOSE_OPTIONS,
  ) {
    this.entries = new BoundedMap(options.maxEntries);
  }

  /** Puts a previous close on the paths of `batch` whose symbols want one (see `prevCloseRequests`). */
  async fill(index: RuleIndex, state: EngineState, batch: SymbolBatch[], now: number): Promise<PrevCloseOutcome> {
    const outcome: PrevCloseOutcome = { filled: 0, fetched: 0, failed: 0, refused: 0, deferred: 0 };
    const requests = prevCloseRequests(index, state, batch);
    if (requests.length === 0) return outcome;
    const paths = new Map(batch.map((path) => [path.symbol, path]));
    const fetches: Array<{ symbol: string; day: number }> = [];
    for (const { symbol, day, stale } of requests) {
      // A close of the day before no longer applies, whatever comes of the fetch.
      if (stale) forgetPrevClose(state, symbol);
      const entry = this.entries.get(symbol);
      if (entry !== undefined && !('failed' in entry) && entry.day === day) {
        this.apply(paths, symbol, entry.prevClose, outcome);
      } else if (entry !== undefined && 'failed' in entry && now < entry.retryAt) {
        outcome.deferred += 1;
      } else if (fetches.length < this.options.maxPerBatch) {
        fetches.push({ symbol, day });
      } else {
        outcome.deferred += 1;
      }
    }
    await Promise.all(
      fetches.map(async ({ symbol, day }) => {
        try {
          const quote = await this.source.quote(symbol, { maxWaitMs: this.options.maxWaitMs });
          outcome.fetched += 1;
          const prevClose = prevCloseForDay(quote, calendarOf(symbol), day);
          if (prevClose === undefined || !(prevClose > 0)) {
            outcome.failed += 1;
            this.entries.remember(symbol, { failed: true, retryAt: now + this.options.retryAfterMs });
            this.log.failed({ symbol, kind: 'answer', error: "iTick's quote carries no previous close (no p, no ch)" });
            return;
          }
          this.entries.remember(symbol, { day, prevClose });
          this.apply(paths, symbol, prevClose, outcome);
        } catch (error) {
          const rest = isItickRestError(error) ? error : undefined;
          if (rest?.called === false) outcome.refused += 1;
          else {
            outcome.fetched += 1;
            outcome.failed += 1;
          }
          this.entries.remember(symbol, { failed: true, retryAt: Math.max(now + 1, rest?.retryAt ?? now + this.options.retryAfterMs) });
          this.log.failed({ symbol, kind: rest?.kind ?? 'error', error: errorMessage(error) });
        }
      }),
    );
    return outcome;
  }

  private apply(paths: ReadonlyMap<string, SymbolBatch>, symbol: string, prevClose: number, outcome: PrevCloseOutcome): void {
    const path = paths.get(symbol);
    if (path === undefined) return;
    path.prevClose = prevClose;
    outcome.filled += 1;
  }

}

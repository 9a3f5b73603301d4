/**
 * Data a connection could not use, never dropped in silence: a data message whose symbol matches
 * no subscription (**unmatched**: usually a symbol form feed-symbols.ts does not know, which would
 * otherwise leave a feed that looks connected and delivers nothing) and a message that could not
 * be read at all (**unreadable**: malformed JSON, data without a usable price). Both are counted
 * (the connection's status, then the heartbeat and `GET /health`), the raw `s` of the last
 * {@link RECENT_UNMATCHED} distinct unmatched symbols is kept (newest last), and both are logged
 * at warn, rate-limited: at most one line per symbol form (raw `s` and `r`) or per reason every
 * `warnEveryMs` (a minute), each line saying how many such messages came since the previous
 * one, so a flood costs one line a minute per form, not one per message.
 */
import type { IngestLogger } from './logger';

/** How many distinct unmatched `s` values the status keeps (the heartbeat shows at most 20). */
export const RECENT_UNMATCHED = 20;

/** Distinct symbol forms or reasons whose last warning is remembered; past it, the oldest are forgotten. */
const WARNED_LIMIT = 1_000;

export interface UnusableDataOptions {
  logger: IngestLogger;
  /** At most one warn line per symbol form or reason this often; default one minute. */
  warnEveryMs?: number;
}

export interface UnusableDataCounts {
  unmatched: number;
  /** Raw `s` of the most recent unmatched data messages, distinct, newest last. */
  unmatchedSymbols: string[];
  unreadable: number;
}

interface Warned {
  at: number;
  /** Messages since that line (not yet said). */
  since: number;
}

/**
 * @example
 * const unusable = new UnusableData({ logger });
 * unusable.unmatched('MSFT.US', undefined, 'quote', Date.now()); // warn: … "MSFT.US" …
 * unusable.counts(); // { unmatched: 1, unmatchedSymbols: ['MSFT.US'], unreadable: 0 }
 */
export class UnusableData {
  private readonly warnEveryMs: number;
  private unmatchedCount = 0;
  private unreadableCount = 0;
  private readonly recent = new Set<string>();
  private readonly warned = new Map<string, Warned>();

  constructor(private readonly options: UnusableDataOptions) {
    this.warnEveryMs = options.warnEveryMs ?? 60_000;
  }

  /** A data message (`type`) whose `s`/`r` match no subscription of the connection. */
  unmatched(s: string, r: string | undefined, type: string, now: number): void {
    this.unmatchedCount += 1;
    // Newest last: a symbol seen again moves to the end.
    this.recent.delete(s);
    this.recent.add(s);
    if (this.recent.size > RECENT_UNMATCHED) this.recent.delete(this.recent.values().next().value as string);
    const since = this.due(r === undefined ? `s:${s}` : `s:${s}\n${r}`, now);
    if (since === undefined) return;
    this.options.logger.warn(`iTick sent ${type} data for "${s}"${r === undefined ? '' : ` (r "${r}")`}, which matches no subscribed symbol: counted as unmatched, not used`, {
      s,
      r,
      type,
      messages: since,
      unmatchedTotal: this.unmatchedCount,
      rateLimit: `one line per symbol form per ${Math.round(this.warnEveryMs / 1000)} s`,
    });
  }

  /** A message that could not be read. `reason` must not hold message text (it may carry secrets). */
  unreadable(reason: string, now: number): void {
    this.unreadableCount += 1;
    const since = this.due(`r:${reason}`, now);
    if (since === undefined) return;
    this.options.logger.warn(`could not read a message from iTick (${reason}): counted as unreadable, not used`, {
      reason,
      messages: since,
      unreadableTotal: this.unreadableCount,
      rateLimit: `one line per reason per ${Math.round(this.warnEveryMs / 1000)} s`,
    });
  }

  counts(): UnusableDataCounts {
    return { unmatched: this.unmatchedCount, unmatchedSymbols: [...this.recent], unreadable: this.unreadableCount };
  }

  /** Whether a line for `key` is due now; if so, how many messages it covers. */
  private due(key: string, now: number): number | undefined {
    const warned = this.warned.get(key);
    if (warned !== undefined && now - warned.at < this.warnEveryMs) {
      warned.since += 1;
      return undefined;
    }
    const since = (warned?.since ?? 0) + 1;
    // Re-inserted, so the map's order is the order of the last lines: the first is the stalest.
    this.warned.delete(key);
    this.warned.set(key, { at: now, since: 0 });
    if (this.warned.size > WARNED_LIMIT) this.warned.delete(this.warned.keys().next().value as string);
    return since;
  }
}

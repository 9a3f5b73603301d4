/**
 * Quote-only streams: when a quote is a trade. iTick's current stock docs show only `quote` and
 * `depth` data (no `tick` type), so for many feeds a quote is the only sign of a trade. Pure:
 * one connection keeps one of these, keyed by its subscribed symbols.
 *
 * - A quote whose `ld` or `t` differs from the symbol's last quote is a trade at `ld`, at `t`.
 *   A quote with the same `ld` and `t` is a repeat (iTick resends summaries); one without `t`
 *   is judged by `ld` alone; one older than the last (`t` going back) is not a new trade.
 * - A quote's `v` is the day's running volume, so the trade's volume is the difference from the
 *   last quote's. The first quote after a (re)subscribe has nothing to compare with, and a
 *   running volume that drops means a new session began (the day's count restarted): in both
 *   cases the trade's volume is unknown and the trade carries 0 (`volumeKnown: false`) rather
 *   than the new running value, which also counts trades before this one (pre-market, the
 *   opening auction) and would look like one huge trade to a volume rule.
 * - A symbol that also gets real `tick` messages takes its trades from them: from its first tick
 *   on (until it is subscribed again) its quotes are never trades, so no trade is counted twice.
 */
import { withoutFloatNoise } from '../../core/numbers';

/** A trade read from a quote. */
export interface QuoteTrade {
  price: number;
  at: number;
  /** The trade's volume; 0 when unknown (see `volumeKnown`). */
  volume: number;
  /** False for the first quote after a (re)subscribe and the first of a new session. */
  volumeKnown: boolean;
  /** The running volume dropped: a new trading session began with this trade. */
  newSession: boolean;
}

interface LastQuote {
  last: number | undefined;
  /** The quote's own `t`; `undefined` when it had none. */
  at: number | undefined;
  /** The running volume of the last quote that carried one. */
  dayVolume: number | undefined;
  /** Real ticks come for this symbol: quotes are summaries only. */
  ticked: boolean;
}

/**
 * @example
 * const trades = new QuoteTrades();
 * trades.quote('AAPL$US', 238.415, 1796396400250, 9183542, 1796396400300); // { price: 238.415, volume: 0, volumeKnown: false, … }
 * trades.quote('AAPL$US', 238.43, 1796396402000, 9183842, 1796396402050);  // { price: 238.43, volume: 300, volumeKnown: true, … }
 */
export class QuoteTrades {
  private readonly symbols = new Map<string, LastQuote>();

  /** A real trade came for the symbol: its quotes are no longer trades (until {@link reset}). */
  ticked(symbol: string): void {
    const state = this.symbols.get(symbol);
    if (state === undefined) this.symbols.set(symbol, { last: undefined, at: undefined, dayVolume: undefined, ticked: true });
    else state.ticked = true;
  }

  /**
   * A quote for `symbol` (`last` = `ld`, `at` = `t` when sent, `dayVolume` = `v`); the trade it
   * stands for, or `undefined` when it is none. `receivedAt` stamps a quote without `t`.
   */
  quote(symbol: string, last: number | undefined, at: number | undefined, dayVolume: number | undefined, receivedAt: number): QuoteTrade | undefined {
    const state = this.symbols.get(symbol);
    if (state === undefined) {
      this.symbols.set(symbol, { last, at, dayVolume, ticked: false });
      return last === undefined ? undefined : { price: last, at: at ?? receivedAt, volume: 0, volumeKnown: false, newSession: false };
    }
    if (state.ticked || last === undefined) return undefined;
    const isNew = last !== state.last || (at !== undefined && at !== state.at);
    if (!isNew || (at !== undefined && state.at !== undefined && at < state.at)) return undefined;
    const previous = state.dayVolume;
    state.last = last;
    if (at !== undefined) state.at = at;
    if (dayVolume !== undefined) state.dayVolume = dayVolume;
    if (dayVolume === undefined || previous === undefined) return { price: last, at: at ?? receivedAt, volume: 0, volumeKnown: false, newSession: false };
    if (dayVolume < previous) return { price: last, at: at ?? receivedAt, volume: 0, volumeKnown: false, newSession: true };
    return { price: last, at: at ?? receivedAt, volume: withoutFloatNoise(dayVolume - previous), volumeKnown: true, newSession: false };
  }

  /** The symbols were (re)subscribed: their next quote follows a gap and has nothing to compare with. */
  reset(symbols: Iterable<string>): void {
    for (const symbol of symbols) this.symbols.delete(symbol);
  }

  /** The connection closed: every symbol starts over. */
  clear(): void {
    this.symbols.clear();
  }
}

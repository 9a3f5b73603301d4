/**
 * The subscription plan of one connection: the symbols it should watch (its share of
 * subscription-plan.ts), those iTick confirmed, refused or does not know, and the next subscribe
 * or unsubscribe that brings iTick's set to the wanted one. Pure: the connection sends the
 * requests, times them out and passes the answers in. What to do with a refused subscribe goes
 * here. Symbols here are iTick's (`CODE$REGION`, no market prefix): a connection serves one market.
 *
 * - One request at a time: answers carry no id, so they are matched in order.
 * - Unsubscribes before subscribes, to free slots first; at most `requestChunk` symbols per request.
 * - iTick refuses a request as a whole, and says why only in words ({@link refusalKind}):
 *   - an unknown symbol (E001 "not found this produce"): the refused set is split in halves and
 *     each half asked for on its own, recursively, until the symbol(s) at fault are alone; they
 *     are reported through `onInvalid` and not asked for again while they stay wanted (a rule
 *     change that clears their mark brings them back, see ingest-task.ts), the others get
 *     subscribed. One unknown symbol among n costs about 2·log2(n) requests.
 *   - the plan's limit (E003) or anything else: the symbols are asked for again one at a time, so
 *     as many as the plan allows get watched, and only the rest are refused (reported as unwatched,
 *     asked for again when the wanted set changes or on the next connection).
 * - A refused unsubscribe cannot be worked around on this connection: it asks for a reconnect.
 */
import { SymbolIndex } from './feed-symbols';
import type { IngestLogger } from './logger';

export type SubscriptionAction = 'subscribe' | 'unsubscribe';

export interface SubscriptionRequest {
  action: SubscriptionAction;
  symbols: string[];
}

/** What an answer calls for: send the next request, drop it (no such request), or reconnect. */
export type AnswerOutcome = 'next' | 'unexpected' | 'reconnect';

/** Why iTick refused a subscribe, as far as its words tell. */
export type RefusalKind = 'unknown-symbol' | 'limit' | 'other';

/**
 * iTick's error codes (start/errorcode.md) come as text in the answer's `msg`; the code itself may
 * or may not be in it, so both are matched: E001 `not found this produce`, E003 `exceeding the
 * maximum subscription limit`. Anything else (`cannot be resolved action`) is `other`.
 * @example refusalKind('not found this produce') // 'unknown-symbol'
 */
export function refusalKind(msg: string): RefusalKind {
  if (/\bE001\b|not\s+found\s+this\s+produc|produc\w*\s+not\s+found|unknown\s+(symbol|code|product)/i.test(msg)) return 'unknown-symbol';
  if (/\bE003\b|exceed\w*\s+the\s+maximum|maximum\s+subscription|subscription\s+limit/i.test(msg)) return 'limit';
  return 'other';
}

export interface ConnectionSubscriptionsOptions {
  /** At most this many symbols per request. */
  requestChunk: number;
  /** The connection's logger. */
  logger: IngestLogger;
  /** Called just before symbols are subscribed: their next points follow a gap. */
  onSubscribing(symbols: readonly string[]): void;
  /** Called when symbols turn out to be unknown to iTick, with iTick's words. */
  onInvalid?(symbols: readonly string[], msg: string): void;
}

interface PendingRequest extends SubscriptionRequest {
  /** A half of a set refused as unknown: its answer narrows the search down. */
  probe: boolean;
}

/**
 * @example
 * const subscriptions = new ConnectionSubscriptions({ requestChunk: 200, logger, onSubscribing });
 * subscriptions.setWanted(['AAPL$US']);
 * const request = subscriptions.next(); // { action: 'subscribe', symbols: ['AAPL$US'] }
 * subscriptions.answered('subscribe', true, 'ok'); // 'next'
 */
export class ConnectionSubscriptions {
  private readonly wanted = new Set<string>();
  private readonly subscribed = new Set<string>();
  private readonly refused = new Set<string>();
  /** Wanted symbols iTick does not know: not asked for again while they stay wanted. */
  private readonly invalid = new Set<string>();
  private readonly index = new SymbolIndex();
  private pending: PendingRequest | undefined;
  /** Sets still to ask for on their own while narrowing down an unknown symbol, next first. */
  private probes: string[][] = [];
  /** Set when a subscribe of several symbols was refused: find out, one by one, which fit. */
  private oneByOne = false;

  constructor(private readonly options: ConnectionSubscriptionsOptions) {}

  /** Symbols iTick confirmed, sorted. */
  confirmed(): string[] {
    return [...this.subscribed].sort();
  }

  /** Symbols iTick refused to subscribe (e.g. the plan's limit), sorted. */
  refusedSymbols(): string[] {
    return [...this.refused].sort();
  }

  /** Wanted symbols iTick does not know (E001), sorted. */
  invalidSymbols(): string[] {
    return [...this.invalid].sort();
  }

  /** Sets the symbols to watch; `false` when they are the ones already wanted. */
  setWanted(symbols: Iterable<string>): boolean {
    const next = new Set(symbols);
    const changed = next.size !== this.wanted.size || [...next].some((symbol) => !this.wanted.has(symbol));
    if (!changed) return false;
    this.wanted.clear();
    for (const symbol of next) this.wanted.add(symbol);
    // A symbol refused for the plan's limit may fit now; ask again once per change, not per refresh.
    this.refused.clear();
    // An unknown symbol stays known as unknown while it is wanted; once it is not, a later wish
    // for it (a changed rule) asks iTick again.
    for (const symbol of [...this.invalid]) if (!next.has(symbol)) this.invalid.delete(symbol);
    return true;
  }

  /** Asks iTick for these symbols again although they were found unknown (their rules changed since). */
  forgetInvalid(symbols: Iterable<string>): boolean {
    let forgot = false;
    for (const symbol of symbols) forgot = this.invalid.delete(symbol) || forgot;
    return forgot;
  }

  /** The subscribed symbol a data message is about, or `undefined`. */
  resolve(code: string, region: string | undefined): string | undefined {
    return this.index.resolve(code, region);
  }

  /** The next request to send, now marked pending; `undefined` while one is pending or none is needed. */
  next(): SubscriptionRequest | undefined {
    if (this.pending !== undefined) return undefined;
    const chunk = this.oneByOne ? 1 : this.options.requestChunk;
    const remove = [...this.subscribed].filter((symbol) => !this.wanted.has(symbol)).slice(0, chunk);
    if (remove.length > 0) {
      for (const symbol of remove) this.index.delete(symbol);
      this.pending = { action: 'unsubscribe', symbols: remove, probe: false };
      return { action: 'unsubscribe', symbols: remove };
    }
    // Found out one at a time anyway: the halves still waiting are covered by that.
    if (this.oneByOne) this.probes = [];
    const askable = (symbol: string) => this.wanted.has(symbol) && !this.subscribed.has(symbol) && !this.refused.has(symbol) && !this.invalid.has(symbol);
    for (let probe = this.probes.shift(); probe !== undefined; probe = this.probes.shift()) {
      const symbols = probe.filter(askable);
      if (symbols.length > 0) return this.subscribe(symbols, true);
    }
    const add = [...this.wanted].filter(askable).slice(0, chunk);
    if (add.length === 0) return undefined;
    return this.subscribe(add, false);
  }

  /** iTick answered a subscribe or unsubscribe. */
  answered(action: SubscriptionAction, ok: boolean, msg: string): AnswerOutcome {
    const pending = this.pending;
    if (pending?.action !== action) return 'unexpected';
    this.pending = undefined;
    if (action === 'unsubscribe') {
      if (!ok) return 'reconnect';
      for (const symbol of pending.symbols) this.subscribed.delete(symbol);
      return 'next';
    }
    if (ok) {
      for (const symbol of pending.symbols) this.subscribed.add(symbol);
      return 'next';
    }
    // Refused: until something is asked again, its data is no longer taken.
    for (const symbol of pending.symbols) if (!this.subscribed.has(symbol)) this.index.delete(symbol);
    const kind = refusalKind(msg);
    if (kind === 'unknown-symbol') this.refusedAsUnknown(pending, msg);
    else if (pending.symbols.length > 1) {
      this.oneByOne = true;
      this.options.logger.warn('iTick refused a subscribe of several symbols; asking for them one at a time', { msg, symbols: pending.symbols.length });
    } else {
      for (const symbol of pending.symbols) this.refused.add(symbol);
      this.options.logger.error('iTick refused to subscribe: these symbols are not watched', { msg, symbols: pending.symbols, reason: kind });
    }
    return 'next';
  }

  /** The socket closed: a new connection starts with nothing subscribed and nothing pending. */
  reset(): void {
    this.pending = undefined;
    this.probes = [];
    this.oneByOne = false;
    this.subscribed.clear();
    this.index.clear();
  }

  private subscribe(symbols: string[], probe: boolean): SubscriptionRequest {
    this.options.onSubscribing(symbols);
    // Data may come before the answer; accept it from the moment we asked.
    for (const symbol of symbols) this.index.add(symbol);
    this.pending = { action: 'subscribe', symbols, probe };
    return { action: 'subscribe', symbols };
  }

  /** Narrows an E001 down: halves are asked for first, in order; a symbol refused alone is unknown. */
  private refusedAsUnknown(pending: PendingRequest, msg: string): void {
    const { symbols } = pending;
    if (symbols.length === 1) {
      for (const symbol of symbols) this.invalid.add(symbol);
      this.options.logger.warn('iTick does not know these symbols: they are not watched, and their rules say invalid_symbol', { msg, symbols });
      this.options.onInvalid?.(symbols, msg);
      return;
    }
    if (!pending.probe) {
      this.options.logger.info('iTick refused a subscribe because it does not know a symbol in it; narrowing it down', { msg, symbols: symbols.length });
    }
    const half = Math.ceil(symbols.length / 2);
    this.probes.unshift(symbols.slice(0, half), symbols.slice(half));
  }
}

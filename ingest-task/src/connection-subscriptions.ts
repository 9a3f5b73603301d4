/**
 * The subscription plan of one connection: the symbols it should watch (its share of
 * subscription-plan.ts), those iTick confirmed or refused, and the next subscribe or unsubscribe
 * that brings iTick's set to the wanted one. Pure: the connection sends the requests, times them
 * out and passes the answers in. What to do with a refused subscribe goes here.
 *
 * - One request at a time: answers carry no id, so they are matched in order.
 * - Unsubscribes before subscribes, to free slots first; at most `requestChunk` symbols per request.
 * - iTick refuses a request as a whole, so a refused subscribe of several symbols is asked again
 *   one symbol at a time: as many as the plan allows get watched, and only the rest are refused
 *   (reported, asked for again when the wanted set changes or on the next connection).
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

export interface ConnectionSubscriptionsOptions {
  /** At most this many symbols per request. */
  requestChunk: number;
  /** The connection's logger. */
  logger: IngestLogger;
  /** Called just before symbols are subscribed: their next points follow a gap. */
  onSubscribing(symbols: readonly string[]): void;
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
  private readonly index = new SymbolIndex();
  private pending: SubscriptionRequest | undefined;
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

  /** Sets the symbols to watch; `false` when they are the ones already wanted. */
  setWanted(symbols: Iterable<string>): boolean {
    const next = new Set(symbols);
    const changed = next.size !== this.wanted.size || [...next].some((symbol) => !this.wanted.has(symbol));
    if (!changed) return false;
    this.wanted.clear();
    for (const symbol of next) this.wanted.add(symbol);
    // A symbol refused for the plan's limit may fit now; ask again once per change, not per refresh.
    this.refused.clear();
    return true;
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
      this.pending = { action: 'unsubscribe', symbols: remove };
      return this.pending;
    }
    const add = [...this.wanted].filter((symbol) => !this.subscribed.has(symbol) && !this.refused.has(symbol)).slice(0, chunk);
    if (add.length === 0) return undefined;
    this.options.onSubscribing(add);
    // Data may come before the answer; accept it from the moment we asked.
    for (const symbol of add) this.index.add(symbol);
    this.pending = { action: 'subscribe', symbols: add };
    return this.pending;
  }

  /** iTick answered a subscribe or unsubscribe. */
  answered(action: SubscriptionAction, ok: boolean, msg: string): AnswerOutcome {
    const pending = this.pending;
    if (pending?.action !== action) return 'unexpected';
    this.pending = undefined;
    if (action === 'unsubscribe') {
      if (!ok) return 'reconnect';
      for (const symbol of pending.symbols) this.subscribed.delete(symbol);
    } else if (ok) {
      for (const symbol of pending.symbols) this.subscribed.add(symbol);
    } else if (pending.symbols.length > 1) {
      this.oneByOne = true;
      this.options.logger.warn('iTick refused a subscribe of several symbols; asking for them one at a time', { msg, symbols: pending.symbols.length });
    } else {
      for (const symbol of pending.symbols) {
        this.refused.add(symbol);
        if (!this.subscribed.has(symbol)) this.index.delete(symbol);
      }
      this.options.logger.error('iTick refused to subscribe: these symbols are not watched', { msg, symbols: pending.symbols });
    }
    return 'next';
  }

  /** The socket closed: a new connection starts with nothing subscribed and nothing pending. */
  reset(): void {
    this.pending = undefined;
    this.oneByOne = false;
    this.subscribed.clear();
    this.index.clear();
  }
}

/**
 * The connection lifecycle: one connection to one market's iTick WebSocket (stocks, forex,
 * crypto …: each class has its own URL), kept open for as long as the task runs (protocol:
 * shared/spec/itick.md). It holds the socket and its timers; what the messages look like is
 * feed-protocol.ts, what to subscribe is connection-subscriptions.ts, how long to wait before
 * connecting again is reconnect-policy.ts.
 *
 * - Symbols: the task hands it canonical symbols (`crypto:BTCUSDT$BA`); iTick is asked for the
 *   `CODE$REGION` part (`feedSymbol`), and everything the connection reports (handlers, status)
 *   is canonical again (`marketSymbol(market, …)`).
 * - Auth: the token goes in the `token` header of the upgrade; if no auth result has come
 *   `authFallbackMs` after the greeting, the older `{"ac":"auth"}` message is sent too, and from
 *   then on at once after every greeting of this connection (a server that needed it once needs
 *   it again, and waiting would make every reconnect 3 s slower). Not authenticated
 *   `connectTimeoutMs` after connecting: reconnect.
 * - Liveness (connection-liveness.ts): a ping every `pingIntervalMs`; no pong within
 *   `pongTimeoutMs` means a dead connection, which is terminated and reconnected. A subscribe or unsubscribe not answered
 *   within `requestTimeoutMs` reconnects too.
 * - Every connection starts with no subscriptions, so all wanted symbols are subscribed again,
 *   and `onSubscribing` tells the batcher that their next points follow a gap.
 *
 * The message path only parses and hands over; the server cuts off clients that read slowly.
 */
import WebSocket from 'ws';
import { assertNever } from '../../core/assert-never';
import type { Backoff, Random } from '../../core/retry';
import { marketSymbol, splitSymbol, type Market } from '../../core/rule-model';
import { ConnectionSubscriptions, type SubscriptionAction } from './connection-subscriptions';
import { ConnectionLiveness } from './connection-liveness';
import { authRequest, parseFeedMessage, subscriptionRequest } from './feed-protocol';
import type { FeedQuote, TradeDetails } from './feed-protocol';
import { QuoteTrades } from './quote-trades';
import { UnusableData } from './unusable-data';
import { errorMessage, withAttributes, type IngestLogger } from './logger';
import { ReconnectPolicy, reconnectDefaults, type CloseCause, type ReconnectDecision } from './reconnect-policy';

export interface FeedHandlers {
  /** A trade: a `tick`, or a quote with a new last price or time (quote-trades.ts); `details` say which. */
  onTrade(symbol: string, price: number, at: number, volume: number, details?: TradeDetails): void;
  /** Every quote (before the trade it may stand for): previous close, and its running volume and status in `details`. */
  onQuote(symbol: string, last: number | undefined, prevClose: number | undefined, at: number, details?: FeedQuote): void;
  /** Called just before symbols are (re)subscribed: their next points follow a gap. */
  onSubscribing(symbols: readonly string[]): void;
  /** Called when iTick refuses symbols as unknown (E001 "not found this produce"), with its words. */
  onInvalidSymbols?(symbols: readonly string[], msg: string): void;
}

export interface ItickConnectionOptions {
  url: string;
  /** Secret: sent to iTick, never logged. */
  token: string;
  logger: IngestLogger;
  handlers: FeedHandlers;
  /** The market this connection's URL serves (default `stock`): the symbols it takes and reports. */
  market?: Market;
  /** Index of the connection within its market, for log lines. */
  index?: number;
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  /** Wait this long after the greeting for an auth result before sending the auth message. */
  authFallbackMs?: number;
  /** From the start of the upgrade until authenticated. */
  connectTimeoutMs?: number;
  /** How long to wait for the answer to a subscribe or unsubscribe. */
  requestTimeoutMs?: number;
  /** At most this many symbols per subscribe request. */
  requestChunk?: number;
  reconnect?: Backoff;
  /** After the token is refused. Minutes, not a hot loop. */
  refusedBackoffMs?: number;
  /** A close this soon after authenticating is a quick close; `knockOffsInARow` of them within `knockOffWindowMs` are a knock-off. */
  knockedOffWithinMs?: number;
  knockOffsInARow?: number;
  knockOffWindowMs?: number;
  knockedOff?: Backoff;
  random?: Random;
  now?: () => number;
  /** At most one warn line per unmatched symbol form, or per kind of unreadable message, this often (default 60 s). */
  unusableWarnEveryMs?: number;
}

export type ConnectionState = 'idle' | 'connecting' | 'authenticating' | 'ready' | 'backoff' | 'stopped';

export interface ConnectionStatus {
  market: Market;
  state: ConnectionState;
  /** Symbols iTick confirmed. */
  subscribed: string[];
  /** Symbols iTick refused to subscribe (e.g. the plan's limit). */
  refused: string[];
  /** Wanted symbols iTick does not know (E001). */
  invalid: string[];
  lastTickAt: number | undefined;
  /** Round trip of the last answered ping. */
  pingRttMs: number | undefined;
  connects: number;
  /** When a connection in backoff will next try. */
  nextAttemptAt: number | undefined;
  /** Messages not used: unreadable, unmatched, or unexpected (an answer or pong without a request). */
  dropped: number;
  /** Data messages whose symbol matched no subscription of this connection (unusable-data.ts). */
  unmatched: number;
  /** Raw `s` of the most recent unmatched data messages (at most 20, distinct, newest last). */
  unmatchedSymbols: string[];
  /** Messages that could not be read (malformed JSON, binary, data without a usable price). */
  unreadable: number;
}

/** The details of every trade read from a `tick` (one shared object: the hot path allocates none). */
const TICK_DETAILS: TradeDetails = Object.freeze({ source: 'tick', volumeKnown: true, newSession: false, dayVolume: undefined, session: undefined, status: undefined });

const defaults = {
  // iTick's own example client pings every 15 s (test/fixtures/itick/README.md); ITICK_PING_INTERVAL_MS.
  pingIntervalMs: 15_000,
  pongTimeoutMs: 10_000,
  authFallbackMs: 3_000,
  connectTimeoutMs: 15_000,
  requestTimeoutMs: 10_000,
  requestChunk: 200,
  ...reconnectDefaults,
};

/**
 * A self-healing iTick connection.
 * @example
 * const connection = new ItickConnection({ url, token, logger, handlers });
 * connection.setSymbols(['AAPL$US', 'TSLA$US']);
 * connection.start();
 * // ... on shutdown
 * await connection.stop();
 */
export class ItickConnection {
  /** The market this connection serves; data it resolves is `marketSymbol(market, feedSymbol)`. */
  readonly market: Market;
  private readonly settings: typeof defaults;
  private readonly now: () => number;
  private readonly logger: IngestLogger;
  private readonly subscriptions: ConnectionSubscriptions;
  private readonly policy: ReconnectPolicy;
  private ws: WebSocket | undefined;
  private state: ConnectionState = 'idle';
  private cause: CloseCause;
  private connects = 0;
  private authTimer: NodeJS.Timeout | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private requestTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly liveness: ConnectionLiveness;
  private lastTickAt: number | undefined;
  private nextAttemptAt: number | undefined;
  private lastError: string | undefined;
  /** The last notice the server sent on this socket (it may say why it is about to close). */
  private lastNotice: string | undefined;
  /** The auth message went out on this socket. */
  private authMessageSent = false;
  /** The server authenticated only after the auth message: send it at once on every greeting. */
  private authByMessage = false;
  private dropped = 0;
  /** Data the connection could not use: counted, logged at warn rate-limited. */
  private readonly unusable: UnusableData;
  /** When a quote is a trade, per feed symbol; cleared when a new socket's first data comes. */
  private readonly quoteTrades = new QuoteTrades();
  private quoteTradesConnect = 0;
  private stopped: Promise<void> | undefined;
  private resolveStopped: (() => void) | undefined;

  constructor(private readonly options: ItickConnectionOptions) {
    const { url: _url, token: _token, logger: _logger, handlers: _handlers, index: _index, market, random, now, ...overrides } = options;
    this.market = market ?? 'stock';
    this.settings = { ...defaults, ...Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined)) };
    this.now = now ?? Date.now;
    this.logger = withAttributes(options.logger, { market: this.market, connection: options.index ?? 0 });
    this.unusable = new UnusableData({ logger: this.logger, warnEveryMs: options.unusableWarnEveryMs });
    this.subscriptions = new ConnectionSubscriptions({
      requestChunk: this.settings.requestChunk,
      logger: this.logger,
      onSubscribing: (symbols) => {
        // Their next quote follows a gap: nothing to take a volume difference from.
        this.quoteTrades.reset(symbols);
        options.handlers.onSubscribing(this.canonical(symbols));
      },
      onInvalid: (symbols, msg) => options.handlers.onInvalidSymbols?.(this.canonical(symbols), msg),
    });
    this.policy = new ReconnectPolicy(this.settings, random ?? Math.random);
    this.liveness = new ConnectionLiveness({
      intervalMs: this.settings.pingIntervalMs,
      timeoutMs: this.settings.pongTimeoutMs,
      now: this.now,
      send: (text) => this.ws?.send(text),
      onDead: () => {
        this.logger.warn('no pong from iTick: the connection is dead; reconnecting', { pongTimeoutMs: this.settings.pongTimeoutMs });
        this.cause = 'dead';
        this.ws?.terminate();
      },
    });
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.connect();
  }

  /** Closes the connection and cancels any reconnect; resolves once the socket is closed. */
  stop(): Promise<void> {
    if (this.stopped !== undefined) return this.stopped;
    clearTimeout(this.retryTimer);
    const ws = this.ws;
    if (ws === undefined || ws.readyState === WebSocket.CLOSED) {
      this.clearConnectionTimers();
      this.state = 'stopped';
      this.stopped = Promise.resolve();
      return this.stopped;
    }
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
    this.state = 'stopped';
    ws.close(1000, 'shutting down');
    // A peer that does not complete the closing handshake must not hold up the shutdown.
    setTimeout(() => ws.terminate(), 1_000).unref();
    return this.stopped;
  }

  /**
   * The symbols this connection should watch (canonical, of its market; others are ignored with a
   * warning); subscriptions follow as soon as the connection is ready.
   */
  setSymbols(symbols: Iterable<string>): void {
    if (this.subscriptions.setWanted(this.feedSymbols(symbols))) this.reconcile();
  }

  /** Asks iTick again for symbols it refused as unknown, although they are still wanted (their rules changed since). */
  retryInvalid(symbols: Iterable<string>): void {
    if (this.subscriptions.forgetInvalid(this.feedSymbols(symbols))) this.reconcile();
  }

  status(): ConnectionStatus {
    return {
      market: this.market,
      state: this.state,
      subscribed: this.canonical(this.subscriptions.confirmed()),
      refused: this.canonical(this.subscriptions.refusedSymbols()),
      invalid: this.canonical(this.subscriptions.invalidSymbols()),
      lastTickAt: this.lastTickAt,
      pingRttMs: this.liveness.rttMs,
      connects: this.connects,
      nextAttemptAt: this.state === 'backoff' ? this.nextAttemptAt : undefined,
      dropped: this.dropped,
      ...this.unusable.counts(),
    };
  }

  /** iTick's `CODE$REGION` for each canonical symbol of this market. */
  private feedSymbols(symbols: Iterable<string>): string[] {
    const feed: string[] = [];
    for (const symbol of symbols) {
      const parts = splitSymbol(symbol);
      if (parts.market === this.market) feed.push(parts.feedSymbol);
      else this.logger.warn('ignoring a symbol of another market', { symbol });
    }
    return feed;
  }

  /** The canonical symbols of iTick's `CODE$REGION`s on this connection. */
  private canonical(feedSymbols: readonly string[]): string[] {
    return feedSymbols.map((feedSymbol) => marketSymbol(this.market, feedSymbol));
  }

  private connect(): void {
    this.state = 'connecting';
    this.cause = undefined;
    this.lastError = undefined;
    this.lastNotice = undefined;
    this.authMessageSent = false;
    this.connects += 1;
    const ws = new WebSocket(this.options.url, {
      headers: { token: this.options.token },
      handshakeTimeout: this.settings.connectTimeoutMs,
      // iTick sends small JSON text frames at a high rate; JSON.parse copes with any bytes, so
      // validating UTF-8 first would only cost time on the hot path.
      skipUTF8Validation: true,
    });
    this.ws = ws;
    this.connectTimer = setTimeout(() => {
      this.logger.warn('iTick did not authenticate the connection in time; reconnecting', { timeoutMs: this.settings.connectTimeoutMs });
      this.cause = 'timeout';
      ws.terminate();
    }, this.settings.connectTimeoutMs);
    ws.on('open', () => {
      if (this.state === 'connecting') this.state = 'authenticating';
    });
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      if (!isBinary) this.receive(data.toString());
      else this.unreadable('binary frame');
    });
    ws.on('error', (error) => {
      this.lastError = errorMessage(error);
    });
    ws.on('close', (code, reason) => this.closed(ws, code, reason.toString()));
  }

  private drop(reason: string): void {
    this.dropped += 1;
    this.logger.debug('dropped a message from iTick', { reason });
  }

  /** A message that could not be read: counted, and said at warn (rate-limited). */
  private unreadable(reason: string): void {
    this.unusable.unreadable(reason, this.now());
    this.drop(reason);
  }

  /** Data for a symbol no subscription matches (`s` as sent): counted, remembered, said at warn (rate-limited). */
  private unmatched(s: string, r: string | undefined, type: string): void {
    this.unusable.unmatched(s, r, type, this.now());
    this.drop(`${type} for ${s} which is not subscribed`);
  }

  /** Quote-trade state is per socket: the first data of a new one starts it over (symbols unsubscribed meanwhile are forgotten). */
  private quoteTradesOfThisSocket(): QuoteTrades {
    if (this.quoteTradesConnect !== this.connects) {
      this.quoteTrades.clear();
      this.quoteTradesConnect = this.connects;
    }
    return this.quoteTrades;
  }

  /** A quote: handed on as a quote, and as a trade when it stands for one (quote-trades.ts). */
  private quoted(message: FeedQuote): void {
    const feedSymbol = this.subscriptions.resolve(message.code, message.region);
    if (feedSymbol === undefined) return this.unmatched(message.code, message.region, 'quote');
    const symbol = marketSymbol(this.market, feedSymbol);
    const now = this.now();
    const handlers = this.options.handlers;
    handlers.onQuote(symbol, message.last, message.prevClose, message.at ?? now, message);
    const trade = this.quoteTradesOfThisSocket().quote(feedSymbol, message.last, message.at, message.dayVolume, now);
    if (trade === undefined) return;
    // A quote-only feed is live as long as its quotes trade: the heartbeat's lastTickAt says so.
    this.lastTickAt = now;
    handlers.onTrade(symbol, trade.price, trade.at, trade.volume, {
      source: 'quote',
      volumeKnown: trade.volumeKnown,
      newSession: trade.newSession,
      dayVolume: message.dayVolume,
      session: message.session,
      status: message.status,
    });
  }

  private receive(text: string): void {
    const message = parseFeedMessage(text);
    switch (message.kind) {
      case 'tick': {
        const feedSymbol = this.subscriptions.resolve(message.code, message.region);
        if (feedSymbol === undefined) return this.unmatched(message.code, message.region, 'tick');
        const now = this.now();
        this.lastTickAt = now;
        // From now on this symbol's trades are its ticks; its quotes are summaries only.
        this.quoteTradesOfThisSocket().ticked(feedSymbol);
        const details = message.session === undefined ? TICK_DETAILS : { ...TICK_DETAILS, session: message.session };
        this.options.handlers.onTrade(marketSymbol(this.market, feedSymbol), message.price, message.at ?? now, message.volume, details);
        return;
      }
      case 'quote':
        return this.quoted(message);
      case 'kline':
      case 'ignored':
        // Depth, and bars (not used for alerts yet), are not trades, and not a problem either: not counted.
        return;
      case 'pong':
        if (!this.liveness.ponged(message.params)) this.drop('pong for no ping of this connection');
        return;
      case 'greeting':
        clearTimeout(this.authTimer);
        // Older iTick docs authenticate with a message instead of the header: send it if the
        // header alone has not produced an auth result by now (at once when that was so before).
        this.authTimer = setTimeout(
          () => {
            if (this.state !== 'authenticating') return;
            this.authMessageSent = true;
            this.ws?.send(authRequest(this.options.token));
          },
          this.authByMessage ? 0 : this.settings.authFallbackMs,
        );
        return;
      case 'auth':
        return message.ok ? this.authenticated() : this.authRefused(message.msg);
      case 'subscribe':
      case 'unsubscribe':
        return this.answered(message.kind, message.ok, message.msg);
      case 'notice':
        // Kept: a notice right before a close may say why (another client on the key).
        this.lastNotice = message.msg;
        this.logger[message.ok ? 'info' : 'warn']('iTick says', { msg: message.msg });
        return;
      case 'unknown':
        return this.unreadable(message.reason);
      default:
        return assertNever(message, 'iTick message');
    }
  }

  private authenticated(): void {
    if (this.state !== 'authenticating') return;
    clearTimeout(this.authTimer);
    clearTimeout(this.connectTimer);
    this.state = 'ready';
    if (this.authMessageSent) this.authByMessage = true;
    this.policy.authenticated(this.now());
    this.logger.info('connected to iTick', { connects: this.connects, authByMessage: this.authByMessage });
    this.liveness.start();
    this.reconcile();
  }

  private authRefused(msg: string): void {
    const { refusals, retryInMs } = this.policy.refused();
    // Said once, clearly; repeats every few minutes would only bury it.
    if (refusals === 1) {
      this.logger.error(`iTick refused the token (${msg || 'auth failed'}): check ITICK_TOKEN; retrying every ~${Math.round(this.settings.refusedBackoffMs / 1000)} s`);
    } else {
      this.logger.debug('iTick refused the token again', { refusals });
    }
    this.cause = 'refused';
    this.nextAttemptAt = this.now() + retryInMs;
    this.ws?.close(1000, 'auth refused');
  }

  /** Sends the next subscribe or unsubscribe that brings iTick's set to the wanted set. */
  private reconcile(): void {
    if (this.state !== 'ready') return;
    const request = this.subscriptions.next();
    if (request === undefined) return;
    const { action, symbols } = request;
    this.requestTimer = setTimeout(() => {
      this.logger.warn(`iTick did not answer a ${action}; reconnecting to resubscribe`, { symbols: symbols.length });
      this.cause = 'resubscribe';
      this.ws?.terminate();
    }, this.settings.requestTimeoutMs);
    this.ws?.send(subscriptionRequest(action, symbols));
  }

  private answered(action: SubscriptionAction, ok: boolean, msg: string): void {
    const outcome = this.subscriptions.answered(action, ok, msg);
    switch (outcome) {
      case 'unexpected':
        return this.drop(`${action} answer without a request`);
      case 'reconnect':
        clearTimeout(this.requestTimer);
        this.logger.warn('iTick refused to unsubscribe; reconnecting to subscribe only the wanted symbols', { msg });
        this.cause = 'resubscribe';
        this.ws?.close(1000, 'resubscribe');
        return;
      case 'next':
        clearTimeout(this.requestTimer);
        return this.reconcile();
      default:
        return assertNever(outcome, 'subscription answer');
    }
  }

  private clearConnectionTimers(): void {
    this.liveness.stop();
    clearTimeout(this.authTimer);
    clearTimeout(this.connectTimer);
    clearTimeout(this.requestTimer);
  }

  private closed(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.ws) return;
    this.clearConnectionTimers();
    this.ws = undefined;
    this.subscriptions.reset();
    const wasReady = this.state === 'ready';
    if (this.state === 'stopped') {
      this.resolveStopped?.();
      return;
    }
    const now = this.now();
    const details = { code, reason: reason || undefined, error: this.lastError };
    let delay: number;
    if (this.cause === 'refused' || /server response: 40[13]/.test(this.lastError ?? '')) {
      if (this.cause !== 'refused') this.authRefused('upgrade refused');
      delay = Math.max(0, (this.nextAttemptAt ?? now) - now);
    } else {
      const decision = this.policy.closed({ wasReady, cause: this.cause, said: reason || this.lastNotice }, now);
      delay = decision.delayMs;
      this.logReconnect(decision, wasReady, details);
    }
    this.state = 'backoff';
    this.nextAttemptAt = now + delay;
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private logReconnect(decision: ReconnectDecision, wasReady: boolean, details: Record<string, unknown>): void {
    const inS = Math.round(decision.delayMs / 1000);
    switch (decision.kind) {
      case 'knocked-off': {
        // The one loud line per long backoff: what a FeedDisconnected alarm's reader looks for.
        const why = decision.told
          ? `iTick says another client took the connection over ("${String(details.reason ?? this.lastNotice ?? '')}")`
          : `iTick closed the connection ${this.settings.knockOffsInARow} times in a row, each within ${Math.round(this.settings.knockedOffWithinMs / 1000)} s of authenticating`;
        return this.logger.error(
          `${why}: another client is probably using the same token (iTick allows one connection per key); reconnecting in ${inS} s`,
          { ...details, knockOffs: decision.knockOffs },
        );
      }
      case 'reconnect':
        if (decision.quickCloses > 0) {
          return this.logger.warn(`iTick closed the connection ${(decision.upMs / 1000).toFixed(1)} s after authenticating; reconnecting`, {
            ...details,
            inMs: decision.delayMs,
            quickCloses: decision.quickCloses,
            knockOffAfter: this.settings.knockOffsInARow,
          });
        }
        return this.logger[wasReady ? 'warn' : 'info']('iTick connection closed; reconnecting', { ...details, cause: this.cause, inMs: decision.delayMs, attempt: decision.attempt });
      default:
        return assertNever(decision, 'reconnect decision');
    }
  }
}

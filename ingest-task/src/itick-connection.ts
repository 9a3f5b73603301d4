/**
 * The connection lifecycle: one connection to iTick's stock WebSocket, kept open for as long as
 * the task runs (protocol: shared/spec/itick.md). It holds the socket and its timers; what the
 * messages look like is feed-protocol.ts, what to subscribe is connection-subscriptions.ts, how
 * long to wait before connecting again is reconnect-policy.ts.
 *
 * - Auth: the token goes in the `token` header of the upgrade; if no auth result has come
 *   `authFallbackMs` after the greeting, the older `{"ac":"auth"}` message is sent too. Not
 *   authenticated `connectTimeoutMs` after connecting: reconnect.
 * - Liveness: a ping every `pingIntervalMs`; no pong within `pongTimeoutMs` means a dead
 *   connection, which is terminated and reconnected. A subscribe or unsubscribe not answered
 *   within `requestTimeoutMs` reconnects too.
 * - Every connection starts with no subscriptions, so all wanted symbols are subscribed again,
 *   and `onSubscribing` tells the batcher that their next points follow a gap.
 *
 * The message path only parses and hands over; the server cuts off clients that read slowly.
 */
import WebSocket from 'ws';
import { assertNever } from '../../core/assert-never';
import type { Backoff, Random } from '../../core/retry';
import { ConnectionSubscriptions, type SubscriptionAction } from './connection-subscriptions';
import { authRequest, parseFeedMessage, pingRequest, subscriptionRequest } from './feed-protocol';
import { errorMessage, withAttributes, type IngestLogger } from './logger';
import { ReconnectPolicy, reconnectDefaults, type CloseCause, type ReconnectDecision } from './reconnect-policy';

export interface FeedHandlers {
  onTrade(symbol: string, price: number, at: number, volume: number): void;
  onQuote(symbol: string, last: number | undefined, prevClose: number | undefined, at: number): void;
  /** Called just before symbols are (re)subscribed: their next points follow a gap. */
  onSubscribing(symbols: readonly string[]): void;
}

export interface ItickConnectionOptions {
  url: string;
  /** Secret: sent to iTick, never logged. */
  token: string;
  logger: IngestLogger;
  handlers: FeedHandlers;
  /** Index of the connection, for log lines. */
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
  /** A close this soon after authenticating counts as being knocked off by another client. */
  knockedOffWithinMs?: number;
  knockedOff?: Backoff;
  random?: Random;
  now?: () => number;
}

export type ConnectionState = 'idle' | 'connecting' | 'authenticating' | 'ready' | 'backoff' | 'stopped';

export interface ConnectionStatus {
  state: ConnectionState;
  /** Symbols iTick confirmed. */
  subscribed: string[];
  /** Symbols iTick refused to subscribe (e.g. the plan's limit). */
  refused: string[];
  lastTickAt: number | undefined;
  /** Round trip of the last answered ping. */
  pingRttMs: number | undefined;
  connects: number;
  /** When a connection in backoff will next try. */
  nextAttemptAt: number | undefined;
  /** Messages dropped because they could not be read or were for no subscribed symbol. */
  dropped: number;
}

const defaults = {
  pingIntervalMs: 30_000,
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
  private readonly settings: typeof defaults;
  private readonly now: () => number;
  private readonly logger: IngestLogger;
  private readonly subscriptions: ConnectionSubscriptions;
  private readonly policy: ReconnectPolicy;
  private ws: WebSocket | undefined;
  private state: ConnectionState = 'idle';
  private cause: CloseCause;
  private connects = 0;
  private pingTimer: NodeJS.Timeout | undefined;
  private pongTimer: NodeJS.Timeout | undefined;
  private authTimer: NodeJS.Timeout | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private requestTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private pingSent: string | undefined;
  private pingSentAt = 0;
  private pingRttMs: number | undefined;
  private lastTickAt: number | undefined;
  private nextAttemptAt: number | undefined;
  private lastError: string | undefined;
  private dropped = 0;
  private stopped: Promise<void> | undefined;
  private resolveStopped: (() => void) | undefined;

  constructor(private readonly options: ItickConnectionOptions) {
    const { url: _url, token: _token, logger: _logger, handlers: _handlers, index: _index, random, now, ...overrides } = options;
    this.settings = { ...defaults, ...Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined)) };
    this.now = now ?? Date.now;
    this.logger = withAttributes(options.logger, { connection: options.index ?? 0 });
    this.subscriptions = new ConnectionSubscriptions({ requestChunk: this.settings.requestChunk, logger: this.logger, onSubscribing: (symbols) => options.handlers.onSubscribing(symbols) });
    this.policy = new ReconnectPolicy(this.settings, random ?? Math.random);
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

  /** The symbols this connection should watch; subscriptions follow as soon as the connection is ready. */
  setSymbols(symbols: Iterable<string>): void {
    if (this.subscriptions.setWanted(symbols)) this.reconcile();
  }

  status(): ConnectionStatus {
    return {
      state: this.state,
      subscribed: this.subscriptions.confirmed(),
      refused: this.subscriptions.refusedSymbols(),
      lastTickAt: this.lastTickAt,
      pingRttMs: this.pingRttMs,
      connects: this.connects,
      nextAttemptAt: this.state === 'backoff' ? this.nextAttemptAt : undefined,
      dropped: this.dropped,
    };
  }

  private connect(): void {
    this.state = 'connecting';
    this.cause = undefined;
    this.lastError = undefined;
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
      else this.drop('binary frame');
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

  private receive(text: string): void {
    const message = parseFeedMessage(text);
    switch (message.kind) {
      case 'tick': {
        const symbol = this.subscriptions.resolve(message.code, message.region);
        if (symbol === undefined) return this.drop(`tick for ${message.code} which is not subscribed`);
        const now = this.now();
        this.lastTickAt = now;
        this.options.handlers.onTrade(symbol, message.price, message.at ?? now, message.volume);
        return;
      }
      case 'quote': {
        const symbol = this.subscriptions.resolve(message.code, message.region);
        if (symbol === undefined) return this.drop(`quote for ${message.code} which is not subscribed`);
        this.options.handlers.onQuote(symbol, message.last, message.prevClose, message.at ?? this.now());
        return;
      }
      case 'ignored':
        return;
      case 'pong':
        return this.ponged(message.params);
      case 'greeting':
        clearTimeout(this.authTimer);
        // Older iTick docs authenticate with a message instead of the header: send it if the
        // header alone has not produced an auth result by now.
        this.authTimer = setTimeout(() => {
          if (this.state === 'authenticating') this.ws?.send(authRequest(this.options.token));
        }, this.settings.authFallbackMs);
        return;
      case 'auth':
        return message.ok ? this.authenticated() : this.authRefused(message.msg);
      case 'subscribe':
      case 'unsubscribe':
        return this.answered(message.kind, message.ok, message.msg);
      case 'notice':
        this.logger[message.ok ? 'info' : 'warn']('iTick says', { msg: message.msg });
        return;
      case 'unknown':
        return this.drop(message.reason);
      default:
        return assertNever(message, 'iTick message');
    }
  }

  private authenticated(): void {
    if (this.state !== 'authenticating') return;
    clearTimeout(this.authTimer);
    clearTimeout(this.connectTimer);
    this.state = 'ready';
    this.policy.authenticated(this.now());
    this.logger.info('connected to iTick', { connects: this.connects });
    this.pingTimer = setInterval(() => this.ping(), this.settings.pingIntervalMs);
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

  private ping(): void {
    if (this.pingSent !== undefined) return;
    this.pingSentAt = this.now();
    this.pingSent = String(this.pingSentAt);
    this.ws?.send(pingRequest(this.pingSent));
    this.pongTimer = setTimeout(() => {
      this.logger.warn('no pong from iTick: the connection is dead; reconnecting', { pongTimeoutMs: this.settings.pongTimeoutMs });
      this.cause = 'dead';
      this.ws?.terminate();
    }, this.settings.pongTimeoutMs);
  }

  private ponged(params: string | undefined): void {
    if (this.pingSent === undefined || params !== this.pingSent) return this.drop('pong for no ping of this connection');
    clearTimeout(this.pongTimer);
    this.pingRttMs = this.now() - this.pingSentAt;
    this.pingSent = undefined;
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
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    clearTimeout(this.authTimer);
    clearTimeout(this.connectTimer);
    clearTimeout(this.requestTimer);
  }

  private closed(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.ws) return;
    this.clearConnectionTimers();
    this.ws = undefined;
    this.pingSent = undefined;
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
      const decision = this.policy.closed({ wasReady, cause: this.cause }, now);
      delay = decision.delayMs;
      this.logReconnect(decision, wasReady, details);
    }
    this.state = 'backoff';
    this.nextAttemptAt = now + delay;
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private logReconnect(decision: ReconnectDecision, wasReady: boolean, details: Record<string, unknown>): void {
    switch (decision.kind) {
      case 'knocked-off':
        return this.logger.error(
          `iTick closed the connection ${Math.round(decision.upMs / 1000)} s after authenticating: another client is probably using the same token (iTick allows one connection per key); reconnecting in ${Math.round(decision.delayMs / 1000)} s`,
          details,
        );
      case 'reconnect':
        return this.logger[wasReady ? 'warn' : 'info']('iTick connection closed; reconnecting', { ...details, cause: this.cause, inMs: decision.delayMs, attempt: decision.attempt });
      default:
        return assertNever(decision, 'reconnect decision');
    }
  }
}

/**
 * One connection to iTick's stock WebSocket, kept open for as long as the task runs
 * (protocol: shared/spec/itick.md).
 *
 * - Auth: the token goes in the `token` header of the upgrade; if no auth result has come
 *   `authFallbackMs` after the greeting, the older `{"ac":"auth"}` message is sent too.
 * - Subscriptions follow {@link ItickConnection.setSymbols}: one request at a time (answers carry
 *   no id, so they are matched in order), unsubscribe before subscribe so that slots are freed
 *   first. A refused subscribe leaves those symbols unwatched (reported, retried when the wanted
 *   set changes or on the next connection); a refused unsubscribe falls back to reconnecting.
 * - Liveness: a ping every `pingIntervalMs`; no pong within `pongTimeoutMs` means a dead
 *   connection, which is terminated and reconnected.
 * - Reconnects use jittered exponential backoff. Two cases get a long backoff and one clear log
 *   line instead of a reconnect race: the token refused, and the connection closed right after
 *   authenticating (another client on the same key knocks this one off).
 * - Every connection starts with no subscriptions, so all wanted symbols are subscribed again,
 *   and `onSubscribing` tells the batcher that their next points follow a gap.
 *
 * The message path only parses and hands over; the server cuts off clients that read slowly.
 */
import WebSocket from 'ws';
import { parseFeedMessage, SymbolIndex } from './feed-messages';
import { errorMessage, type IngestLogger } from './logger';

export interface FeedHandlers {
  onTrade(symbol: string, price: number, at: number, volume: number): void;
  onQuote(symbol: string, last: number | undefined, prevClose: number | undefined, at: number): void;
  /** Called just before symbols are (re)subscribed: their next points follow a gap. */
  onSubscribing(symbols: readonly string[]): void;
}

export interface Backoff {
  initialMs: number;
  maxMs: number;
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
  random?: () => number;
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

type CloseCause = 'refused' | 'dead' | 'resubscribe' | 'timeout' | undefined;

interface PendingRequest {
  action: 'subscribe' | 'unsubscribe';
  symbols: string[];
  timer: NodeJS.Timeout;
}

const defaults = {
  pingIntervalMs: 30_000,
  pongTimeoutMs: 10_000,
  authFallbackMs: 3_000,
  connectTimeoutMs: 15_000,
  requestTimeoutMs: 10_000,
  requestChunk: 200,
  reconnect: { initialMs: 1_000, maxMs: 60_000 },
  refusedBackoffMs: 300_000,
  knockedOffWithinMs: 10_000,
  knockedOff: { initialMs: 60_000, maxMs: 600_000 },
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
  private readonly random: () => number;
  private readonly wanted = new Set<string>();
  private readonly subscribed = new Set<string>();
  private readonly refused = new Set<string>();
  private readonly index = new SymbolIndex();
  private ws: WebSocket | undefined;
  private state: ConnectionState = 'idle';
  private cause: CloseCause;
  private pending: PendingRequest | undefined;
  private authedAt = 0;
  private attempts = 0;
  private knockOffs = 0;
  private refusals = 0;
  private connects = 0;
  private pingTimer: NodeJS.Timeout | undefined;
  private pongTimer: NodeJS.Timeout | undefined;
  private authTimer: NodeJS.Timeout | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private pingSent: string | undefined;
  private pingSentAt = 0;
  private pingRttMs: number | undefined;
  private lastTickAt: number | undefined;
  private nextAttemptAt: number | undefined;
  private lastError: string | undefined;
  private dropped = 0;
  /** Set when a subscribe of several symbols was refused: find out, one by one, which fit. */
  private oneByOne = false;
  private stopped: Promise<void> | undefined;
  private resolveStopped: (() => void) | undefined;

  constructor(private readonly options: ItickConnectionOptions) {
    const { url: _url, token: _token, logger: _logger, handlers: _handlers, index: _index, random, now, ...overrides } = options;
    this.settings = { ...defaults, ...Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined)) };
    this.now = now ?? Date.now;
    this.random = random ?? Math.random;
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
    const next = new Set(symbols);
    const changed = next.size !== this.wanted.size || [...next].some((symbol) => !this.wanted.has(symbol));
    if (!changed) return;
    this.wanted.clear();
    for (const symbol of next) this.wanted.add(symbol);
    // A symbol refused for the plan's limit may fit now; ask again once per change, not per refresh.
    this.refused.clear();
    this.reconcile();
  }

  status(): ConnectionStatus {
    return {
      state: this.state,
      subscribed: [...this.subscribed].sort(),
      refused: [...this.refused].sort(),
      lastTickAt: this.lastTickAt,
      pingRttMs: this.pingRttMs,
      connects: this.connects,
      nextAttemptAt: this.state === 'backoff' ? this.nextAttemptAt : undefined,
      dropped: this.dropped,
    };
  }

  private log(level: 'debug' | 'info' | 'warn' | 'error', message: string, attributes: Record<string, unknown> = {}): void {
    this.options.logger[level](message, { connection: this.options.index ?? 0, ...attributes });
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
      this.log('warn', 'iTick did not authenticate the connection in time; reconnecting', { timeoutMs: this.settings.connectTimeoutMs });
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

  private send(message: Record<string, string>): void {
    this.ws?.send(JSON.stringify(message));
  }

  private drop(reason: string): void {
    this.dropped += 1;
    this.log('debug', 'dropped a message from iTick', { reason });
  }

  private receive(text: string): void {
    const message = parseFeedMessage(text);
    switch (message.kind) {
      case 'tick': {
        const symbol = this.index.resolve(message.code, message.region);
        if (symbol === undefined) return this.drop(`tick for ${message.code} which is not subscribed`);
        const now = this.now();
        this.lastTickAt = now;
        this.options.handlers.onTrade(symbol, message.price, message.at ?? now, message.volume);
        return;
      }
      case 'quote': {
        const symbol = this.index.resolve(message.code, message.region);
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
          if (this.state === 'authenticating') this.send({ ac: 'auth', params: this.options.token });
        }, this.settings.authFallbackMs);
        return;
      case 'auth':
        return message.ok ? this.authenticated() : this.authRefused(message.msg);
      case 'subscribe':
      case 'unsubscribe':
        return this.answered(message.kind, message.ok, message.msg);
      case 'notice':
        this.log(message.ok ? 'info' : 'warn', 'iTick says', { msg: message.msg });
        return;
      case 'unknown':
        return this.drop(message.reason);
    }
  }

  private authenticated(): void {
    if (this.state !== 'authenticating') return;
    clearTimeout(this.authTimer);
    clearTimeout(this.connectTimer);
    this.state = 'ready';
    this.authedAt = this.now();
    this.refusals = 0;
    this.log('info', 'connected to iTick', { connects: this.connects });
    this.pingTimer = setInterval(() => this.ping(), this.settings.pingIntervalMs);
    this.reconcile();
  }

  private authRefused(msg: string): void {
    this.refusals += 1;
    const retryInMs = this.jitter(this.settings.refusedBackoffMs);
    // Said once, clearly; repeats every few minutes would only bury it.
    if (this.refusals === 1) {
      this.log('error', `iTick refused the token (${msg || 'auth failed'}): check ITICK_TOKEN; retrying every ~${Math.round(this.settings.refusedBackoffMs / 1000)} s`);
    } else {
      this.log('debug', 'iTick refused the token again', { refusals: this.refusals });
    }
    this.cause = 'refused';
    this.nextAttemptAt = this.now() + retryInMs;
    this.ws?.close(1000, 'auth refused');
  }

  private ping(): void {
    if (this.pingSent !== undefined) return;
    this.pingSentAt = this.now();
    this.pingSent = String(this.pingSentAt);
    this.send({ ac: 'ping', params: this.pingSent });
    this.pongTimer = setTimeout(() => {
      this.log('warn', 'no pong from iTick: the connection is dead; reconnecting', { pongTimeoutMs: this.settings.pongTimeoutMs });
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
    if (this.state !== 'ready' || this.pending !== undefined) return;
    const chunk = this.oneByOne ? 1 : this.settings.requestChunk;
    const remove = [...this.subscribed].filter((symbol) => !this.wanted.has(symbol)).slice(0, chunk);
    if (remove.length > 0) {
      for (const symbol of remove) this.index.delete(symbol);
      return this.request('unsubscribe', remove);
    }
    const add = [...this.wanted].filter((symbol) => !this.subscribed.has(symbol) && !this.refused.has(symbol)).slice(0, chunk);
    if (add.length > 0) {
      this.options.handlers.onSubscribing(add);
      // Data may come before the answer; accept it from the moment we asked.
      for (const symbol of add) this.index.add(symbol);
      this.request('subscribe', add);
    }
  }

  private request(action: PendingRequest['action'], symbols: string[]): void {
    const timer = setTimeout(() => {
      this.log('warn', `iTick did not answer a ${action}; reconnecting to resubscribe`, { symbols: symbols.length });
      this.cause = 'resubscribe';
      this.ws?.terminate();
    }, this.settings.requestTimeoutMs);
    this.pending = { action, symbols, timer };
    this.send({ ac: action, params: symbols.join(','), types: 'tick,quote' });
  }

  private answered(action: PendingRequest['action'], ok: boolean, msg: string): void {
    const pending = this.pending;
    if (pending?.action !== action) return this.drop(`${action} answer without a request`);
    clearTimeout(pending.timer);
    this.pending = undefined;
    if (action === 'subscribe') {
      if (ok) {
        for (const symbol of pending.symbols) this.subscribed.add(symbol);
      } else if (pending.symbols.length > 1) {
        // iTick refuses a request as a whole: ask again one symbol at a time, so that as many
        // symbols as the plan allows get watched and only the rest are reported.
        this.oneByOne = true;
        this.log('warn', 'iTick refused a subscribe of several symbols; asking for them one at a time', { msg, symbols: pending.symbols.length });
      } else {
        for (const symbol of pending.symbols) {
          this.refused.add(symbol);
          if (!this.subscribed.has(symbol)) this.index.delete(symbol);
        }
        this.log('error', 'iTick refused to subscribe: these symbols are not watched', { msg, symbols: pending.symbols });
      }
    } else if (ok) {
      for (const symbol of pending.symbols) this.subscribed.delete(symbol);
    } else {
      this.log('warn', 'iTick refused to unsubscribe; reconnecting to subscribe only the wanted symbols', { msg });
      this.cause = 'resubscribe';
      this.ws?.close(1000, 'resubscribe');
      return;
    }
    this.reconcile();
  }

  private clearConnectionTimers(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    clearTimeout(this.authTimer);
    clearTimeout(this.connectTimer);
    clearTimeout(this.pending?.timer);
  }

  private closed(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.ws) return;
    this.clearConnectionTimers();
    this.ws = undefined;
    this.pending = undefined;
    this.pingSent = undefined;
    this.oneByOne = false;
    this.subscribed.clear();
    this.index.clear();
    const wasReady = this.state === 'ready';
    if (this.state === 'stopped') {
      this.resolveStopped?.();
      return;
    }
    const now = this.now();
    const upMs = wasReady ? now - this.authedAt : 0;
    const details = { code, reason: reason || undefined, error: this.lastError };
    let delay: number;
    if (this.cause === 'refused' || /server response: 40[13]/.test(this.lastError ?? '')) {
      if (this.cause !== 'refused') this.authRefused('upgrade refused');
      delay = Math.max(0, (this.nextAttemptAt ?? now) - now);
    } else if (wasReady && upMs < this.settings.knockedOffWithinMs && this.cause === undefined) {
      this.knockOffs += 1;
      delay = this.backoff(this.settings.knockedOff, this.knockOffs);
      this.log(
        'error',
        `iTick closed the connection ${Math.round(upMs / 1000)} s after authenticating: another client is probably using the same token (iTick allows one connection per key); reconnecting in ${Math.round(delay / 1000)} s`,
        details,
      );
    } else {
      if (wasReady) {
        // The connection lived: start the backoff over.
        this.attempts = 0;
        if (upMs >= this.settings.knockedOffWithinMs) this.knockOffs = 0;
      }
      this.attempts += 1;
      delay = this.cause === 'resubscribe' ? 0 : this.backoff(this.settings.reconnect, this.attempts);
      this.log(wasReady ? 'warn' : 'info', 'iTick connection closed; reconnecting', { ...details, cause: this.cause, inMs: delay, attempt: this.attempts });
    }
    this.state = 'backoff';
    this.nextAttemptAt = now + delay;
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private backoff(backoff: Backoff, attempt: number): number {
    return this.jitter(Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt - 1, 20)));
  }

  /** Equal jitter: between half and all of `ms`, so that restarted tasks do not reconnect in step. */
  private jitter(ms: number): number {
    return Math.round(ms / 2 + (this.random() * ms) / 2);
  }
}

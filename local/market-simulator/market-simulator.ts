/**
 * A market that speaks iTick's WebSocket protocol (shared/spec/itick.md and iTick's own docs,
 * test/fixtures/itick/README.md), for the local stack, the tests and the benchmark.
 *
 * Every market on its own path, both doc generations (market-paths.ts): `/stock` `/forex`
 * `/indices` `/crypto` `/future` `/fund`, and the older `/sws` `/fws` `/iws` `/cws`. A
 * subscription on a market's path is for that market (`BTCUSDT$BA` on `/crypto` is
 * `crypto:BTCUSDT$BA`); the scripting API and `/control/*` take those canonical symbols.
 *
 * Protocol, as the real server is described: token in the `token` upgrade header (current paths)
 * or in an `{"ac":"auth"}` message (the only way on the older paths); greeting; auth result (a
 * refusal closes the socket); subscribe and unsubscribe answers, with the plan's symbol-limit
 * error and E001 `not found this produce` for a set holding an unknown symbol (refused as a
 * whole); pong echoing the ping's params. A second connection with a token already connected to
 * the same market knocks the first off (each market is its own cluster). Data frames come in one
 * of two shapes (feed-shapes.ts): `spec` (ticks and quotes with `s` code, `r` region, `p`) or
 * `docs` (quote-only, `s` as `AAPL.US` / `ETH_USDT`, the day's running volume), plus streamed
 * klines for `kline@<kType>` subscribers.
 *
 * Markets: a seeded random walk per subscribed symbol at a configurable rate, exact scripted
 * trades for tests, and a full-speed mode that sends as fast as the sockets drain, for
 * benchmarks. The WebSocket rides on a plain HTTP server that also serves iTick's REST per market
 * (simulator-rest.ts: kline and quote, with a per-token rate limit) and the control interface
 * (control-api.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { MARKET_INFO, type Market } from '../../core/rule-model/market';
import { splitSymbol } from '../../core/rule-model/symbol';
import { serveControl } from './control-api';
import { FrameWriter, socketSymbol, type FeedShapes } from './feed-shapes';
import { KlineHistory, K_TYPE_MS, type Kline } from './kline-history';
import { canonicalSymbol, socketPathOf, subscribedSymbol } from './market-paths';
import { RandomWalk, seededRandom } from './random-walk';
import { RestBudget } from './rest-budget';
import { serveRest, type RestCounters } from './simulator-rest';

export type { FeedShapes } from './feed-shapes';
export type { Kline } from './kline-history';

export interface MarketSimulatorOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Tokens the server accepts; `'any'` (the default) accepts every non-empty token. */
  tokens?: readonly string[] | 'any';
  /** The plan's symbol limit per connection; unlimited when unset. */
  symbolLimit?: number;
  /** Honour the `token` upgrade header on the current paths (true); false makes clients fall back to the auth message. The older paths never honour it. */
  headerAuth?: boolean;
  /** A second connection with the same token to the same market closes the first (true, as iTick does). */
  knockOff?: boolean;
  answerPings?: boolean;
  /** Answer every unsubscribe with an error (iTick's unsubscribe support is unconfirmed). */
  refuseUnsubscribe?: boolean;
  /** Send numbers as strings, as some iTick sources report. */
  stringNumbers?: boolean;
  /** Leave `r` out of spec-shaped data messages. */
  omitRegion?: boolean;
  /**
   * The shape of data frames (feed-shapes.ts): `spec` (the default: ticks, quotes with `s` code
   * and `r` region, what the project's spec describes) or `docs` (what iTick's current docs print).
   */
  shapes?: FeedShapes;
  /**
   * Symbols iTick does not know (canonical, `crypto:FOO$BA`), or a test of one: a subscribe
   * holding any of them is refused as a whole with E001 `not found this produce`, and REST calls
   * for them get that message too.
   */
  unknownSymbols?: readonly string[] | ((symbol: string) => boolean);
  /** REST calls each token may make in any 60 s; past it, 429 with `Retry-After`. Unset: no limit. */
  restPerMinute?: number;
  /** Random-walk trades per second per subscribed symbol; 0 (the default) sends only what is scripted. */
  ticksPerSecond?: number;
  /** How often each subscribed symbol gets a quote while the walk runs. */
  quoteEveryMs?: number;
  seed?: number;
}

export interface SimulatorStats extends RestCounters {
  connectionsAccepted: number;
  open: number;
  authenticated: number;
  /** Trades sent: `tick` frames in spec shapes, quotes with a new last price in docs shapes. */
  ticksSent: number;
  /** Summary quotes sent (not counting docs-shaped trades). */
  quotesSent: number;
  pingsAnswered: number;
  /** Subscribe requests refused because they held an unknown symbol (E001). */
  unknownRefused: number;
  /** Client requests in order, the last 1,000 (the auth message's token is left out). */
  requests: { ac: string; params: string }[];
}

interface Client {
  ws: WebSocket;
  /** The TCP socket under `ws`; full-speed mode writes pre-built frames to it directly. */
  socket: Socket;
  /** The market of the path it connected to. */
  market: Market;
  /** Connected on an older-docs path: auth by message only. */
  legacy: boolean;
  token: string | undefined;
  authenticated: boolean;
  /** Canonical symbols. */
  symbols: Set<string>;
  types: Set<string>;
}

const answers = {
  greeting: '{"code":1,"msg":"Connected Successfully"}',
  authFailed: '{"code":0,"resAc":"auth","msg":"auth failed"}',
  unresolved: '{"code":0,"msg":"cannot be resolved action"}',
};

const answer = (action: string, ok: boolean, msg: string) => JSON.stringify({ code: ok ? 1 : 0, resAc: action, msg });

/** iTick's subscribe type of a streamed kline, `kline@<kType>`. */
const KLINE_TYPE = /^kline@(\d+)$/;

/**
 * Patterns of unknown symbols as the CLI takes them: a canonical symbol (`ZZZZQ$US`,
 * `crypto:FOO$BA`), or a code prefix ending in `*` (`ZZZ*`: every code starting with ZZZ, in
 * any market).
 * @example unknownSymbolMatcher(['ZZZ*'])('crypto:ZZZX$BA') // true
 */
export function unknownSymbolMatcher(patterns: readonly string[]): (symbol: string) => boolean {
  const prefixes = patterns.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1).toUpperCase());
  const exact = new Set(patterns.filter((p) => !p.endsWith('*')).map(canonicalSymbol));
  return (symbol) => exact.has(symbol) || prefixes.some((prefix) => splitSymbol(symbol).code.startsWith(prefix));
}

/**
 * Starts a simulator on a free loopback port.
 * @example
 * const market = await MarketSimulator.start({ tokens: ['good'], symbolLimit: 3, shapes: 'docs' });
 * market.script('AAPL$US', [190, 191.5, 189]); // exact trades to every subscriber of AAPL$US
 * market.script('crypto:BTCUSDT$BA', [97_000]); // … and of BTCUSDT$BA on /crypto
 * await market.close();
 */
export class MarketSimulator {
  private readonly clients = new Set<Client>();
  private readonly walk: RandomWalk;
  private readonly random: () => number;
  private readonly history = new KlineHistory();
  private readonly frames: FrameWriter;
  private readonly budget: RestBudget;
  private readonly counters = {
    connectionsAccepted: 0,
    ticksSent: 0,
    quotesSent: 0,
    pingsAnswered: 0,
    unknownRefused: 0,
    restRequests: 0,
    restRateLimited: 0,
    klineRequests: 0,
    quoteRequests: 0,
  };
  private readonly requests: SimulatorStats['requests'] = [];
  private readonly isUnknown: (symbol: string) => boolean;
  private tokens: readonly string[] | 'any';
  private symbolLimit: number | undefined;
  private answerPings: boolean;
  private walkTimer: NodeJS.Timeout | undefined;
  private fullSpeed = false;
  private fullSpeedTimer: NodeJS.Timeout | undefined;
  private fullSpeedCursor = 0;

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    private readonly options: MarketSimulatorOptions,
  ) {
    this.tokens = options.tokens ?? 'any';
    this.symbolLimit = options.symbolLimit;
    this.answerPings = options.answerPings ?? true;
    this.random = seededRandom(options.seed ?? 1);
    this.walk = new RandomWalk(this.random, undefined, (symbol) => MARKET_INFO[splitSymbol(symbol).market].priceDecimals);
    this.frames = new FrameWriter({ shapes: options.shapes ?? 'spec', stringNumbers: options.stringNumbers === true, omitRegion: options.omitRegion === true });
    this.budget = new RestBudget(options.restPerMinute);
    const unknown = options.unknownSymbols;
    if (typeof unknown === 'function') this.isUnknown = unknown;
    else {
      const listed = new Set((unknown ?? []).map(canonicalSymbol));
      this.isUnknown = (symbol) => listed.has(symbol);
    }
    wss.on('connection', (ws, request) => this.accept(ws, request));
    if ((options.ticksPerSecond ?? 0) > 0) this.startWalk(options.ticksPerSecond ?? 0, options.quoteEveryMs ?? 1_000);
  }

  static async start(options: MarketSimulatorOptions = {}): Promise<MarketSimulator> {
    // The server needs its simulator for HTTP requests, and the simulator needs its server.
    const created: { simulator?: MarketSimulator } = {};
    const http = createServer((request, response) => {
      void created.simulator?.serveHttp(request, response);
    });
    const wss = new WebSocketServer({
      server: http,
      // Only the paths iTick serves; anything else is refused at the upgrade, as a wrong URL would be.
      verifyClient: (info, accept) => (socketPathOf(pathOf(info.req.url)) === undefined ? accept(false, 404, 'Not Found') : accept(true)),
    });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    created.simulator = new MarketSimulator(http, wss, options);
    return created.simulator;
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  /** The stock socket's URL, to give the ingest task as ITICK_WS_URL (the other markets' URLs derive from it). */
  get url(): string {
    return this.urlOf('stock');
  }

  /** A market's socket URL; `legacy` gives the older docs' path (`/cws`) where there is one. */
  urlOf(market: Market, options: { legacy?: boolean } = {}): string {
    const { path, legacyPath } = MARKET_INFO[market];
    return `ws://${this.options.host ?? '127.0.0.1'}:${this.port}/${options.legacy === true && legacyPath !== undefined ? legacyPath : path}`;
  }

  /** The REST base (`{restBase}/crypto/quote?…`), to give as ITICK_REST_BASE. */
  get restBase(): string {
    return `http://${this.options.host ?? '127.0.0.1'}:${this.port}`;
  }

  get shapes(): FeedShapes {
    return this.frames.shapes;
  }

  setTokens(tokens: readonly string[] | 'any'): void {
    this.tokens = tokens;
  }

  setSymbolLimit(limit: number | undefined): void {
    this.symbolLimit = limit;
  }

  /** Changes the REST rate limit per token per minute (`undefined`: none). */
  setRestPerMinute(perMinute: number | undefined): void {
    this.budget.setPerMinute(perMinute);
  }

  /** Stop (or resume) answering pings, as a dead or stalled server would. */
  setAnswerPings(answer: boolean): void {
    this.answerPings = answer;
  }

  /** Canonical symbols subscribed by any authenticated connection, on any market, sorted. */
  subscribedSymbols(): string[] {
    const symbols = new Set<string>();
    for (const client of this.clients) if (client.authenticated) for (const symbol of client.symbols) symbols.add(symbol);
    return [...symbols].sort();
  }

  stats(): SimulatorStats {
    let open = 0;
    let authenticated = 0;
    for (const client of this.clients) {
      if (client.ws.readyState === WebSocket.OPEN) open += 1;
      if (client.authenticated) authenticated += 1;
    }
    return { ...this.counters, open, authenticated, requests: [...this.requests] };
  }

  /** Moves the symbol to `price` and sends one trade at it. Returns how many subscribers got it. */
  setPrice(symbol: string, price: number, volume = 100): number {
    const canonical = canonicalSymbol(symbol);
    const at = Date.now();
    return this.sendTrade(canonical, this.walk.trade(canonical, price, volume, at), at);
  }

  /**
   * Sends exactly these trades, in order, to every subscriber of the symbol (canonical, any
   * market). Times start at `startAt` (default now) and advance by `stepMs` (default 0) per trade.
   * Returns how many subscribers got the last one.
   */
  script(symbol: string, prices: readonly number[], options: { volume?: number; startAt?: number; stepMs?: number } = {}): number {
    const canonical = canonicalSymbol(symbol);
    const startAt = options.startAt ?? Date.now();
    let sent = 0;
    prices.forEach((price, i) => {
      const at = startAt + i * (options.stepMs ?? 0);
      sent = this.sendTrade(canonical, this.walk.trade(canonical, price, options.volume ?? 100, at), at);
    });
    return sent;
  }

  /** Serves exactly these klines (oldest first) for the symbol and `kType` from now on; an empty list restores made-up bars. */
  setKlines(symbol: string, kType: number, bars: readonly Kline[]): void {
    this.history.set(canonicalSymbol(symbol), kType, bars);
  }

  /** The klines the kline REST answers: the scripted ones, else a made-up history ending at the current price. */
  klines(symbol: string, kType: number, limit: number, now = Date.now()): Kline[] {
    const canonical = canonicalSymbol(symbol);
    return this.history.bars(canonical, kType, limit, this.walk.market(canonical).price, now);
  }

  /** Sends a quote for the symbol (last price, previous close, day summary). */
  quote(symbol: string, fields: { last?: number; prevClose?: number } = {}): number {
    const canonical = canonicalSymbol(symbol);
    const market = this.walk.market(canonical);
    const now = Date.now();
    if (fields.prevClose !== undefined) market.prevClose = fields.prevClose;
    if (fields.last !== undefined) this.walk.trade(canonical, fields.last, 0, now);
    return this.broadcast(canonical, 'quote', this.frames.quote(canonical, market, now));
  }

  /** Starts a new trading day for the symbol: its running volume drops to 0 (sends nothing by itself). */
  newSession(symbol: string, prevClose?: number): void {
    this.walk.newSession(canonicalSymbol(symbol), prevClose);
  }

  /** Sends raw text to every open connection (malformed messages, unknown messages). */
  sendRaw(text: string): void {
    for (const client of this.clients) if (client.ws.readyState === WebSocket.OPEN) client.ws.send(text);
  }

  /** Drops every connection without a closing handshake, as a network failure or a server restart would. */
  dropAll(): void {
    for (const client of this.clients) client.ws.terminate();
  }

  /** Sends random-walk trades as fast as each subscriber's socket drains, until {@link stopFullSpeed}. */
  startFullSpeed(): void {
    this.fullSpeed = true;
    this.pumpFullSpeed();
  }

  stopFullSpeed(): void {
    this.fullSpeed = false;
    clearTimeout(this.fullSpeedTimer);
  }

  async close(): Promise<void> {
    clearInterval(this.walkTimer);
    this.stopFullSpeed();
    for (const client of this.clients) client.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  /** REST and control requests; anything else is 404. */
  private async serveHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    };
    const url = new URL(request.url ?? '/', 'http://simulator');
    const method = request.method ?? 'GET';
    const backend = {
      acceptsToken: (token: string) => this.acceptsToken(token),
      isUnknown: this.isUnknown,
      klines: (symbol: string, kType: number, limit: number) => this.klines(symbol, kType, limit),
      state: (symbol: string) => this.walk.market(symbol),
      budget: this.budget,
      counters: this.counters,
      frames: this.frames,
    };
    if (serveRest(method, url.pathname, url.searchParams, request.headers.token, reply, backend)) return;
    if (!url.pathname.startsWith('/control/')) return reply(404, { code: 0, msg: 'not found' });
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    let body: Record<string, unknown> = {};
    try {
      if (chunks.length > 0) body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      return reply(400, { code: 0, msg: 'body must be JSON' });
    }
    serveControl(`${method} ${url.pathname}`, body ?? {}, reply, this);
  }

  private acceptsToken(token: string): boolean {
    return token !== '' && (this.tokens === 'any' || this.tokens.includes(token));
  }

  private accept(ws: WebSocket, request: IncomingMessage): void {
    this.counters.connectionsAccepted += 1;
    // verifyClient let only served paths through.
    const { market, legacy } = socketPathOf(pathOf(request.url)) ?? { market: 'stock' as const, legacy: false };
    const client: Client = { ws, socket: request.socket, market, legacy, token: undefined, authenticated: false, symbols: new Set(), types: new Set() };
    this.clients.add(client);
    ws.on('close', () => this.clients.delete(client));
    ws.on('error', () => ws.terminate());
    ws.on('message', (data: WebSocket.RawData) => this.receive(client, data.toString()));
    ws.send(answers.greeting);
    const header = request.headers.token;
    // The older docs know no header: the client must send the auth message.
    if (!legacy && (this.options.headerAuth ?? true) && typeof header === 'string' && header !== '') this.authenticate(client, header);
  }

  private authenticate(client: Client, token: string): void {
    if (client.authenticated) return;
    if (!this.acceptsToken(token)) {
      client.ws.send(answers.authFailed);
      client.ws.close(1008, 'auth failed');
      return;
    }
    if (this.options.knockOff ?? true) {
      for (const other of this.clients) {
        if (other !== client && other.authenticated && other.token === token && other.market === client.market) other.ws.close(1000, 'another connection with the same key');
      }
    }
    client.token = token;
    client.authenticated = true;
    client.ws.send(this.frames.authOk(token, client.legacy));
  }

  private receive(client: Client, text: string): void {
    let request: { ac?: unknown; params?: unknown; types?: unknown };
    try {
      request = JSON.parse(text) as typeof request;
    } catch {
      client.ws.send(answers.unresolved);
      return;
    }
    const ac = typeof request?.ac === 'string' ? request.ac : '';
    const params = typeof request?.params === 'string' ? request.params : '';
    this.requests.push({ ac, params: ac === 'auth' ? '<token>' : params });
    // A local stack runs for days (a ping every 15–30 s): keep the recent history only.
    if (this.requests.length > 1_000) this.requests.shift();
    switch (ac) {
      case 'auth':
        return this.authenticate(client, params);
      case 'ping':
        if (!this.answerPings) return;
        this.counters.pingsAnswered += 1;
        client.ws.send(JSON.stringify({ resAc: 'pong', data: { params } }));
        return;
      case 'subscribe':
        return this.subscribe(client, params, typeof request.types === 'string' ? request.types : 'tick');
      case 'unsubscribe':
        return this.unsubscribe(client, params);
      default:
        client.ws.send(answers.unresolved);
    }
  }

  /** The canonical symbols of a subscription's `params` on the client's market; `undefined` for any entry that is none. */
  private symbolsOf(client: Client, params: string): (string | undefined)[] {
    // iTick's doc pages subscribe bare codes (`"EURUSD,GBPUSD"`); a docs-shaped server takes them.
    const bareCodes = this.frames.shapes === 'docs';
    return params
      .split(',')
      .filter((entry) => entry.trim() !== '')
      .map((entry) => subscribedSymbol(client.market, entry, bareCodes));
  }

  private subscribe(client: Client, params: string, types: string): void {
    const parsed = this.symbolsOf(client, params);
    const symbols = parsed.filter((symbol): symbol is string => symbol !== undefined);
    const after = new Set([...client.symbols, ...symbols]);
    let refusal: string | undefined;
    if (!client.authenticated) refusal = 'not authenticated';
    else if (parsed.length === 0 || symbols.length < parsed.length) refusal = 'cannot be resolved action';
    else if (symbols.some(this.isUnknown)) {
      // E001: iTick's docs do not say whether it names the symbol or refuses only it; refusing the
      // whole request without naming it is the hard case a client must bisect.
      this.counters.unknownRefused += 1;
      refusal = 'not found this produce';
    } else if (this.symbolLimit !== undefined && after.size > this.symbolLimit) refusal = 'exceeding the maximum subscription limit';
    if (refusal !== undefined) {
      client.ws.send(answer('subscribe', false, refusal));
      return;
    }
    client.symbols = after;
    for (const type of types.split(',')) client.types.add(type.trim().toLowerCase());
    client.ws.send(answer('subscribe', true, 'subscribe Successfully'));
    if (this.walkTimer !== undefined) for (const symbol of symbols) client.ws.send(this.frames.quote(symbol, this.walk.market(symbol), Date.now()));
    if (this.fullSpeed) this.pumpFullSpeed();
  }

  private unsubscribe(client: Client, params: string): void {
    if (this.options.refuseUnsubscribe === true) {
      client.ws.send(answer('unsubscribe', false, 'cannot be resolved action'));
      return;
    }
    for (const symbol of this.symbolsOf(client, params)) if (symbol !== undefined) client.symbols.delete(symbol);
    client.ws.send(answer('unsubscribe', true, 'unsubscribe Successfully'));
  }

  private sendTrade(symbol: string, trade: { price: number; volume: number }, at: number): number {
    const state = this.walk.market(symbol);
    const sent = this.broadcast(symbol, this.frames.tradeType, this.frames.trade(symbol, state, trade, at), true);
    this.streamKlines(symbol, trade, at);
    return sent;
  }

  /** Folds the trade into the bars of every `kline@<kType>` a subscriber of the symbol asked for, and sends each its bar. */
  private streamKlines(symbol: string, trade: { price: number; volume: number }, at: number): void {
    const kTypes = new Set<number>();
    for (const client of this.clients) {
      if (!client.symbols.has(symbol)) continue;
      for (const type of client.types) {
        const kType = Number(KLINE_TYPE.exec(type)?.[1]);
        if (K_TYPE_MS.has(kType)) kTypes.add(kType);
      }
    }
    for (const kType of kTypes) this.broadcast(symbol, `kline@${kType}`, this.frames.kline(symbol, kType, this.history.trade(symbol, kType, trade.price, trade.volume, at)));
  }

  private broadcast(symbol: string, type: string, text: string, isTrade = false): number {
    let sent = 0;
    for (const client of this.clients) {
      if (!client.authenticated || !client.symbols.has(symbol) || !client.types.has(type) || client.ws.readyState !== WebSocket.OPEN) continue;
      client.ws.send(text);
      sent += 1;
    }
    if (sent > 0 && isTrade) this.counters.ticksSent += 1;
    else if (sent > 0 && type === 'quote') this.counters.quotesSent += 1;
    return sent;
  }

  private startWalk(ticksPerSecond: number, quoteEveryMs: number): void {
    const stepMs = 50;
    let owed = 0;
    let sinceQuote = 0;
    this.walkTimer = setInterval(() => {
      // Carry fractions over so that low rates (e.g. 0.5/s) still come out right on average.
      owed += (ticksPerSecond * stepMs) / 1000;
      const trades = Math.floor(owed);
      owed -= trades;
      sinceQuote += stepMs;
      const quoting = sinceQuote >= quoteEveryMs;
      if (quoting) sinceQuote = 0;
      const now = Date.now();
      for (const symbol of this.subscribedSymbols()) {
        for (let i = 0; i < trades; i += 1) this.sendTrade(symbol, this.walk.step(symbol, now), now);
        if (quoting) {
          const state = this.walk.market(symbol);
          this.broadcast(symbol, 'quote', this.frames.quote(symbol, state, now));
          this.broadcast(symbol, 'depth', this.frames.depth(symbol, state, now));
        }
      }
    }, stepMs);
  }

  /**
   * Sends bursts of trades to every subscriber, round-robin over its symbols, until its socket
   * holds a high-water mark, then yields to the event loop and comes back.
   *
   * At full speed the simulator must out-run the client it measures, so a burst is framed by
   * hand and written to the TCP socket in one call instead of one `ws.send` per message. That is
   * sound because the server negotiates no compression and `ws` writes whole frames
   * synchronously, so these frames can never land inside one of its own. Messages are ASCII
   * (symbol codes, numbers, keys), so one char is one byte. Docs shapes send each trade as a
   * quote carrying the last price and the day's running volume.
   */
  private pumpFullSpeed(): void {
    if (!this.fullSpeed || this.fullSpeedTimer !== undefined) return;
    const highWater = 1 << 20;
    const docs = this.frames.shapes === 'docs';
    let subscribers = 0;
    let full = true;
    for (const client of this.clients) {
      if (!client.authenticated || client.symbols.size === 0 || client.ws.readyState !== WebSocket.OPEN) continue;
      subscribers += 1;
      const symbols = [...client.symbols].map((symbol) => {
        const { s, r } = socketSymbol(symbol, this.frames.options);
        return { symbol, prefix: `{"code":1,"data":{"s":"${s}"${r === undefined ? '' : `,"r":"${r}"`},"ld":` };
      });
      const now = Date.now();
      // Bounded per turn: a socket that drains as fast as it fills would otherwise never yield.
      for (let burst = 0; burst < 64 && client.socket.writableLength < highWater; burst += 1) {
        let frames = '';
        for (let i = 0; i < 256; i += 1) {
          const { symbol, prefix } = symbols[this.fullSpeedCursor++ % symbols.length] as (typeof symbols)[number];
          const { price, volume } = this.walk.step(symbol, now);
          const text = docs
            ? `${prefix}${price},"t":${now},"v":${this.walk.market(symbol).volume},"type":"quote"}}`
            : `${prefix}${price},"v":${volume},"t":${now},"type":"tick"}}`;
          // FIN + text opcode, then the unmasked payload length (7 bits, or 126 and 16 bits).
          frames += text.length < 126 ? String.fromCharCode(0x81, text.length) : String.fromCharCode(0x81, 126, text.length >> 8, text.length & 0xff);
          frames += text;
        }
        client.socket.write(Buffer.from(frames, 'latin1'));
        this.counters.ticksSent += 256;
      }
      if (client.socket.writableLength < highWater) full = false;
    }
    // No subscriber yet: the next subscription restarts the pump.
    if (subscribers === 0) return;
    this.fullSpeedTimer = setTimeout(
      () => {
        this.fullSpeedTimer = undefined;
        this.pumpFullSpeed();
      },
      full ? 1 : 0,
    );
  }
}

/** The path of a request URL (`/crypto?x` → `/crypto`). */
function pathOf(url: string | undefined): string {
  return new URL(url ?? '/', 'http://simulator').pathname;
}

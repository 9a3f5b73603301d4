/**
 * A market that speaks iTick's stock WebSocket protocol (shared/spec/itick.md), for the local
 * stack, the tests and the benchmark.
 *
 * Protocol, as the real server is described: token in the `token` upgrade header or in an
 * `{"ac":"auth"}` message; greeting; auth result (a refusal closes the socket); subscribe and
 * unsubscribe answers, with the plan's symbol-limit error; pong echoing the ping's params; data
 * wrapped as `{"code":1,"data":{...,"type":"tick"|"quote"|"depth"}}` with `s` the code and `r`
 * the region. A second connection with a token that is already connected knocks the first off.
 *
 * Markets: a seeded random walk per subscribed symbol at a configurable rate (quotes carry `p`,
 * the previous close), exact scripted tick sequences for tests, and a full-speed mode that sends
 * as fast as the sockets drain, for benchmarks. The WebSocket rides on a plain HTTP server that
 * also serves iTick's kline endpoint, `GET /stock/kline?region=&code=&kType=&limit=` (token in
 * the `token` header; answer `{"code":0,"msg":null,"data":[{"t","o","h","l","c","v","tu"},…]}`,
 * oldest first): scripted bars when a test set them, else bars made up from a seeded walk that
 * ends at the symbol's current price.
 *
 * Control over HTTP (for a simulator running inside another process, e.g. the local stack under
 * an end-to-end test): `POST /control/script` `{"symbol","prices":[...],"startAt"?,"stepMs"?,"volume"?}`
 * sends exactly those trades (tick times from `startAt`, default now, `stepMs` apart),
 * `POST /control/quote` `{"symbol","prevClose"?,"last"?}` a quote, `POST /control/klines`
 * `{"symbol","kType","bars":[{"t","o","h","l","c","v"}]}` or `{"symbol","kType","closes":[...],"startAt"}`
 * the kline history to serve, and `GET /control/stats` answers the stats. Loopback only, like the
 * simulator itself.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { splitSymbol } from '../../core/rule-model';
import { RandomWalk, seededRandom } from './random-walk';

/** FNV-1a, for seeding made-up histories per symbol. */
function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

export interface MarketSimulatorOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Tokens the server accepts; `'any'` (the default) accepts every non-empty token. */
  tokens?: readonly string[] | 'any';
  /** The plan's symbol limit per connection; unlimited when unset. */
  symbolLimit?: number;
  /** Honour the `token` upgrade header (true); false makes clients fall back to the auth message. */
  headerAuth?: boolean;
  /** A second connection with the same token closes the first (true, as iTick does). */
  knockOff?: boolean;
  answerPings?: boolean;
  /** Answer every unsubscribe with an error (iTick's unsubscribe support is unconfirmed). */
  refuseUnsubscribe?: boolean;
  /** Send numbers as strings, as some iTick sources report. */
  stringNumbers?: boolean;
  /** Leave `r` out of data messages. */
  omitRegion?: boolean;
  /** Random-walk trades per second per subscribed symbol; 0 (the default) sends only what is scripted. */
  ticksPerSecond?: number;
  /** How often each subscribed symbol gets a quote while the walk runs. */
  quoteEveryMs?: number;
  seed?: number;
}

/** A kline as iTick's REST answers it: bar start (epoch ms), open, high, low, close, volume, turnover. */
export interface Kline {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  tu: number;
}

/** Bar length per iTick `kType` (1=1m, 2=5m, 3=15m, 4=30m, 5=1h, 8=1d, 9=1w). */
const K_TYPE_MS: Readonly<Record<number, number>> = { 1: 60_000, 2: 300_000, 3: 900_000, 4: 1_800_000, 5: 3_600_000, 8: 86_400_000, 9: 604_800_000 };
const MAX_KLINES = 1000;

export interface SimulatorStats {
  connectionsAccepted: number;
  open: number;
  authenticated: number;
  ticksSent: number;
  quotesSent: number;
  pingsAnswered: number;
  /** Kline requests answered (with bars or an error). */
  klineRequests: number;
  /** Client requests in order, the last 1,000 (the auth message's token is left out). */
  requests: { ac: string; params: string }[];
}

interface Client {
  ws: WebSocket;
  /** The TCP socket under `ws`; full-speed mode writes pre-built frames to it directly. */
  socket: Socket;
  token: string | undefined;
  authenticated: boolean;
  symbols: Set<string>;
  types: Set<string>;
}

const answers = {
  greeting: '{"code":1,"msg":"Connected Successfully"}',
  authOk: '{"code":1,"resAc":"auth","msg":"authenticated"}',
  authFailed: '{"code":0,"resAc":"auth","msg":"auth failed"}',
  unresolved: '{"code":0,"msg":"cannot be resolved action"}',
};

const answer = (action: string, ok: boolean, msg: string) => JSON.stringify({ code: ok ? 1 : 0, resAc: action, msg });

/**
 * Starts a simulator on a free loopback port.
 * @example
 * const market = await MarketSimulator.start({ tokens: ['good'], symbolLimit: 3 });
 * market.script('AAPL$US', [190, 191.5, 189]); // exact ticks to every subscriber of AAPL$US
 * await market.close();
 */
export class MarketSimulator {
  private readonly clients = new Set<Client>();
  private readonly walk: RandomWalk;
  private readonly random: () => number;
  private readonly counters = { connectionsAccepted: 0, ticksSent: 0, quotesSent: 0, pingsAnswered: 0, klineRequests: 0 };
  /** Scripted kline histories, by `SYMBOL|kType`. */
  private readonly klineScripts = new Map<string, Kline[]>();
  private readonly requests: SimulatorStats['requests'] = [];
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
    this.walk = new RandomWalk(this.random);
    wss.on('connection', (ws, request) => this.accept(ws, request));
    if ((options.ticksPerSecond ?? 0) > 0) this.startWalk(options.ticksPerSecond ?? 0, options.quoteEveryMs ?? 1_000);
  }

  static async start(options: MarketSimulatorOptions = {}): Promise<MarketSimulator> {
    // The server needs its simulator for control requests, and the simulator needs its server.
    const created: { simulator?: MarketSimulator } = {};
    const http = createServer((request, response) => {
      void created.simulator?.control(request, response);
    });
    const wss = new WebSocketServer({ server: http });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    created.simulator = new MarketSimulator(http, wss, options);
    return created.simulator;
  }

  /** The HTTP control interface (see the module comment). */
  private async control(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const reply = (status: number, body: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    let body: Record<string, unknown> = {};
    try {
      if (chunks.length > 0) body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      return reply(400, { code: 0, msg: 'body must be JSON' });
    }
    const symbol = typeof body.symbol === 'string' ? body.symbol : undefined;
    const numberOr = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
    const [path = '/', query = ''] = (request.url ?? '/').split('?');
    const route = `${request.method ?? 'GET'} ${path}`;
    switch (route) {
      case 'GET /stock/kline':
        return this.answerKlines(request, new URLSearchParams(query), reply);
      case 'POST /control/script': {
        const prices = Array.isArray(body.prices) ? body.prices.filter((p): p is number => typeof p === 'number' && p > 0) : [];
        if (symbol === undefined || prices.length === 0) return reply(400, { code: 0, msg: 'needs "symbol" and "prices" (positive numbers)' });
        const volume = numberOr(body.volume);
        const stepMs = numberOr(body.stepMs);
        const startAt = numberOr(body.startAt);
        const sent = this.script(symbol, prices, {
          ...(volume === undefined ? {} : { volume }),
          ...(stepMs === undefined ? {} : { stepMs }),
          ...(startAt === undefined ? {} : { startAt }),
        });
        return reply(200, { code: 1, subscribers: sent });
      }
      case 'POST /control/klines': {
        const kType = numberOr(body.kType) ?? 1;
        const size = K_TYPE_MS[kType];
        if (symbol === undefined || size === undefined) return reply(400, { code: 0, msg: 'needs "symbol" and a known "kType"' });
        let bars: Kline[];
        if (Array.isArray(body.closes)) {
          const startAt = numberOr(body.startAt);
          if (startAt === undefined) return reply(400, { code: 0, msg: '"closes" needs "startAt" (epoch ms of the first bar)' });
          bars = body.closes.filter((c): c is number => typeof c === 'number' && c > 0).map((c, i) => ({ t: startAt + i * size, o: c, h: c, l: c, c, v: 100, tu: c * 100 }));
        } else if (Array.isArray(body.bars)) {
          bars = body.bars.flatMap((b: unknown) => {
            const bar = b as Record<string, unknown>;
            const [t, c] = [numberOr(bar.t), numberOr(bar.c)];
            if (t === undefined || c === undefined) return [];
            const v = numberOr(bar.v) ?? 0;
            return [{ t, o: numberOr(bar.o) ?? c, h: numberOr(bar.h) ?? c, l: numberOr(bar.l) ?? c, c, v, tu: c * v }];
          });
        } else {
          return reply(400, { code: 0, msg: 'needs "bars" or "closes"' });
        }
        this.setKlines(symbol, kType, bars);
        return reply(200, { code: 1, bars: bars.length });
      }
      case 'POST /control/quote': {
        if (symbol === undefined) return reply(400, { code: 0, msg: 'needs "symbol"' });
        const last = numberOr(body.last);
        const prevClose = numberOr(body.prevClose);
        return reply(200, { code: 1, subscribers: this.quote(symbol, { ...(last === undefined ? {} : { last }), ...(prevClose === undefined ? {} : { prevClose }) }) });
      }
      case 'GET /control/stats':
        return reply(200, { code: 1, data: { ...this.stats(), subscribed: this.subscribedSymbols() } });
      default:
        return reply(404, { code: 0, msg: 'not found' });
    }
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  /** The URL to give the ingest task as ITICK_WS_URL. */
  get url(): string {
    return `ws://${this.options.host ?? '127.0.0.1'}:${this.port}/stock`;
  }

  setTokens(tokens: readonly string[] | 'any'): void {
    this.tokens = tokens;
  }

  setSymbolLimit(limit: number | undefined): void {
    this.symbolLimit = limit;
  }

  /** Stop (or resume) answering pings, as a dead or stalled server would. */
  setAnswerPings(answer: boolean): void {
    this.answerPings = answer;
  }

  /** Symbols subscribed by any authenticated connection, sorted. */
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
    return this.sendTrade(symbol, this.walk.trade(symbol, price, volume), Date.now());
  }

  /**
   * Sends exactly these trades, in order, to every subscriber of the symbol. Times start at
   * `startAt` (default now) and advance by `stepMs` (default 0) per trade.
   */
  script(symbol: string, prices: readonly number[], options: { volume?: number; startAt?: number; stepMs?: number } = {}): number {
    const startAt = options.startAt ?? Date.now();
    let sent = 0;
    prices.forEach((price, i) => {
      sent = this.sendTrade(symbol, this.walk.trade(symbol, price, options.volume ?? 100), startAt + i * (options.stepMs ?? 0));
    });
    return sent;
  }

  /** Serves exactly these klines (oldest first) for the symbol and `kType` from now on; an empty list restores made-up bars. */
  setKlines(symbol: string, kType: number, bars: readonly Kline[]): void {
    const key = `${symbol.toUpperCase()}|${kType}`;
    if (bars.length === 0) this.klineScripts.delete(key);
    else this.klineScripts.set(key, [...bars].sort((a, b) => a.t - b.t));
  }

  /** The klines `GET /stock/kline` answers: the scripted ones, else a made-up history ending at the current price. */
  klines(symbol: string, kType: number, limit: number, now = Date.now()): Kline[] {
    const scripted = this.klineScripts.get(`${symbol}|${kType}`);
    if (scripted !== undefined) return scripted.slice(-limit);
    const size = K_TYPE_MS[kType] ?? 60_000;
    // Made up backwards from the current price with a generator seeded by the symbol and kType,
    // so the same request gets the same history (as long as the price has not moved).
    const random = seededRandom(hashOf(`${symbol}|${kType}`));
    const last = Math.floor(now / size) * size;
    const bars: Kline[] = [];
    let close = this.walk.market(symbol).price;
    for (let i = 0; i < limit; i += 1) {
      const open = Math.max(0.01, Math.round(close * (1 + (random() - 0.5) * 0.004) * 100) / 100);
      const high = Math.max(open, close) * (1 + random() * 0.001);
      const low = Math.min(open, close) * (1 - random() * 0.001);
      const v = 100 * (1 + Math.floor(random() * 50));
      bars.push({ t: last - i * size, o: open, h: Math.round(high * 100) / 100, l: Math.round(low * 100) / 100, c: close, v, tu: Math.round(close * v) });
      close = open;
    }
    return bars.reverse();
  }

  private answerKlines(request: IncomingMessage, query: URLSearchParams, reply: (status: number, body: unknown) => void): void {
    this.counters.klineRequests += 1;
    const token = request.headers.token;
    if (typeof token !== 'string' || token === '' || (this.tokens !== 'any' && !this.tokens.includes(token))) {
      return reply(401, { code: 0, msg: 'invalid token', data: null });
    }
    const code = (query.get('code') ?? '').trim().toUpperCase();
    const region = (query.get('region') ?? '').trim().toUpperCase();
    const kType = Number(query.get('kType') ?? '1');
    const limit = Math.min(MAX_KLINES, Math.max(1, Number(query.get('limit') ?? '100') || 100));
    if (code === '' || region === '' || K_TYPE_MS[kType] === undefined) return reply(200, { code: 1, msg: 'invalid parameters', data: null });
    const data = this.klines(`${code}$${region}`, kType, limit).map((k) => ({
      tu: this.number(k.tu),
      c: this.number(k.c),
      t: k.t,
      v: this.number(k.v),
      h: this.number(k.h),
      l: this.number(k.l),
      o: this.number(k.o),
    }));
    reply(200, { code: 0, msg: null, data });
  }

  /** Sends a quote for the symbol (last price, previous close, day summary). */
  quote(symbol: string, fields: { last?: number; prevClose?: number } = {}): number {
    const market = this.walk.market(symbol);
    if (fields.prevClose !== undefined) market.prevClose = fields.prevClose;
    if (fields.last !== undefined) this.walk.trade(symbol, fields.last, 0);
    return this.broadcast(symbol, 'quote', this.quoteMessage(symbol, Date.now()));
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

  private accept(ws: WebSocket, request: IncomingMessage): void {
    this.counters.connectionsAccepted += 1;
    const client: Client = { ws, socket: request.socket, token: undefined, authenticated: false, symbols: new Set(), types: new Set() };
    this.clients.add(client);
    ws.on('close', () => this.clients.delete(client));
    ws.on('error', () => ws.terminate());
    ws.on('message', (data: WebSocket.RawData) => this.receive(client, data.toString()));
    ws.send(answers.greeting);
    const header = request.headers.token;
    if ((this.options.headerAuth ?? true) && typeof header === 'string' && header !== '') this.authenticate(client, header);
  }

  private authenticate(client: Client, token: string): void {
    if (client.authenticated) return;
    if (token === '' || (this.tokens !== 'any' && !this.tokens.includes(token))) {
      client.ws.send(answers.authFailed);
      client.ws.close(1008, 'auth failed');
      return;
    }
    if (this.options.knockOff ?? true) {
      for (const other of this.clients) {
        if (other !== client && other.authenticated && other.token === token) other.ws.close(1000, 'another connection with the same key');
      }
    }
    client.token = token;
    client.authenticated = true;
    client.ws.send(answers.authOk);
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
    // A local stack runs for days (a ping every 30 s): keep the recent history only.
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

  private subscribe(client: Client, params: string, types: string): void {
    const symbols = params.split(',').map((symbol) => symbol.trim().toUpperCase()).filter((symbol) => symbol !== '');
    const after = new Set([...client.symbols, ...symbols]);
    let refusal: string | undefined;
    if (!client.authenticated) refusal = 'not authenticated';
    else if (symbols.length === 0 || symbols.some((symbol) => !symbol.includes('$'))) refusal = 'cannot be resolved action';
    else if (this.symbolLimit !== undefined && after.size > this.symbolLimit) refusal = 'exceeding the maximum subscription limit';
    if (refusal !== undefined) {
      client.ws.send(answer('subscribe', false, refusal));
      return;
    }
    client.symbols = after;
    for (const type of types.split(',')) client.types.add(type.trim().toLowerCase());
    client.ws.send(answer('subscribe', true, 'subscribe Successfully'));
    if (this.walkTimer !== undefined) for (const symbol of symbols) client.ws.send(this.quoteMessage(symbol, Date.now()));
    if (this.fullSpeed) this.pumpFullSpeed();
  }

  private unsubscribe(client: Client, params: string): void {
    if (this.options.refuseUnsubscribe === true) {
      client.ws.send(answer('unsubscribe', false, 'cannot be resolved action'));
      return;
    }
    for (const symbol of params.split(',')) client.symbols.delete(symbol.trim().toUpperCase());
    client.ws.send(answer('unsubscribe', true, 'unsubscribe Successfully'));
  }

  private number(value: number): number | string {
    return this.options.stringNumbers === true ? String(value) : value;
  }

  private where(symbol: string): { s: string; r?: string } {
    const { code, region } = splitSymbol(symbol);
    return this.options.omitRegion === true ? { s: code } : { s: code, r: region };
  }

  private tickMessage(symbol: string, price: number, volume: number, at: number): string {
    return JSON.stringify({ code: 1, data: { ...this.where(symbol), ld: this.number(price), v: this.number(volume), t: this.number(at), type: 'tick' } });
  }

  private quoteMessage(symbol: string, at: number): string {
    const m = this.walk.market(symbol);
    const change = Math.round((m.price - m.prevClose) * 100) / 100;
    return JSON.stringify({
      code: 1,
      data: {
        ...this.where(symbol),
        ld: this.number(m.price),
        o: this.number(m.open),
        h: this.number(m.high),
        l: this.number(m.low),
        p: this.number(m.prevClose),
        v: this.number(m.volume),
        tu: this.number(Math.round(m.turnover)),
        ch: this.number(change),
        chp: this.number(Math.round((change / m.prevClose) * 10_000) / 100),
        t: this.number(at),
        ts: 0,
        type: 'quote',
      },
    });
  }

  private depthMessage(symbol: string, at: number): string {
    const { price } = this.walk.market(symbol);
    const level = (po: number, p: number) => ({ po, p: Math.round(p * 100) / 100, v: 100 * po, o: po });
    return JSON.stringify({ code: 1, data: { ...this.where(symbol), a: [level(1, price + 0.01), level(2, price + 0.02)], b: [level(1, price - 0.01), level(2, price - 0.02)], t: at, type: 'depth' } });
  }

  private sendTrade(symbol: string, trade: { price: number; volume: number }, at: number): number {
    return this.broadcast(symbol, 'tick', this.tickMessage(symbol, trade.price, trade.volume, at));
  }

  private broadcast(symbol: string, type: 'tick' | 'quote' | 'depth', text: string): number {
    let sent = 0;
    for (const client of this.clients) {
      if (!client.authenticated || !client.symbols.has(symbol) || !client.types.has(type) || client.ws.readyState !== WebSocket.OPEN) continue;
      client.ws.send(text);
      sent += 1;
    }
    if (sent > 0 && type === 'tick') this.counters.ticksSent += 1;
    if (sent > 0 && type === 'quote') this.counters.quotesSent += 1;
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
        for (let i = 0; i < trades; i += 1) this.sendTrade(symbol, this.walk.step(symbol), now);
        if (quoting) {
          this.broadcast(symbol, 'quote', this.quoteMessage(symbol, now));
          this.broadcast(symbol, 'depth', this.depthMessage(symbol, now));
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
   * (symbol codes, numbers, keys), so one char is one byte.
   */
  private pumpFullSpeed(): void {
    if (!this.fullSpeed || this.fullSpeedTimer !== undefined) return;
    const highWater = 1 << 20;
    let subscribers = 0;
    let full = true;
    for (const client of this.clients) {
      if (!client.authenticated || client.symbols.size === 0 || client.ws.readyState !== WebSocket.OPEN) continue;
      subscribers += 1;
      const symbols = [...client.symbols].map((symbol) => {
        const { s, r } = this.where(symbol);
        return { symbol, prefix: `{"code":1,"data":{"s":"${s}"${r === undefined ? '' : `,"r":"${r}"`},"ld":` };
      });
      const now = Date.now();
      // Bounded per turn: a socket that drains as fast as it fills would otherwise never yield.
      for (let burst = 0; burst < 64 && client.socket.writableLength < highWater; burst += 1) {
        let frames = '';
        for (let i = 0; i < 256; i += 1) {
          const { symbol, prefix } = symbols[this.fullSpeedCursor++ % symbols.length] as (typeof symbols)[number];
          const { price, volume } = this.walk.step(symbol);
          const text = `${prefix}${price},"v":${volume},"t":${now},"type":"tick"}}`;
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

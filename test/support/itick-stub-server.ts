/**
 * A small iTick-like WebSocket server on 127.0.0.1 for connection-level tests (reconnect timing,
 * knock-offs, E001 bisection, one connection per market): the protocol's answers and nothing else,
 * with every request and lifecycle event recorded with its time, so tests can measure how long a
 * reconnect took. Any path is accepted and recorded (`/stock`, `/crypto` …). For realistic market
 * data use the market simulator (local/market-simulator) or the fixture server.
 *
 * - Auth: the `token` header (unless `headerAuth: false`) or an `{"ac":"auth"}` message; greeting first.
 * - Subscribe: refused as a whole with E001 `not found this produce` when any symbol is unknown
 *   (`unknown`), with E003 when the connection would hold more than `limit` symbols.
 * - `closeAfterAuth(ms, reason)`: every connection authenticated from then on is closed by the
 *   server `ms` later (a knock-off, or a server that drops early).
 */
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

export interface StubEvent {
  at: number;
  type: 'connect' | 'auth' | 'subscribed' | 'close';
  path: string;
  /** For `subscribed`: the symbols of that request. */
  symbols?: string[];
}

export interface StubRequest {
  at: number;
  path: string;
  ac: string;
  params: string;
}

interface StubClient {
  ws: WebSocket;
  path: string;
  authenticated: boolean;
  symbols: Set<string>;
}

export interface ItickStubOptions {
  headerAuth?: boolean;
  /** A symbol (`CODE$REGION`, as requested) iTick does not know. */
  unknown?: (symbol: string) => boolean;
  /** Symbols one connection may hold. */
  limit?: number;
}

export class ItickStubServer {
  readonly events: StubEvent[] = [];
  readonly requests: StubRequest[] = [];
  private readonly clients = new Set<StubClient>();
  private closeAfter: { ms: number; reason: string } | undefined;

  private constructor(
    private readonly wss: WebSocketServer,
    private readonly options: ItickStubOptions,
  ) {
    wss.on('connection', (ws, request) => this.accept(ws, request.url ?? '/', request.headers.token));
  }

  static async start(options: ItickStubOptions = {}): Promise<ItickStubServer> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', () => resolve());
      wss.once('error', reject);
    });
    return new ItickStubServer(wss, options);
  }

  /** The URL of a market's path, e.g. `url('crypto')`. */
  url(path = 'stock'): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/${path}`;
  }

  /** Symbols subscribed by authenticated connections on `path`, sorted. */
  subscribed(path = 'stock'): string[] {
    const symbols = new Set<string>();
    for (const client of this.clients) if (client.authenticated && client.path === `/${path}`) for (const symbol of client.symbols) symbols.add(symbol);
    return [...symbols].sort();
  }

  /** Open authenticated connections, on `path` or on all. */
  authenticated(path?: string): number {
    return [...this.clients].filter((client) => client.authenticated && client.ws.readyState === WebSocket.OPEN && (path === undefined || client.path === `/${path}`)).length;
  }

  /** Events of a type, on `path` or on all. */
  eventsOf(type: StubEvent['type'], path?: string): StubEvent[] {
    return this.events.filter((event) => event.type === type && (path === undefined || event.path === `/${path}`));
  }

  /** Sends a data frame `{"code":1,"data":data}` to every authenticated connection on `path`. */
  sendData(path: string, data: Record<string, unknown>): void {
    for (const client of this.clients) if (client.authenticated && client.path === `/${path}` && client.ws.readyState === WebSocket.OPEN) client.ws.send(JSON.stringify({ code: 1, data }));
  }

  /** Sends raw text to every open connection on `path`. */
  sendRaw(path: string, text: string): void {
    for (const client of this.clients) if (client.path === `/${path}` && client.ws.readyState === WebSocket.OPEN) client.ws.send(text);
  }

  /** Drops every connection without a closing handshake (network failure, server restart). */
  dropAll(): void {
    for (const client of this.clients) client.ws.terminate();
  }

  /** From now on, closes every connection `ms` after authenticating it, with `reason`; `undefined` stops that. */
  closeAfterAuth(ms: number | undefined, reason = ''): void {
    this.closeAfter = ms === undefined ? undefined : { ms, reason };
  }

  async close(): Promise<void> {
    for (const client of this.clients) client.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(ws: WebSocket, path: string, header: string | string[] | undefined): void {
    const client: StubClient = { ws, path, authenticated: false, symbols: new Set() };
    this.clients.add(client);
    this.events.push({ at: Date.now(), type: 'connect', path });
    ws.on('close', () => {
      this.clients.delete(client);
      this.events.push({ at: Date.now(), type: 'close', path });
    });
    ws.on('error', () => ws.terminate());
    ws.on('message', (data: WebSocket.RawData) => this.receive(client, data.toString()));
    ws.send('{"code":1,"msg":"Connected Successfully"}');
    if ((this.options.headerAuth ?? true) && typeof header === 'string' && header !== '') this.authenticate(client);
  }

  private authenticate(client: StubClient): void {
    if (client.authenticated) return;
    client.authenticated = true;
    this.events.push({ at: Date.now(), type: 'auth', path: client.path });
    client.ws.send('{"code":1,"resAc":"auth","msg":"authenticated"}');
    const closeAfter = this.closeAfter;
    if (closeAfter !== undefined) setTimeout(() => client.ws.close(1000, closeAfter.reason), closeAfter.ms);
  }

  private receive(client: StubClient, text: string): void {
    let request: { ac?: unknown; params?: unknown };
    try {
      request = JSON.parse(text) as typeof request;
    } catch {
      client.ws.send('{"code":0,"msg":"cannot be resolved action"}');
      return;
    }
    const ac = typeof request.ac === 'string' ? request.ac : '';
    const params = typeof request.params === 'string' ? request.params : '';
    this.requests.push({ at: Date.now(), path: client.path, ac, params: ac === 'auth' ? '<token>' : params });
    const answer = (ok: boolean, msg: string) => client.ws.send(JSON.stringify({ code: ok ? 1 : 0, resAc: ac, msg }));
    const symbols = params.split(',').map((symbol) => symbol.trim()).filter((symbol) => symbol !== '');
    switch (ac) {
      case 'auth':
        return this.authenticate(client);
      case 'ping':
        client.ws.send(JSON.stringify({ resAc: 'pong', data: { params } }));
        return;
      case 'subscribe': {
        if (!client.authenticated) return answer(false, 'not authenticated');
        if (symbols.some((symbol) => this.options.unknown?.(symbol) === true)) return answer(false, 'not found this produce');
        const after = new Set([...client.symbols, ...symbols]);
        if (this.options.limit !== undefined && after.size > this.options.limit) return answer(false, 'exceeding the maximum subscription limit');
        client.symbols = after;
        this.events.push({ at: Date.now(), type: 'subscribed', path: client.path, symbols });
        return answer(true, 'subscribe Successfully');
      }
      case 'unsubscribe':
        for (const symbol of symbols) client.symbols.delete(symbol);
        return answer(true, 'unsubscribe Successfully');
      default:
        client.ws.send('{"code":0,"msg":"cannot be resolved action"}');
    }
  }
}

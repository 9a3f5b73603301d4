/**
 * A WebSocket server on 127.0.0.1 that plays one iTick replay fixture (test/fixtures/itick/) the
 * way the docs describe the server: the greeting on connect; the auth answer at once for
 * `auth: "header"` (current docs: the token is the upgrade's `token` header), or after the
 * client's `{"ac":"auth"}` for `auth: "message"` (legacy docs), closing the socket after a
 * refusal; the fixture's subscribe answer to every subscribe, and after the first one that
 * succeeds, the fixture's data frames in order. Pings are answered with a pong echoing their
 * params, and unsubscribes are confirmed. For a fixture with `expect.bisect` (E001) the server
 * refuses only the subscribes that contain an unknown symbol, as a server that knows its symbols
 * would, so that bisection can find them.
 *
 * `drained()` is a barrier for tests: it holds once the client has pinged again after a pong that
 * was sent behind the data frames, so the client has read every frame by then (a connection
 * pings only once its previous ping is answered).
 */
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { isDataFrame, type ItickFixture } from './itick-fixtures';

const SUBSCRIBED = { code: 1, resAc: 'subscribe', msg: 'subscribe Successfully' };

interface Socket {
  ws: WebSocket;
  authenticated: boolean;
  dataSent: boolean;
  /** A pong went out behind the data frames. */
  pongAfterData: boolean;
}

export class ItickFixtureServer {
  /** Every request clients sent, parsed, in order. */
  readonly requests: Record<string, unknown>[] = [];
  /** The `token` header of each upgrade. */
  readonly upgradeTokens: (string | undefined)[] = [];
  private readonly sockets = new Set<Socket>();
  private pingsAfterDataPong = 0;

  private constructor(
    private readonly fixture: ItickFixture,
    private readonly server: WebSocketServer,
    /** ws://127.0.0.1:PORT/<the fixture URL's path> */
    readonly url: string,
  ) {
    server.on('connection', (ws: WebSocket, request: IncomingMessage) => this.connected(ws, request));
  }

  static async start(fixture: ItickFixture): Promise<ItickFixtureServer> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', () => resolve());
      server.once('error', reject);
    });
    const { port } = server.address() as AddressInfo;
    return new ItickFixtureServer(fixture, server, `ws://127.0.0.1:${port}${new URL(fixture.setup.url).pathname}`);
  }

  /** Connections accepted so far. */
  get connections(): number {
    return this.upgradeTokens.length;
  }

  /** The client has read every data frame sent (see the module comment). */
  drained(): boolean {
    return this.pingsAfterDataPong > 0;
  }

  /** Sends a frame of your own to every open socket (text, or binary for a Buffer). */
  sendRaw(frame: string | Buffer): void {
    for (const socket of this.sockets) socket.ws.send(frame, { binary: typeof frame !== 'string' });
  }

  /** Requests whose `ac` is `ac`. */
  requestsOf(ac: string): Record<string, unknown>[] {
    return this.requests.filter((request) => request.ac === ac);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.ws.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private frame(match: (frame: Record<string, unknown>) => boolean): Record<string, unknown> | undefined {
    return this.fixture.messages.find(match);
  }

  private connected(ws: WebSocket, request: IncomingMessage): void {
    const token = request.headers.token;
    this.upgradeTokens.push(Array.isArray(token) ? token[0] : token);
    const socket: Socket = { ws, authenticated: false, dataSent: false, pongAfterData: false };
    this.sockets.add(socket);
    ws.on('close', () => this.sockets.delete(socket));
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) this.received(socket, data.toString());
    });
    const greeting = this.frame((frame) => frame.resAc === undefined && frame.data === undefined);
    if (greeting !== undefined) ws.send(JSON.stringify(greeting));
    if ((this.fixture.setup.auth ?? 'header') === 'header') this.answerAuth(socket);
  }

  private answerAuth(socket: Socket): void {
    const answer = this.frame((frame) => frame.resAc === 'auth') ?? { code: 1, resAc: 'auth', msg: 'authenticated' };
    socket.ws.send(JSON.stringify(answer));
    if (answer.code === 1) socket.authenticated = true;
    // iTick closes the socket after refusing a token (the close code is not documented).
    else socket.ws.close();
  }

  private received(socket: Socket, text: string): void {
    let request: Record<string, unknown>;
    try {
      request = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    this.requests.push(request);
    const { ws } = socket;
    switch (request.ac) {
      case 'auth':
        if (this.fixture.setup.auth === 'message' && !socket.authenticated) this.answerAuth(socket);
        return;
      case 'subscribe': {
        if (!socket.authenticated) return;
        const answer = this.subscribeAnswer(String(request.params ?? ''));
        ws.send(JSON.stringify(answer));
        if (answer.code === 1 && !socket.dataSent) {
          socket.dataSent = true;
          for (const frame of this.fixture.messages.filter(isDataFrame)) ws.send(JSON.stringify(frame));
        }
        return;
      }
      case 'unsubscribe':
        ws.send(JSON.stringify({ code: 1, resAc: 'unsubscribe', msg: 'unsubscribe Successfully' }));
        return;
      case 'ping':
        if (socket.pongAfterData) this.pingsAfterDataPong += 1;
        ws.send(JSON.stringify({ resAc: 'pong', data: { params: request.params } }));
        if (socket.dataSent || this.frame(isDataFrame) === undefined) socket.pongAfterData = true;
        return;
      default:
        return;
    }
  }

  /** The fixture's answer; with `expect.bisect`, a refusal only for requests naming an unknown symbol. */
  private subscribeAnswer(params: string): Record<string, unknown> {
    const answer = this.frame((frame) => frame.resAc === 'subscribe') ?? SUBSCRIBED;
    const bisect = this.fixture.expect.bisect;
    if (bisect === undefined) return answer;
    const asked = params.split(',');
    const unknown = bisect.invalid.map((symbol) => symbol.slice(symbol.indexOf(':') + 1));
    return asked.some((symbol) => unknown.includes(symbol)) ? answer : SUBSCRIBED;
  }
}

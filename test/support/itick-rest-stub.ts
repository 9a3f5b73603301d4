/**
 * A stand-in for iTick's REST API on 127.0.0.1: answers `GET /<class>/<endpoint>` with bodies in
 * the shapes of test/fixtures/itick/rest-*.json (or whatever a test programs: a 429 with a
 * `Retry-After`, a 503, a hang), checks the `token` header, and records every request it gets —
 * so tests can count exactly how many calls reached "iTick".
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface StubRequest {
  /** `/stock/kline` */
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
}

export type StubAnswer = { status: number; headers?: Record<string, string>; body?: unknown } | { hang: true };

export interface ItickRestStub {
  readonly baseUrl: string;
  readonly requests: StubRequest[];
  /** Answers every request for `path` (`/stock/quote`) with this body (status 200) from now on. */
  serve(path: string, body: unknown): void;
  /** The next requests (any path) get these answers, in order, before `serve`d bodies. */
  answerNext(...answers: StubAnswer[]): void;
  /** Every request from now on gets this answer (until `always(undefined)`). */
  always(answer: StubAnswer | undefined): void;
  close(): Promise<void>;
}

/** Starts the stub; with `tokens`, a request without one of them gets a 401 like iTick's. */
export async function startItickRestStub(options: { tokens?: readonly string[] } = {}): Promise<ItickRestStub> {
  const requests: StubRequest[] = [];
  const bodies = new Map<string, unknown>();
  const queued: StubAnswer[] = [];
  let standing: StubAnswer | undefined;
  const sockets = new Set<Socket>();

  const reply = (response: ServerResponse, answer: StubAnswer) => {
    if ('hang' in answer) return;
    response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    response.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    requests.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), headers: request.headers });
    const token = request.headers.token;
    if (options.tokens !== undefined && (typeof token !== 'string' || !options.tokens.includes(token))) {
      return reply(response, { status: 401, body: { code: 0, msg: 'invalid token', data: null } });
    }
    const next = queued.shift() ?? standing;
    if (next !== undefined) return reply(response, next);
    if (!bodies.has(url.pathname)) return reply(response, { status: 404, body: { code: 0, msg: 'not found', data: null } });
    reply(response, { status: 200, body: bodies.get(url.pathname) });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    serve: (path, body) => bodies.set(path, body),
    answerNext: (...answers) => queued.push(...answers),
    always: (answer) => {
      standing = answer;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve, reject) => server.close((error) => (error === undefined ? resolve() : reject(error))));
    },
  };
}

/**
 * The local API server's payload limit on a kept-alive connection: a body over 10 MB is answered
 * 413, and the same socket then serves the next request (no reset, no ECONNRESET). The body is
 * 32 MB, so the client is still sending when the server sees the limit.
 */
import { Agent, request, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteDefinition } from '../../functions/api/routes';
import { startHttpApiServer, type HttpApiServer } from '../../local/http-api-server';

const routes: RouteDefinition[] = [
  { method: 'POST', path: '/things', entry: 'echo', authorized: false, tableAccess: 'readWrite', operationId: 'createThing', summary: '', success: { status: 201, description: '' }, errors: [] },
];

let server: HttpApiServer;
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

beforeAll(async () => {
  server = await startHttpApiServer({
    routes,
    authorizerEntry: 'authorizer',
    loadHandler: async () => async () => ({ statusCode: 201, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' }),
  });
});
afterAll(async () => {
  agent.destroy();
  await server.close();
});

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
  /** Whether the request went over a socket an earlier request had used. */
  reusedSocket: boolean;
  localPort: number | undefined;
}

function post(body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const sent = request(`${server.url}/things`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          reusedSocket: sent.reusedSocket,
          localPort: response.socket?.localPort,
        }),
      );
      response.once('error', reject);
    });
    sent.once('error', reject);
    sent.end(body);
  });
}

describe('local HTTP API server, payload limit', () => {
  it('answers an oversized body with 413 and keeps the kept-alive connection usable', async () => {
    const tooLarge = await post(Buffer.alloc(32 * 1024 * 1024, 0x20));
    expect(tooLarge.status).toBe(413);
    expect(JSON.parse(tooLarge.body)).toEqual({ error: { code: 'payload_too_large', message: 'payload larger than API Gateway accepts' } });
    expect(tooLarge.headers.connection).toBe('keep-alive');

    const next = await post(Buffer.from('{"a":1}'));
    expect(next.status).toBe(201);
    expect(next.body).toBe('{"ok":true}');
    expect(next.reusedSocket).toBe(true);
    expect(next.localPort).toBe(tooLarge.localPort);
  });
});

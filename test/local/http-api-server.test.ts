/** The local API Gateway stand-in, with stub Lambdas: the events it builds and the answers it gives. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpApiServer, type HttpApiServer, type LambdaHandler } from '../../local/http-api-server';
import type { RouteDefinition } from '../../functions/api/routes';

const routes: RouteDefinition[] = [
  { method: 'GET', path: '/things/{id}', entry: 'echo', authorized: true, tableAccess: 'read', operationId: 'getThing', summary: '', success: { status: 200, description: '' }, errors: [] },
  { method: 'POST', path: '/things', entry: 'echo', authorized: true, tableAccess: 'readWrite', operationId: 'createThing', summary: '', success: { status: 201, description: '' }, errors: [] },
  { method: 'GET', path: '/open', entry: 'plain', authorized: false, tableAccess: 'read', operationId: 'open', summary: '', success: { status: 200, description: '' }, errors: [] },
  { method: 'GET', path: '/broken', entry: 'throws', authorized: false, tableAccess: 'read', operationId: 'broken', summary: '', success: { status: 200, description: '' }, errors: [] },
  { method: 'GET', path: '/binary', entry: 'binary', authorized: false, tableAccess: 'read', operationId: 'binary', summary: '', success: { status: 200, description: '' }, errors: [] },
];

const seen: { events: Record<string, unknown>[]; authorizerEvents: Record<string, unknown>[] } = { events: [], authorizerEvents: [] };

const handlers: Record<string, LambdaHandler> = {
  echo: async (event) => {
    seen.events.push(event as Record<string, unknown>);
    return { statusCode: 200, headers: { 'content-type': 'application/json', 'x-echo': 'yes' }, body: JSON.stringify({ ok: true }) };
  },
  plain: async () => ({ hello: 'world' }),
  throws: async () => {
    throw new Error('secret detail');
  },
  binary: async () => ({ statusCode: 200, headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from([1, 2, 3]).toString('base64'), isBase64Encoded: true }),
  authorizer: async (event) => {
    const authorizerEvent = event as { identitySource: string[] };
    seen.authorizerEvents.push(event as Record<string, unknown>);
    return authorizerEvent.identitySource[0] === 'Bearer good' ? { isAuthorized: true, context: { owner: 'alice', keyId: 'k1' } } : { isAuthorized: false };
  },
};

let server: HttpApiServer;

beforeAll(async () => {
  server = await startHttpApiServer({ routes, authorizerEntry: 'authorizer', loadHandler: async (entry) => handlers[entry] as LambdaHandler });
});
afterAll(() => server.close());

const call = (path: string, init: RequestInit = {}) => fetch(`${server.url}${path}`, init);

describe('local HTTP API server', () => {
  it('listens on loopback, and says so in one line when its port is taken', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await expect(startHttpApiServer({ port: server.port, routes, authorizerEntry: 'authorizer', loadHandler: async (entry) => handlers[entry] as LambdaHandler })).rejects.toThrow(
      `port ${server.port} on 127.0.0.1 is in use: stop what holds it or set API_PORT to another port`,
    );
  });

  it('turns a request into an API Gateway payload 2.0 event with the authorizer’s context', async () => {
    seen.events.length = 0;
    const response = await call('/things/a%20b?x=1&y=2&x=3&empty=', { headers: { Authorization: 'Bearer good', 'X-Custom': 'v' } });

    expect(response.status).toBe(200);
    expect(response.headers.get('x-echo')).toBe('yes');
    const event = seen.events[0] as { headers: Record<string, string>; requestContext: { requestId: unknown; timeEpoch: unknown } };
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /things/{id}',
      rawPath: '/things/a%20b',
      rawQueryString: 'x=1&y=2&x=3&empty=',
      queryStringParameters: { x: '1,3', y: '2', empty: '' },
      pathParameters: { id: 'a b' },
      isBase64Encoded: false,
      requestContext: {
        http: { method: 'GET', path: '/things/a%20b', sourceIp: '127.0.0.1' },
        routeKey: 'GET /things/{id}',
        stage: '$default',
        authorizer: { lambda: { owner: 'alice', keyId: 'k1' } },
      },
    });
    expect(event.headers).toMatchObject({ authorization: 'Bearer good', 'x-custom': 'v' });
    expect(typeof event.requestContext.requestId).toBe('string');
    expect(typeof event.requestContext.timeEpoch).toBe('number');
    expect(seen.authorizerEvents.at(-1)).toMatchObject({ type: 'REQUEST', version: '2.0', identitySource: ['Bearer good'], routeKey: 'GET /things/{id}' });
  });

  it('passes text bodies as text and other bodies base64-encoded', async () => {
    seen.events.length = 0;
    await call('/things', { method: 'POST', headers: { authorization: 'Bearer good', 'content-type': 'application/json' }, body: '{"a":1}' });
    await call('/things', { method: 'POST', headers: { authorization: 'Bearer good', 'content-type': 'application/octet-stream' }, body: new Uint8Array([0, 255]) });
    await call('/things', { method: 'POST', headers: { authorization: 'Bearer good', 'content-type': 'application/json' }, body: new Uint8Array([0x7b, 0xff]) });

    expect(seen.events.map((e) => [e.body, e.isBase64Encoded])).toEqual([
      ['{"a":1}', false],
      ['AP8=', true],
      ['e/8=', true],
    ]);
  });

  it('answers 401 in the api.md shape when the authorizer denies, and without asking it when there is no key', async () => {
    const before = seen.authorizerEvents.length;
    const denied = await call('/things/1', { headers: { authorization: 'Bearer bad' } });
    const missing = await call('/things/1');

    expect(denied.status).toBe(401);
    expect(await denied.json()).toEqual({ error: { code: 'unauthorized', message: 'unknown or revoked API key' } });
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    expect(seen.authorizerEvents.length).toBe(before + 1);
  });

  it('runs routes without authorization directly, a plain JSON result meaning 200', async () => {
    const response = await call('/open');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ hello: 'world' });
  });

  it('decodes base64 results', async () => {
    expect(new Uint8Array(await (await call('/binary')).arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('answers 404 not_found for unknown routes and methods, and 500 internal_error when a handler throws', async () => {
    const unknown = await call('/nowhere');
    const wrongMethod = await call('/open', { method: 'DELETE' });
    const broken = await call('/broken');

    expect([unknown.status, wrongMethod.status]).toEqual([404, 404]);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('not_found');
    expect(broken.status).toBe(500);
    const text = await broken.text();
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'internal_error' } });
    expect(text).not.toContain('secret');
  });
});

import { ApiGatewayManagementApiClient, DeleteConnectionCommand, GetConnectionCommand, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { afterEach, describe, expect, it } from 'vitest';
import { startWebSocketApiServer, type WebSocketApiServer, type WebSocketApiServerOptions, type WebSocketRouteEvent } from '../../local/websocket-api-server';
import { openClient, policy } from '../support/delivery-dashboard';
import { eventually } from '../support/eventually';
import { LOCAL_AWS } from '../support/local-aws';

let api: WebSocketApiServer | undefined;
let management: ApiGatewayManagementApiClient | undefined;
afterEach(async () => {
  management?.destroy();
  await api?.close();
  api = management = undefined;
});

async function start(options: Partial<WebSocketApiServerOptions> = {}) {
  api = await startWebSocketApiServer({ routes: {}, ...options });
  management = new ApiGatewayManagementApiClient({ ...LOCAL_AWS, endpoint: api.managementEndpoint, maxAttempts: 1 });
  return { api, management };
}

/** Records the route events; the authorizer lets `good-key` in as owner-1 and denies `denied-key`. */
function recordingApi() {
  const events: WebSocketRouteEvent[] = [];
  const options: Partial<WebSocketApiServerOptions> = {
    authorizer: async (event) => {
      const key = event.queryStringParameters?.key;
      if (key === 'good-key') return policy('owner-1', 'Allow', { owner: 'owner-1', keyId: 'k1' });
      if (key === 'denied-key') return policy('owner-1', 'Deny');
      throw new Error('Unauthorized');
    },
    routes: {
      $connect: async (event) => {
        events.push(event);
      },
      $disconnect: async (event) => {
        events.push(event);
      },
    },
  };
  return { events, options };
}

describe('the local WebSocket API', () => {
  it("runs the authorizer on ?key= and hands its context to $connect and $disconnect", async () => {
    const { events, options } = recordingApi();
    const { api } = await start(options);
    const client = await openClient(`${api.url}/?key=good-key&view=all`);
    const [connect] = events;
    expect(connect?.requestContext).toMatchObject({
      routeKey: '$connect',
      eventType: 'CONNECT',
      connectionId: expect.any(String),
      authorizer: { principalId: 'owner-1', owner: 'owner-1', keyId: 'k1' },
    });
    expect(connect?.queryStringParameters).toEqual({ key: 'good-key', view: 'all' });
    expect(connect?.headers).toMatchObject({ 'sec-websocket-version': '13' });
    expect(api.connectionIds()).toEqual([connect?.requestContext.connectionId]);

    await client.close();
    const disconnect = await eventually(() => events.find((e) => e.requestContext.eventType === 'DISCONNECT'), '$disconnect');
    expect(disconnect.requestContext).toMatchObject({
      routeKey: '$disconnect',
      connectionId: connect?.requestContext.connectionId,
      authorizer: { owner: 'owner-1' },
      disconnectStatusCode: 1005,
    });
    expect(api.connectionIds()).toEqual([]);
  });

  it('refuses the upgrade with 401 without a key or with an unknown one, and 403 on a Deny', async () => {
    const { events, options } = recordingApi();
    const { api } = await start(options);
    await expect(openClient(`${api.url}/`)).rejects.toThrow('HTTP 401');
    await expect(openClient(`${api.url}/?key=wrong`)).rejects.toThrow('HTTP 401');
    await expect(openClient(`${api.url}/?key=denied-key`)).rejects.toThrow('HTTP 403');
    expect(events).toEqual([]);
  });

  it('refuses the upgrade with the status $connect answers', async () => {
    const { api } = await start({ routes: { $connect: async () => ({ statusCode: 429 }) } });
    await expect(openClient(api.url)).rejects.toThrow('HTTP 429');
    expect(api.connectionIds()).toEqual([]);
  });

  it('selects the subprotocol $connect names, as API Gateway needs for clients that ask for one', async () => {
    const { api } = await start({
      identitySources: ['route.request.header.Sec-WebSocket-Protocol'],
      authorizer: async (event) => policy('p', event.headers?.['sec-websocket-protocol']?.includes('good-key') === true ? 'Allow' : 'Deny'),
      routes: { $connect: async () => ({ statusCode: 200, headers: { 'Sec-WebSocket-Protocol': 'alerts.v1' } }) },
    });
    const client = await openClient(api.url, ['alerts.v1', 'good-key']);
    expect(client.socket.protocol).toBe('alerts.v1');
    await client.close();
    await expect(openClient(api.url)).rejects.toThrow('HTTP 401');
  });

  it('answers client messages without a $default route like API Gateway, and runs $default when there is one', async () => {
    const { api } = await start();
    const client = await openClient(api.url);
    client.socket.send('{"action":"ping"}');
    const answer = await eventually(() => client.received[0], 'the Forbidden answer');
    expect(JSON.parse(answer)).toMatchObject({ message: 'Forbidden', connectionId: api.connectionIds()[0] });
    await client.close();
    await api.close();

    const bodies: Array<string | undefined> = [];
    const second = await start({ routes: { $default: async (event) => void bodies.push(event.body) } });
    const other = await openClient(second.api.url);
    other.socket.send('hello');
    await eventually(() => bodies.length === 1, '$default');
    expect(bodies).toEqual(['hello']);
    await other.close();
  });
});

describe('the local management API, through @aws-sdk/client-apigatewaymanagementapi', () => {
  it('posts to, describes and deletes a connection', async () => {
    const { api, management } = await start();
    const client = await openClient(api.url);
    const [connectionId = ''] = api.connectionIds();

    await management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: new TextEncoder().encode('{"type":"alert"}') }));
    expect(await eventually(() => client.received[0], 'the posted message')).toBe('{"type":"alert"}');

    const described = await management.send(new GetConnectionCommand({ ConnectionId: connectionId }));
    expect(described.ConnectedAt).toBeInstanceOf(Date);
    expect(described.Identity?.SourceIp).toBe('127.0.0.1');

    const closed = new Promise<number>((resolve) => client.socket.once('close', (code) => resolve(code)));
    await management.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    expect(await closed).toBe(1000);
  });

  it('answers 410 GoneException for an unknown or closed connection', async () => {
    const { api, management } = await start();
    const client = await openClient(api.url);
    const [connectionId = ''] = api.connectionIds();
    await client.close();
    await eventually(() => api.connectionIds().length === 0, 'the close');
    for (const id of [connectionId, 'bm90LWEtY29ubmVjdGlvbg==']) {
      const error = await management.send(new PostToConnectionCommand({ ConnectionId: id, Data: new Uint8Array([1]) })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GoneException);
      expect((error as GoneException).$metadata.httpStatusCode).toBe(410);
    }
  });

  it('closes open connections on close, running $disconnect for each', async () => {
    const disconnected: string[] = [];
    const { api } = await start({ routes: { $disconnect: async (event) => void disconnected.push(event.requestContext.connectionId) } });
    const client = await openClient(api.url);
    const ids = api.connectionIds();
    await api.close();
    expect(disconnected).toEqual(ids);
    await eventually(() => client.socket.readyState === client.socket.CLOSED, 'the client to see the close');
  });
});

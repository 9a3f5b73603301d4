import {
  ApiGatewayManagementApiClient,
  ForbiddenException,
  GoneException,
  LimitExceededException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_CHANNEL, DashboardPusher } from '../../../../functions/notifier/channels/dashboard-pusher';
import type { WebSocketApiServer } from '../../../../local/websocket-api-server';
import { MemoryConnections, openClient, startDashboardApi } from '../../../support/delivery-dashboard';
import { eventually } from '../../../support/eventually';
import { LOCAL_AWS } from '../../../support/local-aws';
import { aDeliverable } from '../../../support/delivery-fixtures';

describe('the dashboard pusher, through the local WebSocket API', () => {
  let api: WebSocketApiServer;
  let management: ApiGatewayManagementApiClient;
  const connections = new MemoryConnections();

  beforeAll(async () => {
    api = await startDashboardApi(connections);
    management = new ApiGatewayManagementApiClient({ ...LOCAL_AWS, endpoint: api.managementEndpoint, maxAttempts: 1 });
  });
  afterAll(async () => {
    management.destroy();
    await api.close();
  });

  it("pushes the alert to each of the owner's open dashboards, and only to those", async () => {
    const [first, second, bobs] = await Promise.all([
      openClient(`${api.url}/?key=key-alice`),
      openClient(`${api.url}/?key=key-alice`),
      openClient(`${api.url}/?key=key-bob`),
    ]);
    const pusher = new DashboardPusher({ management, connections });
    const result = await pusher.send(DASHBOARD_CHANNEL, aDeliverable({ owner: 'alice' }));
    expect(result).toEqual({ ok: true, delivered: 2, gone: 0, failed: 0 });

    await eventually(() => first.received.length > 0 && second.received.length > 0, 'both dashboards to get the alert');
    expect(JSON.parse(first.received[0] ?? '')).toMatchObject({ type: 'alert', alert: { id: 'A1b2C3d4E5f6G7h8I9j0K1', symbol: 'AAPL$US', price: 200.5 } });
    expect(second.received).toEqual(first.received);
    expect(bobs.received).toEqual([]);
    await Promise.all([first.close(), second.close(), bobs.close()]);
  });

  it("tells the owner's open dashboards a delivery's outcome by alert id and position", async () => {
    const [mine, bobs] = await Promise.all([openClient(`${api.url}/?key=key-alice`), openClient(`${api.url}/?key=key-bob`)]);
    const pusher = new DashboardPusher({ management, connections });
    const deliveries = [{ channel: 'telegram' as const, status: 'pending' as const, attempts: 0 }];
    await pusher.send(DASHBOARD_CHANNEL, aDeliverable({ owner: 'alice', deliveries }));
    const result = await pusher.sendDeliveryUpdate('alice', 'A1b2C3d4E5f6G7h8I9j0K1', 0, { channel: 'telegram', status: 'sent', attempts: 1 });
    expect(result).toEqual({ ok: true, delivered: 1, gone: 0, failed: 0 });

    await eventually(() => mine.received.length === 2, 'the alert, then the delivery outcome');
    expect(JSON.parse(mine.received[0] ?? '')).toMatchObject({ type: 'alert', alert: { deliveries } });
    expect(JSON.parse(mine.received[1] ?? '')).toEqual({
      type: 'delivery',
      alertId: 'A1b2C3d4E5f6G7h8I9j0K1',
      index: 0,
      delivery: { channel: 'telegram', status: 'sent', attempts: 1 },
    });
    expect(bobs.received).toEqual([]);
    await Promise.all([mine.close(), bobs.close()]);
  });

  it('forgets a connection the API reports gone (410) and still delivers to the others', async () => {
    const client = await openClient(`${api.url}/?key=key-alice`);
    connections.add('alice', 'Z29uZS1jb25uZWN0aW9u='); // left behind by a lost $disconnect
    const result = await new DashboardPusher({ management, connections }).send(DASHBOARD_CHANNEL, aDeliverable({ owner: 'alice' }));
    expect(result).toEqual({ ok: true, delivered: 1, gone: 1, failed: 0 });
    expect(connections.removed).toContain('Z29uZS1jb25uZWN0aW9u=');
    expect(await connections.listConnections('alice')).not.toContain('Z29uZS1jb25uZWN0aW9u=');
    await client.close();
  });

  it('counts an owner without open dashboards as delivered (nothing to do)', async () => {
    expect(await new DashboardPusher({ management, connections }).send(DASHBOARD_CHANNEL, aDeliverable({ owner: 'carol' }))).toEqual({
      ok: true,
      delivered: 0,
      gone: 0,
      failed: 0,
    });
  });
});

describe('dashboard push failures', () => {
  const connections = new MemoryConnections();
  connections.add('alice', 'c1');
  connections.add('alice', 'c2');
  const notification = aDeliverable({ owner: 'alice' });
  const metadata = (status: number) => ({ $metadata: { httpStatusCode: status }, message: 'x' });

  it('fails, retryable, when every open connection failed and one of them may recover', async () => {
    const mock = mockClient(ApiGatewayManagementApiClient);
    mock.on(PostToConnectionCommand, { ConnectionId: 'c1' }).rejects(new LimitExceededException(metadata(429)));
    mock.on(PostToConnectionCommand, { ConnectionId: 'c2' }).rejects(new ForbiddenException(metadata(403)));
    const result = await new DashboardPusher({ management: new ApiGatewayManagementApiClient(LOCAL_AWS), connections }).send(DASHBOARD_CHANNEL, notification);
    expect(result).toMatchObject({ ok: false, retryable: true, delivered: 0, gone: 0, failed: 2, error: expect.stringMatching(/^dashboard push failed on 2 connection\(s\): LimitExceededException/) });
    mock.restore();
  });

  it('fails, not retryable, when every failure is permanent', async () => {
    const mock = mockClient(ApiGatewayManagementApiClient);
    mock.on(PostToConnectionCommand).rejects(new ForbiddenException(metadata(403)));
    const result = await new DashboardPusher({ management: new ApiGatewayManagementApiClient(LOCAL_AWS), connections }).send(DASHBOARD_CHANNEL, notification);
    expect(result).toMatchObject({ ok: false, retryable: false, failed: 2 });
    mock.restore();
  });

  it('counts a push as delivered when one connection got it, so no dashboard sees it twice', async () => {
    const mock = mockClient(ApiGatewayManagementApiClient);
    mock.on(PostToConnectionCommand, { ConnectionId: 'c1' }).resolves({});
    mock.on(PostToConnectionCommand, { ConnectionId: 'c2' }).rejects(new Error('socket hang up'));
    const result = await new DashboardPusher({ management: new ApiGatewayManagementApiClient(LOCAL_AWS), connections }).send(DASHBOARD_CHANNEL, notification);
    expect(result).toEqual({ ok: true, delivered: 1, gone: 0, failed: 1 });
    mock.restore();
  });

  it('keeps going when a gone connection cannot be removed (its TTL will)', async () => {
    const mock = mockClient(ApiGatewayManagementApiClient);
    mock.on(PostToConnectionCommand).rejects(new GoneException(metadata(410)));
    const failing = {
      listConnections: async () => ['c9'],
      removeConnection: async () => {
        throw new Error('DynamoDB is down');
      },
    };
    const result = await new DashboardPusher({ management: new ApiGatewayManagementApiClient(LOCAL_AWS), connections: failing }).send(DASHBOARD_CHANNEL, notification);
    expect(result).toEqual({ ok: true, delivered: 0, gone: 1, failed: 0 });
    mock.restore();
  });

  it('retries later when the connection store cannot be read', async () => {
    const broken = {
      listConnections: async () => {
        throw new Error('DynamoDB is down');
      },
      removeConnection: async () => undefined,
    };
    const result = await new DashboardPusher({ management: new ApiGatewayManagementApiClient(LOCAL_AWS), connections: broken }).send(DASHBOARD_CHANNEL, notification);
    expect(result).toEqual({ ok: false, retryable: true, error: 'dashboard connections unavailable: Error: DynamoDB is down', delivered: 0, gone: 0, failed: 0 });
  });
});

/**
 * The dashboard WebSocket API's functions (authorizer, `$connect`, `$disconnect`) as the local
 * stack runs them behind its WebSocket API server, on DynamoDB Local: who may open a dashboard,
 * and the connection store the notifier pushes alerts to (storage/connections-repository.ts).
 */
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_SUBPROTOCOL } from '../../../functions/dashboard-socket/subprotocol';
import { createApiKey, revokeApiKey } from '../../../storage/api-keys-repository';
import { listConnectionsByOwner } from '../../../storage/connections-repository';
import { connectionOwnerKey, PK } from '../../../storage/item-keys';
import { openClient } from '../../support/delivery-dashboard';
import { eventually } from '../../support/eventually';
import { Pipeline } from '../../support/pipeline-stack';

let pipeline: Pipeline;
beforeAll(async () => {
  pipeline = await Pipeline.start();
});
afterAll(async () => {
  await pipeline?.stop();
});

/** Every dashboard connection item in the table, of any owner (a fresh table: only this file's). */
async function storedConnections(): Promise<Record<string, unknown>[]> {
  const { db } = pipeline.stack.services;
  const { Items = [] } = await db.doc.send(
    new ScanCommand({ TableName: db.tableName, FilterExpression: 'begins_with(#pk, :conn)', ExpressionAttributeNames: { '#pk': PK }, ExpressionAttributeValues: { ':conn': 'CONN' } }),
  );
  return Items;
}

describe('dashboard connections', () => {
  it('refuses a dashboard without a live API key with 401, and stores no connection', async () => {
    const { db, webSocketApi } = pipeline.stack.services;
    const revoked = await createApiKey(db, { owner: 'revoked-owner', now: new Date() });
    await revokeApiKey(db, revoked.keyId, new Date());
    const unknownKey = `sa_AAAAAAAAAA_${'b'.repeat(43)}`;
    const url = pipeline.stack.webSocketUrl;

    await expect(openClient(url, [DASHBOARD_SUBPROTOCOL, unknownKey])).rejects.toThrow('HTTP 401');
    await expect(openClient(url, [DASHBOARD_SUBPROTOCOL, revoked.key])).rejects.toThrow('HTTP 401');
    await expect(openClient(url, [DASHBOARD_SUBPROTOCOL])).rejects.toThrow('HTTP 401');
    // The key only counts as a subprotocol next to stock-alerts.v1; never from the URL.
    await expect(openClient(url, [pipeline.stack.devApiKey])).rejects.toThrow('HTTP 401');
    await expect(openClient(`${url}/?key=${encodeURIComponent(pipeline.stack.devApiKey)}`)).rejects.toThrow('HTTP 401');

    expect(webSocketApi.connectionIds()).toEqual([]);
    expect(await storedConnections()).toEqual([]);
  });

  it("keeps an open dashboard under its key's owner and forgets it when the socket closes", async () => {
    const { db, webSocketApi } = pipeline.stack.services;
    const owner = pipeline.stack.devOwner;
    const client = await openClient(pipeline.stack.webSocketUrl, [DASHBOARD_SUBPROTOCOL, pipeline.stack.devApiKey]);

    // $connect chose the dashboard subprotocol (a browser drops a socket that got none back).
    expect(client.socket.protocol).toBe(DASHBOARD_SUBPROTOCOL);
    const [connectionId, ...others] = webSocketApi.connectionIds();
    expect(others).toEqual([]);
    // With the id of the key that opened it: revoking that key closes it (cli/dashboard-closer.ts).
    expect(await listConnectionsByOwner(db, owner, new Date())).toEqual([{ connectionId, owner, connectedAt: expect.any(String), keyId: pipeline.stack.devApiKey.split('_')[1] }]);

    await client.close();
    await eventually(async () => (await listConnectionsByOwner(db, owner, new Date())).length === 0, 'the closed dashboard to be forgotten');
    expect(webSocketApi.connectionIds()).toEqual([]);
    expect((await db.doc.send(new GetCommand({ TableName: db.tableName, Key: connectionOwnerKey(connectionId ?? '') }))).Item).toBeUndefined();
    expect(await storedConnections()).toEqual([]);
  });
});

/**
 * Revoking a key on the local stack (DynamoDB Local, the local HTTP API and WebSocket API with
 * the real authorizers and routes): `keys revoke` makes the API answer 401 and closes the key's
 * open dashboards through the management API within 5 s, and leaves the owner's other key alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managementApiCloser } from '../../../cli/dashboard-closer';
import { runKeysCommand } from '../../../cli/keys-command';
import { DASHBOARD_SUBPROTOCOL } from '../../../functions/dashboard-socket/subprotocol';
import { createApiKey } from '../../../storage/api-keys-repository';
import { listConnectionsByOwner } from '../../../storage/connections-repository';
import { openClient } from '../../support/delivery-dashboard';
import { eventually } from '../../support/eventually';
import { LOCAL_AWS } from '../../support/local-aws';
import { Pipeline } from '../../support/pipeline-stack';

let pipeline: Pipeline;
beforeAll(async () => {
  pipeline = await Pipeline.start();
});
afterAll(async () => {
  await pipeline?.stop();
});

const rulesStatus = async (key: string) => (await fetch(`${pipeline.stack.apiUrl}/rules`, { headers: { authorization: `Bearer ${key}` } })).status;

describe('a revoked key', () => {
  it('gets 401 from the API and has its open dashboards closed within 5 s; the owner’s other key keeps working', async () => {
    const { db, webSocketApi } = pipeline.stack.services;
    const owner = 'revoking-owner';
    const revoked = await createApiKey(db, { owner, now: new Date() });
    const kept = await createApiKey(db, { owner, now: new Date() });
    const revokedDashboard = await openClient(pipeline.stack.webSocketUrl, [DASHBOARD_SUBPROTOCOL, revoked.key]);
    const keptDashboard = await openClient(pipeline.stack.webSocketUrl, [DASHBOARD_SUBPROTOCOL, kept.key]);
    const closedAt = new Promise<number>((resolve) => revokedDashboard.socket.once('close', () => resolve(Date.now())));
    expect(await rulesStatus(revoked.key)).toBe(200);
    // $connect tracks the key on each connection.
    expect((await listConnectionsByOwner(db, owner, new Date())).map((c) => c.keyId).sort()).toEqual([revoked.keyId, kept.keyId].sort());

    const management = managementApiCloser(webSocketApi.managementEndpoint, LOCAL_AWS.region);
    const lines: string[] = [];
    const started = Date.now();
    try {
      await runKeysCommand(['revoke', revoked.keyId], { db, now: () => new Date(), print: (line) => lines.push(line), closeConnection: management.close });
    } finally {
      management.destroy();
    }
    await eventually(async () => (await rulesStatus(revoked.key)) === 401, 'the API to refuse the revoked key');
    const refusedAfterMs = Date.now() - started;
    const closedAfterMs = (await closedAt) - started;
    console.log(`revoked key: API 401 after ${refusedAfterMs} ms, dashboard closed after ${closedAfterMs} ms`);

    expect(lines).toEqual([`revoked key ${revoked.keyId}`, `closed 1 open dashboard connection(s) of key ${revoked.keyId}`]);
    expect(refusedAfterMs).toBeLessThan(5_000);
    expect(closedAfterMs).toBeLessThan(5_000);
    await expect(openClient(pipeline.stack.webSocketUrl, [DASHBOARD_SUBPROTOCOL, revoked.key])).rejects.toThrow('HTTP 401');

    expect(keptDashboard.socket.readyState).toBe(keptDashboard.socket.OPEN);
    expect(await rulesStatus(kept.key)).toBe(200);
    await eventually(async () => (await listConnectionsByOwner(db, owner, new Date())).length === 1, 'only the kept dashboard to stay stored');
    expect((await listConnectionsByOwner(db, owner, new Date()))[0]?.keyId).toBe(kept.keyId);
    expect(webSocketApi.connectionIds()).toHaveLength(1);
    await keptDashboard.close();
  });
});

/**
 * The per-owner dashboard socket limit (DASHBOARD_SOCKETS_PER_OWNER, default 5) as the local stack
 * runs it: real `ws` clients against the local WebSocket API server, whose `$connect` is the
 * stack's function on DynamoDB Local.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { socketLimitMessage } from '../../../functions/dashboard-socket/connect-route';
import { DASHBOARD_SUBPROTOCOL } from '../../../functions/dashboard-socket/subprotocol';
import { createApiKey } from '../../../storage/api-keys-repository';
import { countOpenConnections, listConnectionsByOwner } from '../../../storage/connections-repository';
import { openClient, type DashboardClient } from '../../support/delivery-dashboard';
import { uniqueOwner } from '../../support/dynamodb';
import { eventually } from '../../support/eventually';
import { Pipeline } from '../../support/pipeline-stack';

const LIMIT = 5;

let pipeline: Pipeline;
const clients: DashboardClient[] = [];
beforeAll(async () => {
  pipeline = await Pipeline.start({ env: { POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT' } });
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await pipeline?.stop();
});

async function newKey(label: string): Promise<{ owner: string; key: string }> {
  const owner = uniqueOwner(label);
  const { key } = await createApiKey(pipeline.stack.services.db, { owner, now: new Date() });
  return { owner, key };
}

async function open(key: string): Promise<DashboardClient> {
  const client = await openClient(pipeline.stack.webSocketUrl, [DASHBOARD_SUBPROTOCOL, key]);
  clients.push(client);
  return client;
}

/** A refused upgrade's status and body (what the client is told). */
function refusal(key: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(pipeline.stack.webSocketUrl, [DASHBOARD_SUBPROTOCOL, key]);
    socket.once('open', () => {
      socket.close();
      reject(new Error('the socket opened'));
    });
    socket.once('unexpected-response', (_request, response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    socket.once('error', () => undefined);
  });
}

describe('dashboard sockets per owner', () => {
  it(`keeps ${LIMIT} dashboards open, refuses the next with 429 and a reason, and lets one in once another closes`, async () => {
    const alice = await newKey('alice');
    const open5 = [];
    for (let i = 0; i < LIMIT; i += 1) open5.push(await open(alice.key));

    const refused = await refusal(alice.key);
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body)).toEqual({ message: socketLimitMessage(LIMIT) });
    expect((await listConnectionsByOwner(pipeline.stack.services.db, alice.owner, new Date())).length).toBe(LIMIT);

    await open5[0]?.close();
    await eventually(async () => (await countOpenConnections(pipeline.stack.services.db, alice.owner, new Date())) === LIMIT - 1, 'the closed socket to free its slot');
    const again = await open(alice.key);
    expect(again.socket.protocol).toBe(DASHBOARD_SUBPROTOCOL);
    expect((await refusal(alice.key)).status).toBe(429);
  });

  it("does not count another owner's dashboards", async () => {
    const carol = await newKey('carol');
    const dave = await newKey('dave');
    for (let i = 0; i < LIMIT; i += 1) await open(carol.key);
    expect((await refusal(carol.key)).status).toBe(429);

    const daves = await Promise.all(Array.from({ length: LIMIT }, () => open(dave.key)));
    expect(daves.every((client) => client.socket.readyState === WebSocket.OPEN)).toBe(true);
  });

  it(`lets at most ${LIMIT} of many concurrent connects in`, async () => {
    const erin = await newKey('erin');
    const attempts = await Promise.allSettled(Array.from({ length: 4 * LIMIT }, () => open(erin.key)));
    const opened = attempts.filter((attempt) => attempt.status === 'fulfilled');
    const refused = attempts.filter((attempt): attempt is PromiseRejectedResult => attempt.status === 'rejected');
    console.log(`concurrent connects: ${attempts.length} tried, ${opened.length} opened, ${refused.length} refused`);

    expect(opened).toHaveLength(LIMIT);
    expect(new Set(refused.map((attempt) => String(attempt.reason)))).toEqual(new Set(['Error: HTTP 429']));
    expect(await countOpenConnections(pipeline.stack.services.db, erin.owner, new Date())).toBe(LIMIT);
    expect((await listConnectionsByOwner(pipeline.stack.services.db, erin.owner, new Date())).length).toBe(LIMIT);
  });
});

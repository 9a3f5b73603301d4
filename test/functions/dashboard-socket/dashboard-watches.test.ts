/**
 * The dashboard WebSocket API's `$default` route (functions/dashboard-socket/watch.ts) as the local
 * stack runs it on DynamoDB Local: a page's watch list becomes its watch items, which the ingest
 * task reads to post live prices (storage/watches-repository.ts), and `$disconnect` forgets them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_SUBPROTOCOL } from '../../../functions/dashboard-socket/subprotocol';
import { parseSocketMessage } from '../../../functions/dashboard-socket/watch-message';
import { MAX_WATCHED_SYMBOLS, listWatches } from '../../../storage/watches-repository';
import { watchedBy } from '../../support/watch-readers';
import { openClient, type DashboardClient } from '../../support/delivery-dashboard';
import { eventually, pause } from '../../support/eventually';
import { Pipeline } from '../../support/pipeline-stack';

let pipeline: Pipeline;
beforeAll(async () => {
  pipeline = await Pipeline.start();
});
afterAll(async () => {
  await pipeline?.stop();
});

async function openDashboard(): Promise<{ client: DashboardClient; connectionId: string }> {
  const before = new Set(pipeline.stack.services.webSocketApi.connectionIds());
  const client = await openClient(pipeline.stack.webSocketUrl, [DASHBOARD_SUBPROTOCOL, pipeline.stack.devApiKey]);
  const connectionId = pipeline.stack.services.webSocketApi.connectionIds().find((id) => !before.has(id)) as string;
  return { client, connectionId };
}

describe('dashboard watches', () => {
  it('stores what a page watches under its connection and owner, symbols normalized, and replaces it on the next list', async () => {
    const { db } = pipeline.stack.services;
    const { client, connectionId } = await openDashboard();
    client.socket.send(JSON.stringify({ action: 'watch', symbols: [' aapl$us', 'MSFT$US'] }));
    await eventually(async () => (await watchedBy(db, connectionId, new Date())).join() === 'AAPL$US,MSFT$US', 'the first list');
    const mine = async () => (await listWatches(db, new Date())).filter((w) => w.connectionId === connectionId);
    expect(await mine()).toEqual([
      { symbol: 'AAPL$US', connectionId, owner: pipeline.stack.devOwner },
      { symbol: 'MSFT$US', connectionId, owner: pipeline.stack.devOwner },
    ]);

    client.socket.send(JSON.stringify({ action: 'watch', symbols: ['TSLA$US'] }));
    await eventually(async () => (await mine()).map((w) => w.symbol).join() === 'TSLA$US', 'the list to be replaced');
    await client.close();
  });

  it('ignores a message that is not a watch list, and forgets the watches when the page closes', async () => {
    const { db } = pipeline.stack.services;
    const { client, connectionId } = await openDashboard();
    client.socket.send(JSON.stringify({ action: 'watch', symbols: ['NVDA$US'] }));
    await eventually(async () => (await watchedBy(db, connectionId, new Date())).length === 1, 'the list');
    for (const bad of ['not json', '{"action":"subscribe","symbols":["AAPL$US"]}', '{"action":"watch","symbols":["not a symbol"]}', '{"action":"watch"}']) {
      client.socket.send(bad);
    }
    await pause(300);
    expect(await watchedBy(db, connectionId, new Date())).toEqual(['NVDA$US']);

    await client.close();
    await eventually(async () => (await listWatches(db, new Date())).every((w) => w.connectionId !== connectionId), 'the watches to be forgotten');
  });
});

describe('watch messages', () => {
  it('reads a watch list and names what is wrong with anything else', () => {
    expect(parseSocketMessage('{"action":"watch","symbols":["aapl$us"]}')).toEqual({ ok: true, message: { action: 'watch', symbols: ['AAPL$US'] } });
    expect(parseSocketMessage('{"action":"watch","symbols":[]}')).toEqual({ ok: true, message: { action: 'watch', symbols: [] } });
    expect(parseSocketMessage(undefined)).toEqual({ ok: false, error: 'not JSON' });
    expect(parseSocketMessage('{"action":"watch","symbols":["x"]}')).toEqual({ ok: false, error: 'symbols[0]: must be a symbol like AAPL$US (CODE$REGION) or crypto:BTCUSDT$BA (MARKET:CODE$REGION)' });
    const tooMany = JSON.stringify({ action: 'watch', symbols: Array.from({ length: MAX_WATCHED_SYMBOLS + 1 }, (_, i) => `S${i}$US`) });
    expect(parseSocketMessage(tooMany)).toEqual({ ok: false, error: `symbols: must hold at most ${MAX_WATCHED_SYMBOLS} symbols` });
    expect(parseSocketMessage('{"action":"watch","symbols":[],"extra":1}').ok).toBe(false);
  });
});

/** `GET /health` through the local HTTP API on DynamoDB Local. */
import { describe, expect, it } from 'vitest';
import { healthSchema } from '../../../functions/health/feed-health';
import { writeHeartbeat } from '../../../storage/heartbeat-repository';
import { useApiServer } from '../../support/api-server';

const api = useApiServer({ HEARTBEAT_STALE_SECONDS: '30' });

describe('GET /health', () => {
  it('answers 200 down, without a key, before the ingest task has reported', async () => {
    const response = await api.request('GET', '/health');
    expect(response.status).toBe(200);
    expect(healthSchema.parse(response.body).status).toBe('down');
  });

  it('says the feed is live and when the last tick arrived, from the heartbeat', async () => {
    const now = Date.now();
    await writeHeartbeat(api.table.db, { connected: true, lastTickAt: now - 1_000, ticksPerSecond: 3, subscribed: 2, openSubscribed: 2, unwatched: [], lagMs: 80, unmatched: 0, unmatchedSymbols: [], unreadable: 0, invalidSymbols: [], markets: [], updatedAt: now });

    const response = await api.request('GET', '/health', { key: 'ignored' });

    expect(response.body).toEqual({
      status: 'ok',
      feed: {
        connected: true,
        lastTickAt: new Date(now - 1_000).toISOString(),
        heartbeatAt: new Date(now).toISOString(),
        subscribed: 2,
        unwatched: [],
        lagMs: 80,
        unmatched: 0,
        unmatchedSymbols: [],
        unreadable: 0,
        invalidSymbols: [],
        markets: [],
      },
    });
  });

  it('reports a heartbeat older than HEARTBEAT_STALE_SECONDS as down', async () => {
    const then = Date.now() - 31_000;
    await writeHeartbeat(api.table.db, { connected: true, lastTickAt: then, ticksPerSecond: 3, subscribed: 2, openSubscribed: 2, unwatched: [], lagMs: 80, unmatched: 0, unmatchedSymbols: [], unreadable: 0, invalidSymbols: [], markets: [], updatedAt: then });

    expect((await api.request('GET', '/health')).body).toMatchObject({ status: 'down', feed: { connected: false } });
  });
});

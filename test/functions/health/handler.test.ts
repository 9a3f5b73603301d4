/** `GET /health` through the local HTTP API on DynamoDB Local. */
import { describe, expect, it } from 'vitest';
import { healthSchema } from '../../../functions/health/feed-health';
import { revokeApiKey } from '../../../storage/api-keys-repository';
import { openConnection } from '../../../storage/connections-repository';
import { writeHeartbeat, type Heartbeat } from '../../../storage/heartbeat-repository';
import { createRuleBody } from '../../support/api-fixtures';
import { useApiServer } from '../../support/api-server';

const api = useApiServer({ HEARTBEAT_STALE_SECONDS: '30', RULE_QUOTA: '50', OWNER_SYMBOL_LIMIT: '20', DASHBOARD_SOCKETS_PER_OWNER: '4' });

const liveHeartbeat = (overrides: Partial<Heartbeat> = {}): Heartbeat => {
  const now = Date.now();
  return { connected: true, lastTickAt: now - 1_000, ticksPerSecond: 3, subscribed: 2, openSubscribed: 2, unwatched: [], lagMs: 80, unmatched: 0, unmatchedSymbols: [], unreadable: 0, invalidSymbols: [], markets: [], updatedAt: now, ...overrides };
};

async function createRules(key: string, symbols: string[]): Promise<void> {
  for (const symbol of symbols) {
    const response = await api.request('POST', '/rules', { key, json: createRuleBody({ symbol }) });
    expect(response.status).toBe(201);
  }
}

describe('GET /health', () => {
  it('answers 200 down, without a key, before the ingest task has reported', async () => {
    const response = await api.request('GET', '/health');
    expect(response.status).toBe(200);
    expect(healthSchema.parse(response.body).status).toBe('down');
  });

  it('says the feed is live and when the last tick arrived, from the heartbeat', async () => {
    const heartbeat = liveHeartbeat();
    await writeHeartbeat(api.table.db, heartbeat);

    const response = await api.request('GET', '/health');

    expect(response.body).toEqual({
      status: 'ok',
      feed: {
        connected: true,
        lastTickAt: new Date(heartbeat.lastTickAt ?? 0).toISOString(),
        heartbeatAt: new Date(heartbeat.updatedAt).toISOString(),
        subscribed: 2,
        unwatchedCount: 0,
        lagMs: 80,
        unmatched: 0,
        unreadable: 0,
        invalidSymbolCount: 0,
        markets: [],
      },
    });
  });

  it('reports a heartbeat older than HEARTBEAT_STALE_SECONDS as down', async () => {
    const then = Date.now() - 31_000;
    await writeHeartbeat(api.table.db, liveHeartbeat({ lastTickAt: then, updatedAt: then }));

    expect((await api.request('GET', '/health')).body).toMatchObject({ status: 'down', feed: { connected: false } });
  });

  it("gives each owner its own unwatched and unknown symbols and limits, and anonymous callers no symbol at all", async () => {
    const alice = await api.newOwner('alice');
    const bob = await api.newOwner('bob');
    await createRules(alice.key, ['AAPL$US', 'TSLA$US', 'ZZZZQ$US', 'TSLA$US']);
    await createRules(bob.key, ['NVDA$US', 'QQQQZ$US']);
    const listed = await api.request('GET', '/rules', { key: bob.key });
    const bobRules = (listed.body as { items: { id: string }[] }).items;
    expect((await api.request('PATCH', `/rules/${bobRules[0]?.id ?? ''}`, { key: bob.key, json: { status: 'paused' } })).status).toBe(200);
    for (const connectionId of ['alice-dash-1', 'alice-dash-2']) {
      await openConnection(api.table.db, { owner: alice.owner, connectionId, now: new Date() }, 4);
    }
    await writeHeartbeat(api.table.db, liveHeartbeat({ unwatched: ['TSLA$US', 'NVDA$US'], invalidSymbols: ['ZZZZQ$US', 'QQQQZ$US'], unmatchedSymbols: ['TSLA.US'] }));

    const anonymous = await api.request('GET', '/health');
    expect(anonymous.status).toBe(200);
    expect(healthSchema.parse(anonymous.body)).toMatchObject({ status: 'degraded', feed: { unwatchedCount: 2, invalidSymbolCount: 2 } });
    expect(anonymous.body).not.toHaveProperty('owner');
    expect(JSON.stringify(anonymous.body)).not.toMatch(/TSLA|NVDA|ZZZZQ|QQQQZ/);

    const forAlice = await api.request('GET', '/health', { key: alice.key });
    expect(forAlice.status).toBe(200);
    expect(healthSchema.parse(forAlice.body).owner).toEqual({
      id: alice.owner,
      unwatched: ['TSLA$US'],
      invalidSymbols: ['ZZZZQ$US'],
      limits: { rules: { used: 4, limit: 50 }, symbols: { used: 3, limit: 20 }, dashboardSockets: { used: 2, limit: 4 }, alertsPerMinute: { used: 0, limit: 120 } },
    });

    const forBob = await api.request('GET', '/health', { key: bob.key });
    expect(healthSchema.parse(forBob.body).owner).toEqual({
      id: bob.owner,
      unwatched: ['NVDA$US'],
      invalidSymbols: ['QQQQZ$US'],
      limits: { rules: { used: 2, limit: 50 }, symbols: { used: 2, limit: 20 }, dashboardSockets: { used: 0, limit: 4 }, alertsPerMinute: { used: 0, limit: 120 } },
    });
    expect(JSON.stringify(forBob.body)).not.toMatch(/TSLA|ZZZZQ/);
  });

  it('answers 401 unauthorized to an unknown, revoked or malformed key, as other routes do', async () => {
    const owner = await api.newOwner('revoked');
    await revokeApiKey(api.table.db, owner.keyId, new Date());
    for (const headers of [{ authorization: `Bearer ${owner.key}` }, { authorization: `Bearer sa_AAAAAAAAAA_${'b'.repeat(43)}` }, { authorization: 'Basic abc' }]) {
      const response = await api.request('GET', '/health', { headers });
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ error: { code: 'unauthorized' } });
    }
  });
});

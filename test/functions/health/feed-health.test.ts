import { describe, expect, it } from 'vitest';
import { assessFeedHealth, healthSchema } from '../../../functions/health/feed-health';
import type { Heartbeat } from '../../../storage/heartbeat-repository';

const NOW = new Date('2026-03-02T14:30:00.000Z');
const STALE_MS = 30_000;

const heartbeat = (overrides: Partial<Heartbeat> = {}): Heartbeat => ({
  connected: true,
  lastTickAt: NOW.getTime() - 2_000,
  ticksPerSecond: 40,
  subscribed: 12,
  openSubscribed: 12,
  unwatched: [],
  lagMs: 150,
  unmatched: 0,
  unmatchedSymbols: [],
  unreadable: 0,
  invalidSymbols: [],
  markets: [],
  updatedAt: NOW.getTime() - 5_000,
  ...overrides,
});

describe('feed health', () => {
  it('is ok when a fresh heartbeat reports a connected feed', () => {
    const health = assessFeedHealth(heartbeat(), NOW, STALE_MS);
    expect(healthSchema.parse(health)).toEqual({
      status: 'ok',
      feed: {
        connected: true,
        lastTickAt: '2026-03-02T14:29:58.000Z',
        heartbeatAt: '2026-03-02T14:29:55.000Z',
        subscribed: 12,
        unwatchedCount: 0,
        lagMs: 150,
        unmatched: 0,
        unreadable: 0,
        invalidSymbolCount: 0,
        markets: [],
      },
    });
  });

  it('counts unmatched data, unwatched and unknown symbols without naming any symbol, and shows each market in use', () => {
    const health = assessFeedHealth(
      heartbeat({
        unmatched: 7,
        unmatchedSymbols: ['MSFT.US', 'SAP'],
        unreadable: 2,
        unwatched: ['TSLA$US', 'NVDA$US'],
        invalidSymbols: ['ZZZZQ$US'],
        markets: [
          { market: 'stock', connected: true, connections: 1, subscribed: 11 },
          { market: 'crypto', connected: true, connections: 1, subscribed: 1 },
        ],
      }),
      NOW,
      STALE_MS,
    );
    expect(healthSchema.parse(health).feed).toMatchObject({
      unmatched: 7,
      unreadable: 2,
      unwatchedCount: 2,
      invalidSymbolCount: 1,
      markets: [{ market: 'stock', subscribed: 11 }, { market: 'crypto', subscribed: 1 }],
    });
    // The public answer names no symbol: those belong to the owners whose rules watch them.
    expect(JSON.stringify(health)).not.toMatch(/TSLA|NVDA|ZZZZQ|MSFT|SAP/);
  });

  it('is down before the ingest task has ever reported', () => {
    expect(assessFeedHealth(null, NOW, STALE_MS)).toMatchObject({ status: 'down', feed: { connected: false, lastTickAt: null, heartbeatAt: null } });
  });

  it('is down, and not connected, when the heartbeat is stale', () => {
    const health = assessFeedHealth(heartbeat({ updatedAt: NOW.getTime() - STALE_MS - 1 }), NOW, STALE_MS);
    expect(health).toMatchObject({ status: 'down', feed: { connected: false, lastTickAt: '2026-03-02T14:29:58.000Z' } });
  });

  it('is down when the ingest task reports the feed disconnected', () => {
    expect(assessFeedHealth(heartbeat({ connected: false }), NOW, STALE_MS).status).toBe('down');
  });

  it('is degraded when watched symbols are left unsubscribed or ticks lag', () => {
    expect(assessFeedHealth(heartbeat({ unwatched: ['TSLA$US'] }), NOW, STALE_MS).status).toBe('degraded');
    expect(assessFeedHealth(heartbeat({ lagMs: 5_001 }), NOW, STALE_MS).status).toBe('degraded');
  });

  it('stays ok when the market is quiet: an old last tick is not an outage', () => {
    expect(assessFeedHealth(heartbeat({ lastTickAt: NOW.getTime() - 3_600_000 }), NOW, STALE_MS).status).toBe('ok');
  });
});

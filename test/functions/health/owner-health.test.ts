import { describe, expect, it } from 'vitest';
import { assessFeedHealth, healthSchema } from '../../../functions/health/feed-health';
import { assessOwnerHealth, type OwnerUsage } from '../../../functions/health/owner-health';
import type { Heartbeat } from '../../../storage/heartbeat-repository';

const NOW = new Date('2026-03-02T14:30:00.000Z');

const heartbeat: Heartbeat = {
  connected: true,
  lastTickAt: NOW.getTime() - 2_000,
  ticksPerSecond: 40,
  subscribed: 12,
  openSubscribed: 12,
  unwatched: ['TSLA$US', 'NVDA$US', 'AMD$US'],
  lagMs: 150,
  unmatched: 0,
  unmatchedSymbols: [],
  unreadable: 0,
  invalidSymbols: ['ZZZZQ$US', 'QQQQZ$US'],
  markets: [],
  updatedAt: NOW.getTime() - 5_000,
};

const usage = (ruleSymbols: string[]): OwnerUsage => ({
  ruleSymbols: new Set(ruleSymbols),
  limits: { rules: { used: 3, limit: 1000 }, symbols: { used: 2, limit: 200 }, dashboardSockets: { used: 1, limit: 5 }, alertsPerMinute: { used: 0, limit: 120 } },
});

describe("an owner's part of GET /health", () => {
  it("lists only the unwatched and unknown symbols of the owner's own rules, sorted", () => {
    expect(assessOwnerHealth('alice', heartbeat, usage(['NVDA$US', 'AAPL$US', 'ZZZZQ$US', 'AMD$US']))).toEqual({
      id: 'alice',
      unwatched: ['AMD$US', 'NVDA$US'],
      invalidSymbols: ['ZZZZQ$US'],
      limits: { rules: { used: 3, limit: 1000 }, symbols: { used: 2, limit: 200 }, dashboardSockets: { used: 1, limit: 5 }, alertsPerMinute: { used: 0, limit: 120 } },
    });
  });

  it('lists nothing for an owner whose rules hold none of the symbols, and nothing before any heartbeat', () => {
    expect(assessOwnerHealth('bob', heartbeat, usage(['AAPL$US']))).toMatchObject({ unwatched: [], invalidSymbols: [] });
    expect(assessOwnerHealth('alice', null, usage(['TSLA$US', 'ZZZZQ$US']))).toMatchObject({ unwatched: [], invalidSymbols: [] });
  });

  it('fits the response schema beside the public part, which stays valid without it', () => {
    const feed = assessFeedHealth(heartbeat, NOW, 30_000);
    expect(healthSchema.parse(feed)).toEqual(feed);
    const withOwner = { ...feed, owner: assessOwnerHealth('alice', heartbeat, usage(['TSLA$US'])) };
    expect(healthSchema.parse(withOwner)).toEqual(withOwner);
    expect(() => healthSchema.parse({ ...withOwner, owner: { ...withOwner.owner, extra: 1 } })).toThrow();
  });
});

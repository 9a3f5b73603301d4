/**
 * What `GET /health` says about the feed, judged from the ingest task's heartbeat. Pure: the
 * heartbeat and the time are arguments.
 *
 * - `down`: no heartbeat, a stale one (the ingest task is not running) or the feed is disconnected;
 * - `degraded`: live, but some watched symbols are not subscribed (plan limit) or ticks wait
 *   too long for the evaluator;
 * - `ok`: live.
 *
 * Anyone may ask, so the public part holds the feed's state and counts only: the names of
 * unwatched and unknown symbols belong to the owners whose rules watch them (owner-health.ts gives
 * each owner its own). `unmatchedSymbols` is left out too: those are the feed's spellings of
 * symbols it sent without a subscription, mostly frames right after an unsubscribe, i.e. symbols
 * some owner watched a moment ago; the count stays, the names are in the ingest task's warn lines.
 */
import * as z from 'zod';
import { MARKETS } from '../../core/rule-model/market';
import type { Heartbeat } from '../../storage/heartbeat-repository';
import { ownerHealthSchema } from './owner-health';

export const HEALTH_STATUSES = ['ok', 'degraded', 'down'] as const;

/** Ticks waiting longer than this for the evaluator make the feed `degraded` (healthy: one batch window plus one invocation). */
export const MAX_HEALTHY_LAG_MS = 5_000;

export const healthSchema = z.strictObject({
  status: z.enum(HEALTH_STATUSES),
  feed: z.strictObject({
    connected: z.boolean().meta({ description: 'the ingest task is running and connected to the feed' }),
    lastTickAt: z.string().nullable().meta({ description: 'when the last tick arrived (ISO time)' }),
    heartbeatAt: z.string().nullable().meta({ description: 'when the ingest task last reported (ISO time)' }),
    subscribed: z.int().meta({ description: 'symbols subscribed on the feed' }),
    unwatchedCount: z.int().meta({ description: 'symbols with active rules left unsubscribed (feed plan limit); an owner sees its own in owner.unwatched' }),
    lagMs: z.number().nullable().meta({ description: 'age in ms of the oldest tick the evaluator has not acknowledged yet' }),
    unmatched: z.int().meta({ description: 'data messages since the ingest task started that matched no subscribed symbol' }),
    unreadable: z.int().meta({ description: 'feed messages since the ingest task started that could not be read' }),
    invalidSymbolCount: z.int().meta({ description: 'watched symbols the feed does not know (subscribe answered E001); an owner sees its own in owner.invalidSymbols' }),
    markets: z
      .array(
        z.strictObject({
          market: z.enum(MARKETS),
          connected: z.boolean(),
          connections: z.int(),
          subscribed: z.int(),
        }),
      )
      .meta({ description: 'each market in use: connected when all its connections are authenticated, its connections and subscribed symbols' }),
  }),
  owner: ownerHealthSchema.optional(),
});

export type Health = z.infer<typeof healthSchema>;
/** The part anyone may read. */
export type FeedHealth = Omit<Health, 'owner'>;

const iso = (epochMs: number | null) => (epochMs === null ? null : new Date(epochMs).toISOString());

export function assessFeedHealth(heartbeat: Heartbeat | null, now: Date, staleAfterMs: number): FeedHealth {
  if (heartbeat === null) {
    return {
      status: 'down',
      feed: { connected: false, lastTickAt: null, heartbeatAt: null, subscribed: 0, unwatchedCount: 0, lagMs: null, unmatched: 0, unreadable: 0, invalidSymbolCount: 0, markets: [] },
    };
  }
  const live = heartbeat.connected && now.getTime() - heartbeat.updatedAt <= staleAfterMs;
  const lagging = heartbeat.lagMs !== null && heartbeat.lagMs > MAX_HEALTHY_LAG_MS;
  const status = !live ? 'down' : heartbeat.unwatched.length > 0 || lagging ? 'degraded' : 'ok';
  return {
    status,
    feed: {
      connected: live,
      lastTickAt: iso(heartbeat.lastTickAt),
      heartbeatAt: iso(heartbeat.updatedAt),
      subscribed: heartbeat.subscribed,
      unwatchedCount: heartbeat.unwatched.length,
      lagMs: heartbeat.lagMs,
      unmatched: heartbeat.unmatched,
      unreadable: heartbeat.unreadable,
      invalidSymbolCount: heartbeat.invalidSymbols.length,
      markets: heartbeat.markets,
    },
  };
}

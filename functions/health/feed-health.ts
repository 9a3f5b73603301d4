/**
 * What `GET /health` says about the feed, judged from the ingest task's heartbeat. Pure: the
 * heartbeat and the time are arguments.
 *
 * - `down`: no heartbeat, a stale one (the ingest task is not running) or the feed is disconnected;
 * - `degraded`: live, but some watched symbols are not subscribed (plan limit) or ticks wait
 *   too long for the evaluator;
 * - `ok`: live.
 */
import * as z from 'zod';
import { MARKETS } from '../../core/rule-model/market';
import type { Heartbeat } from '../../storage/heartbeat-repository';

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
    unwatched: z.array(z.string()).meta({ description: 'symbols with active rules left unsubscribed (feed plan limit)' }),
    lagMs: z.number().nullable().meta({ description: 'age in ms of the oldest tick the evaluator has not acknowledged yet' }),
    unmatched: z.int().meta({ description: 'data messages since the ingest task started that matched no subscribed symbol' }),
    unmatchedSymbols: z.array(z.string()).meta({ description: "the feed's symbol values (s) of the most recent unmatched messages, at most 20" }),
    unreadable: z.int().meta({ description: 'feed messages since the ingest task started that could not be read' }),
    invalidSymbols: z.array(z.string()).meta({ description: 'watched symbols the feed does not know (subscribe answered E001); their rules have status invalid_symbol' }),
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
});

export type Health = z.infer<typeof healthSchema>;

const iso = (epochMs: number | null) => (epochMs === null ? null : new Date(epochMs).toISOString());

export function assessFeedHealth(heartbeat: Heartbeat | null, now: Date, staleAfterMs: number): Health {
  if (heartbeat === null) {
    return {
      status: 'down',
      feed: { connected: false, lastTickAt: null, heartbeatAt: null, subscribed: 0, unwatched: [], lagMs: null, unmatched: 0, unmatchedSymbols: [], unreadable: 0, invalidSymbols: [], markets: [] },
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
      unwatched: heartbeat.unwatched,
      lagMs: heartbeat.lagMs,
      unmatched: heartbeat.unmatched,
      unmatchedSymbols: heartbeat.unmatchedSymbols,
      unreadable: heartbeat.unreadable,
      invalidSymbols: heartbeat.invalidSymbols,
      markets: heartbeat.markets,
    },
  };
}

/**
 * The caller's own part of `GET /health` (sent only with a valid API key): the feed's unwatched
 * and unknown symbols among the symbols of the caller's rules — never another owner's — and the
 * caller's use of its limits (api.md "Limits and flood guard"). Pure: the heartbeat and the
 * owner's rule symbols and counts are arguments (owner-usage.ts reads them).
 */
import * as z from 'zod';
import type { Heartbeat } from '../../storage/heartbeat-repository';

export const limitUsageSchema = z.strictObject({
  used: z.int().meta({ description: 'what the owner uses now' }),
  limit: z.int().meta({ description: 'the most it may use (a setting)' }),
});

export type LimitUsage = z.infer<typeof limitUsageSchema>;

export const ownerHealthSchema = z
  .strictObject({
    id: z.string().meta({ description: "the API key's owner" }),
    unwatched: z.array(z.string()).meta({ description: "symbols of the owner's rules left unsubscribed on the feed (plan limit)" }),
    invalidSymbols: z.array(z.string()).meta({ description: "symbols of the owner's rules the feed does not know; those rules have status invalid_symbol" }),
    limits: z
      .strictObject({
        rules: limitUsageSchema.meta({ description: 'rules the owner has, against RULE_QUOTA' }),
        symbols: limitUsageSchema.meta({ description: 'distinct symbols of its active and paused rules, against OWNER_SYMBOL_LIMIT' }),
        dashboardSockets: limitUsageSchema.meta({ description: 'open dashboard WebSocket connections, against DASHBOARD_SOCKETS_PER_OWNER' }),
        alertsPerMinute: limitUsageSchema.meta({ description: 'alerts of its rules admitted this minute (UTC), against OWNER_ALERTS_PER_MINUTE; past it alerts are recorded rate_limited' }),
      })
      .meta({ description: "the owner's use of its limits" }),
  })
  .meta({ description: 'present only when the request carries a valid API key: that owner’s own data' });

export type OwnerHealth = z.infer<typeof ownerHealthSchema>;

/** What owner-usage.ts reads for one owner. */
export interface OwnerUsage {
  /** The symbols of all the owner's rules, whatever their status. */
  ruleSymbols: ReadonlySet<string>;
  limits: OwnerHealth['limits'];
}

/** The owner's part: the heartbeat's symbol lists cut down to the owner's rule symbols, sorted. */
export function assessOwnerHealth(owner: string, heartbeat: Heartbeat | null, usage: OwnerUsage): OwnerHealth {
  const own = (symbols: readonly string[] | undefined) => [...new Set((symbols ?? []).filter((symbol) => usage.ruleSymbols.has(symbol)))].sort();
  return { id: owner, unwatched: own(heartbeat?.unwatched), invalidSymbols: own(heartbeat?.invalidSymbols), limits: usage.limits };
}

/**
 * Reads what `GET /health` tells an owner about itself (owner-health.ts): the symbols of its rules,
 * its rule count, its distinct held symbols and its open dashboard sockets, each beside its limit.
 * The counts are the ones the limits judge: the profile's rule count (the quota's), the distinct
 * symbols of active and paused rules (functions/api/owner-limits.ts), the live socket slots
 * (storage/connections-repository.ts), the alerts admitted this minute (storage/alert-limits-repository.ts).
 */
import { alertMinute } from '../../storage/alert-limits';
import { readOwnerMinute } from '../../storage/alert-limits-repository';
import { countOpenConnections } from '../../storage/connections-repository';
import type { Db } from '../../storage/dynamodb-client';
import { getOwnerProfile } from '../../storage/owners-repository';
import { listRules } from '../../storage/rules-repository';
import { holdsSymbol } from '../api/owner-limits';
import type { OwnerUsage } from './owner-health';

/** The limits as configured (RULE_QUOTA, OWNER_SYMBOL_LIMIT, DASHBOARD_SOCKETS_PER_OWNER, OWNER_ALERTS_PER_MINUTE). */
export interface OwnerLimitSettings {
  ruleQuota: number;
  ownerSymbolLimit: number;
  dashboardSocketsPerOwner: number;
  ownerAlertsPerMinute: number;
}

/** Page size of the rules read: at most RULE_QUOTA rules, a few pages. */
const PAGE = 500;

export async function readOwnerUsage(db: Db, owner: string, settings: OwnerLimitSettings, now: Date): Promise<OwnerUsage> {
  const [rules, profile, sockets, minute] = await Promise.all([
    readRuleSymbols(db, owner),
    getOwnerProfile(db, owner),
    countOpenConnections(db, owner, now),
    readOwnerMinute(db, owner, alertMinute(now.toISOString())),
  ]);
  return {
    ruleSymbols: rules.all,
    limits: {
      rules: { used: profile?.ruleCount ?? 0, limit: settings.ruleQuota },
      symbols: { used: rules.held.size, limit: settings.ownerSymbolLimit },
      dashboardSockets: { used: sockets, limit: settings.dashboardSocketsPerOwner },
      alertsPerMinute: { used: minute?.admitted.size ?? 0, limit: settings.ownerAlertsPerMinute },
    },
  };
}

/** The symbols of all the owner's rules, and those its active and paused rules hold. */
async function readRuleSymbols(db: Db, owner: string): Promise<{ all: Set<string>; held: Set<string> }> {
  const all = new Set<string>();
  const held = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await listRules(db, owner, { limit: PAGE, cursor });
    for (const rule of page.items) {
      all.add(rule.symbol);
      if (holdsSymbol(rule.status)) held.add(rule.symbol);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return { all, held };
}

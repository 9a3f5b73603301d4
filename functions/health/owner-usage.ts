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
import { readOwnerSymbolUse } from '../../storage/owner-symbols';
import { holdsSymbol } from '../api/owner-limits';
import type { OwnerUsage } from './owner-health';

/** The limits as configured (RULE_QUOTA, OWNER_SYMBOL_LIMIT, DASHBOARD_SOCKETS_PER_OWNER, OWNER_ALERTS_PER_MINUTE). */
export interface OwnerLimitSettings {
  ruleQuota: number;
  ownerSymbolLimit: number;
  dashboardSocketsPerOwner: number;
  ownerAlertsPerMinute: number;
}

export async function readOwnerUsage(db: Db, owner: string, settings: OwnerLimitSettings, now: Date): Promise<OwnerUsage> {
  const [rules, profile, sockets, minute] = await Promise.all([
    readOwnerSymbolUse(db, owner, (rule) => holdsSymbol(rule.status)),
    getOwnerProfile(db, owner),
    countOpenConnections(db, owner, now),
    readOwnerMinute(db, owner, alertMinute(now.toISOString())),
  ]);
  return {
    ruleSymbols: rules.all,
    limits: {
      rules: { used: profile?.ruleCount ?? 0, limit: settings.ruleQuota },
      symbols: { used: rules.counted.size, limit: settings.ownerSymbolLimit },
      dashboardSockets: { used: sockets, limit: settings.dashboardSocketsPerOwner },
      alertsPerMinute: { used: minute?.admitted.size ?? 0, limit: settings.ownerAlertsPerMinute },
    },
  };
}

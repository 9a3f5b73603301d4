/**
 * `GET /health`: whether the feed is live and when the last tick arrived, for anyone. With
 * `Authorization: Bearer <api key>` (checked as the API authorizer checks it: the route sits
 * outside the authorizer so that it answers without a key) it adds the key owner's own data
 * (owner-health.ts); a header with an unknown, revoked or malformed key is 401 as on other routes.
 */
import { findApiKey } from '../../storage/api-keys-repository';
import type { Db } from '../../storage/dynamodb-client';
import { readHeartbeat } from '../../storage/heartbeat-repository';
import { authorize } from '../authorizer/authorize';
import { unauthorized } from '../shared/http-errors';
import { json } from '../shared/responses';
import { publicRoute } from '../shared/route-middleware';
import { assessFeedHealth, type Health } from './feed-health';
import { assessOwnerHealth } from './owner-health';
import { readOwnerUsage, type OwnerLimitSettings } from './owner-usage';

export interface HealthRouteSettings extends OwnerLimitSettings {
  /** A heartbeat older than this means the feed is down. */
  heartbeatStaleSeconds: number;
}

/** The route's handler on a table. */
export function getHealthRoute(db: Db, settings: HealthRouteSettings) {
  return publicRoute().handler(async (event) => {
    const header = event.headers.authorization;
    const caller = header === undefined ? null : await authorize(header, (key) => findApiKey(db, key));
    if (header !== undefined && caller === null) throw unauthorized();
    const now = new Date();
    const heartbeat = await readHeartbeat(db);
    const health: Health = assessFeedHealth(heartbeat, now, settings.heartbeatStaleSeconds * 1000);
    if (caller === null) return json(200, health);
    const usage = await readOwnerUsage(db, caller.owner, settings, now);
    return json(200, { ...health, owner: assessOwnerHealth(caller.owner, heartbeat, usage) });
  });
}

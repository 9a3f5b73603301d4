/** `GET /health` (no authentication): whether the feed is live and when the last tick arrived. */
import type { Db } from '../../storage/dynamodb-client';
import { readHeartbeat } from '../../storage/heartbeat-repository';
import { json } from '../shared/responses';
import { publicRoute } from '../shared/route-middleware';
import { assessFeedHealth } from './feed-health';

/** The route's handler on a table; a heartbeat older than `heartbeatStaleSeconds` means the feed is down. */
export function getHealthRoute(db: Db, heartbeatStaleSeconds: number) {
  return publicRoute().handler(async () => json(200, assessFeedHealth(await readHeartbeat(db), new Date(), heartbeatStaleSeconds * 1000)));
}

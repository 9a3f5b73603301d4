/** `GET /health` (no authentication): whether the feed is live and when the last tick arrived. */
import { readHeartbeat } from '../../storage/heartbeat-repository';
import { loadApiConfig } from '../shared/config';
import { openDb } from '../shared/database';
import { json } from '../shared/responses';
import { publicRoute } from '../shared/route-middleware';
import { assessFeedHealth } from './feed-health';

const config = loadApiConfig();
const db = openDb(config);

export const handler = publicRoute().handler(async () =>
  json(200, assessFeedHealth(await readHeartbeat(db), new Date(), config.heartbeatStaleSeconds * 1000)),
);

/**
 * `$default` of the dashboard WebSocket API: a dashboard's watch list (watch-message.ts) becomes
 * its watch items, which the ingest task reads to know where to post live prices.
 *
 * Made for a table: watch.ts is the Lambda entry (the table from the environment), the local
 * stack passes its own.
 */
import type { Db } from '../../storage/dynamodb-client';
import { setWatches } from '../../storage/watches-repository';
import { logger } from '../shared/logger';
import { ownerOf } from './socket-event';
import { socketRoute } from './socket-route';
import { parseSocketMessage } from './watch-message';

/** The route's handler on a table. */
export function createWatchHandler(db: Db) {
  return socketRoute().handler(async (event) => {
    const owner = ownerOf(event);
    if (owner === undefined) return { statusCode: 401 };
    const parsed = parseSocketMessage(event.body);
    if (!parsed.ok) {
      // The reason names a field, never the body's content.
      logger.info('dashboard message refused', { reason: parsed.error });
      return { statusCode: 400 };
    }
    await setWatches(db, { owner, connectionId: event.requestContext.connectionId, symbols: parsed.message.symbols, now: new Date() });
    return { statusCode: 200 };
  });
}

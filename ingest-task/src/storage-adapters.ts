/**
 * The ingest task's ports backed by DynamoDB, through storage's repositories.
 */
import type { Db } from '../../storage/dynamodb-client';
import { writeHeartbeat } from '../../storage/heartbeat-repository';
import { listWatchedSymbols } from '../../storage/symbols-repository';
import { forgetWatches, listWatches } from '../../storage/watches-repository';
import type { HeartbeatSink } from './heartbeat';
import type { WatchlistSource } from './ingest-task';
import type { WatchSource } from './price-publisher';

/** Symbols with at least one active rule, from the `SYMBOLS` partition. */
export function createDynamoWatchlist(db: Db): WatchlistSource {
  return { list: async () => (await listWatchedSymbols(db)).map((watched) => watched.symbol) };
}

/** The heartbeat item that `GET /health` reads. */
export function createDynamoHeartbeatSink(db: Db): HeartbeatSink {
  return { write: (heartbeat) => writeHeartbeat(db, heartbeat) };
}

/** The dashboards' live-price watches (one Query of the `WATCH` partition) and their removal. */
export function createDynamoWatchSource(db: Db): WatchSource {
  return {
    list: () => listWatches(db, new Date()),
    forget: (connectionId) => forgetWatches(db, connectionId),
  };
}

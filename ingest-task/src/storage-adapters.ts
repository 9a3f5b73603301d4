/**
 * The ingest task's ports backed by DynamoDB, through storage's repositories.
 */
import type { Db } from '../../storage/dynamodb-client';
import { writeHeartbeat } from '../../storage/heartbeat-repository';
import { listWatchedSymbols } from '../../storage/symbols-repository';
import type { HeartbeatSink } from './heartbeat';
import type { WatchlistSource } from './ingest-task';

/** Symbols with at least one active rule, from the `SYMBOLS` partition. */
export function createDynamoWatchlist(db: Db): WatchlistSource {
  return { list: async () => (await listWatchedSymbols(db)).map((watched) => watched.symbol) };
}

/** The heartbeat item that `GET /health` reads. */
export function createDynamoHeartbeatSink(db: Db): HeartbeatSink {
  return { write: (heartbeat) => writeHeartbeat(db, heartbeat) };
}

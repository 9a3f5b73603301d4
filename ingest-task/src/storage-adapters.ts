/**
 * The ingest task's ports backed by DynamoDB, through storage's repositories.
 */
import type { Db } from '../../storage/dynamodb-client';
import { writeHeartbeat } from '../../storage/heartbeat-repository';
import { listWatchedSymbols, markSymbolInvalid } from '../../storage/symbols-repository';
import { forgetWatches, listWatches } from '../../storage/watches-repository';
import type { HeartbeatSink } from './heartbeat';
import type { InvalidSymbolSink, WatchlistSource } from './ingest-task';
import type { WatchSource } from './price-publisher';

/**
 * Symbols with at least one active rule, from the `SYMBOLS` partition, without those marked
 * unknown to iTick (their mark holds until a rule of theirs changes): they take no subscription
 * slot. `invalid()` names the ones the last read left out, for the heartbeat.
 */
export function createDynamoWatchlist(db: Db): WatchlistSource {
  let leftOut: string[] = [];
  return {
    async list() {
      const watched = await listWatchedSymbols(db);
      leftOut = watched.filter((entry) => entry.invalid !== undefined).map((entry) => entry.symbol);
      return watched.filter((entry) => entry.invalid === undefined).map((entry) => entry.symbol);
    },
    invalid: () => leftOut,
  };
}

/** Marks symbols iTick does not know, so their rules say `invalid_symbol` and the watchlist leaves them out. */
export function createDynamoInvalidSymbolSink(db: Db): InvalidSymbolSink {
  return { markInvalid: (symbol, message) => markSymbolInvalid(db, symbol, message, new Date()) };
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

/**
 * `$disconnect` of the dashboard WebSocket API: forgets the connection and what it watched.
 *
 * Made for a table: disconnect.ts is the Lambda entry (the table from the environment), the local
 * stack passes its own.
 */
import { deleteConnection } from '../../storage/connections-repository';
import type { Db } from '../../storage/dynamodb-client';
import { forgetWatches } from '../../storage/watches-repository';
import { socketRoute } from './socket-route';

/** The route's handler on a table. */
export function createDisconnectHandler(db: Db) {
  return socketRoute().handler(async (event) => {
    await deleteConnection(db, event.requestContext.connectionId);
    // A lost disconnect is covered too: watch items expire by TTL unless the dashboard renews them.
    await forgetWatches(db, event.requestContext.connectionId);
    return { statusCode: 200 };
  });
}

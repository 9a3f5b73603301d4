/**
 * `$connect` of the dashboard WebSocket API: remembers the connection under its owner, with the id
 * of the key that opened it (revoking that key closes it: cli/dashboard-closer.ts).
 *
 * Made for a table: connect.ts is the Lambda entry (the table from the environment), the local
 * stack passes its own.
 */
import { putConnection } from '../../storage/connections-repository';
import type { Db } from '../../storage/dynamodb-client';
import { keyIdOf, ownerOf } from './socket-event';
import { socketRoute } from './socket-route';
import { DASHBOARD_SUBPROTOCOL } from './subprotocol';

/** The route's handler on a table. */
export function createConnectHandler(db: Db) {
  return socketRoute().handler(async (event) => {
    const owner = ownerOf(event);
    if (owner === undefined) return { statusCode: 401 };
    const keyId = keyIdOf(event);
    await putConnection(db, { owner, connectionId: event.requestContext.connectionId, now: new Date(), ...(keyId === undefined ? {} : { keyId }) });
    // A client that offered subprotocols must get one back, or the browser drops the socket.
    return { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': DASHBOARD_SUBPROTOCOL } };
  });
}

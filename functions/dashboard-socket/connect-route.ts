/**
 * `$connect` of the dashboard WebSocket API: remembers the connection under its owner, with the id
 * of the key that opened it (revoking that key closes it: cli/dashboard-closer.ts), if the owner
 * has a free socket slot (DASHBOARD_SOCKETS_PER_OWNER, storage/connections-repository.ts). Past
 * the limit it answers 429: API Gateway refuses the upgrade on any non-2xx from `$connect`.
 *
 * Made for a table: connect.ts is the Lambda entry (the table from the environment), the local
 * stack passes its own.
 */
import { openConnection } from '../../storage/connections-repository';
import type { Db } from '../../storage/dynamodb-client';
import { logger } from '../shared/logger';
import { keyIdOf, ownerOf } from './socket-event';
import { socketRoute } from './socket-route';
import { DASHBOARD_SUBPROTOCOL } from './subprotocol';

/** The route's handler on a table, with the owner's socket limit. */
export function createConnectHandler(db: Db, socketsPerOwner: number) {
  return socketRoute().handler(async (event) => {
    const owner = ownerOf(event);
    if (owner === undefined) return { statusCode: 401 };
    const keyId = keyIdOf(event);
    const connection = { owner, connectionId: event.requestContext.connectionId, now: new Date(), ...(keyId === undefined ? {} : { keyId }) };
    const outcome = await openConnection(db, connection, socketsPerOwner);
    if (!outcome.opened) {
      // The key id names the key without revealing it.
      logger.warn('dashboard connection refused: socket limit reached', { owner, keyId, open: outcome.open, limit: socketsPerOwner });
      return { statusCode: 429, body: socketLimitMessage(socketsPerOwner) };
    }
    // A client that offered subprotocols must get one back, or the browser drops the socket.
    return { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': DASHBOARD_SUBPROTOCOL } };
  });
}

/** Why the upgrade was refused (the local WebSocket API puts it in the refusal's body). */
export function socketLimitMessage(limit: number): string {
  return `limit reached: dashboardSockets — an owner may keep at most ${limit} dashboards open (DASHBOARD_SOCKETS_PER_OWNER); close one to open another`;
}

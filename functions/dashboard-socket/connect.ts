/** `$connect` of the dashboard WebSocket API: remembers the connection under its owner. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { putConnection } from '../../storage/connections-repository';
import { loadStorageConfig } from '../shared/config';
import { openDb } from '../shared/database';
import { logger } from '../shared/logger';
import { DASHBOARD_SUBPROTOCOL } from './subprotocol';
import { ownerOf, type SocketEvent } from './socket-event';

const db = openDb(loadStorageConfig());

export const handler = middy<SocketEvent, APIGatewayProxyResultV2>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const owner = ownerOf(event);
    if (owner === undefined) return { statusCode: 401 };
    await putConnection(db, { owner, connectionId: event.requestContext.connectionId, now: new Date() });
    // A client that offered subprotocols must get one back, or the browser drops the socket.
    return { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': DASHBOARD_SUBPROTOCOL } };
  });

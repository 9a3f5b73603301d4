/** `$disconnect` of the dashboard WebSocket API: forgets the connection and what it watched. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { deleteConnection } from '../../storage/connections-repository';
import { forgetWatches } from '../../storage/watches-repository';
import { loadStorageConfig } from '../shared/config';
import { openDb } from '../shared/database';
import { logger } from '../shared/logger';
import type { SocketEvent } from './socket-event';

const db = openDb(loadStorageConfig());

export const handler = middy<SocketEvent, APIGatewayProxyResultV2>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    await deleteConnection(db, event.requestContext.connectionId);
    // A lost disconnect is covered too: watch items expire by TTL unless the dashboard renews them.
    await forgetWatches(db, event.requestContext.connectionId);
    return { statusCode: 200 };
  });

/**
 * `$default` of the dashboard WebSocket API: a dashboard's watch list (watch-message.ts) becomes
 * its watch items, which the ingest task reads to know where to post live prices.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { setWatches } from '../../storage/watches-repository';
import { loadStorageConfig } from '../shared/config';
import { openDb } from '../shared/database';
import { logger } from '../shared/logger';
import { ownerOf, type SocketEvent } from './socket-event';
import { parseSocketMessage } from './watch-message';

const db = openDb(loadStorageConfig());

export const handler = middy<SocketEvent, APIGatewayProxyResultV2>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
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

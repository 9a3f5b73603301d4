/** The middleware the dashboard WebSocket API's route handlers (`$connect`, `$disconnect`, `$default`) start from. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { logger } from '../shared/logger';
import type { SocketEvent } from './socket-event';

/** A new middy stack for one route handler, with the Lambda context in every log line. */
export const socketRoute = () => middy<SocketEvent, APIGatewayProxyResultV2>().use(injectLambdaContext(logger, { resetKeys: true }));

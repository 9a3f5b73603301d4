/**
 * HTTP API Lambda authorizer (payload 2.0, simple responses), identity source
 * `$request.header.Authorization`: allows a live API key and hands its owner to the routes in
 * `requestContext.authorizer.lambda`. Never logs the key or its hash.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerResult, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { findApiKey } from '../../storage/api-keys-repository';
import type { AuthorizerContext } from '../shared/api-event';
import { loadStorageConfig } from '../shared/config';
import { openDb } from '../shared/database';
import { logger } from '../shared/logger';
import { authorize } from './authorize';

const db = openDb(loadStorageConfig());

type AuthorizerResult = APIGatewaySimpleAuthorizerResult | APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>;

export const handler = middy<APIGatewayRequestAuthorizerEventV2, AuthorizerResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const header = event.headers?.authorization ?? event.identitySource?.[0];
    const context = await authorize(header, (key) => findApiKey(db, key));
    if (context === null) {
      logger.info('denied');
      return { isAuthorized: false };
    }
    logger.info('allowed', { keyId: context.keyId });
    return { isAuthorized: true, context };
  });

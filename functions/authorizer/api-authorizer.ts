/**
 * HTTP API Lambda authorizer (payload 2.0, simple responses), identity source
 * `$request.header.Authorization`: hands the owner of a live API key to the routes in
 * `requestContext.authorizer.lambda`. Never logs the key or its hash.
 *
 * An unknown or revoked key is *let through with an empty owner*: API Gateway would answer a
 * denial with its own `403 {"message":"Forbidden"}`, while the routes answer an empty owner with
 * api.md's `401 unauthorized` error (functions/shared/owner-context.ts). A request without the
 * header never reaches the authorizer: API Gateway answers it with its own 401.
 *
 * API Gateway caches each answer per header for AUTHORIZER_CACHE_TTL (5 s,
 * lib/constructs/rules-api.ts): that bounds how long a revoked key keeps working.
 *
 * Made for a table: handler.ts is the Lambda entry (the table from the environment), the local
 * stack passes its own.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerResult, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { findApiKey } from '../../storage/api-keys-repository';
import type { Db } from '../../storage/dynamodb-client';
import type { AuthorizerContext } from '../shared/api-event';
import { logger } from '../shared/logger';
import { authorize } from './authorize';

type AuthorizerResult = APIGatewaySimpleAuthorizerResult | APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>;

/** The authorizer's handler on a table. */
export function createApiAuthorizerHandler(db: Db) {
  return middy<APIGatewayRequestAuthorizerEventV2, AuthorizerResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      const header = event.headers?.authorization ?? event.identitySource?.[0];
      const context = await authorize(header, (key) => findApiKey(db, key));
      if (context === null) {
        logger.info('unknown key: passed on without an owner');
        return { isAuthorized: true, context: { owner: '', keyId: '' } };
      }
      logger.info('allowed', { keyId: context.keyId });
      return { isAuthorized: true, context };
    });
}

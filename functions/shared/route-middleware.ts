/**
 * The middleware stacks every HTTP route starts from, so that each handler file shows only what
 * is particular to its route. Order matters: the error handler comes first so that its onError
 * runs last and sees the errors of every other middleware.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import type { ApiResult, JsonApiEvent, OwnerContext } from './api-event';
import { apiErrorHandler } from './error-handler';
import { logger } from './logger';
import { ownerFromAuthorizer } from './owner-context';

/** A route without authentication (`GET /health`). */
export function publicRoute() {
  return middy<JsonApiEvent, ApiResult, Error, Context>()
    .use(apiErrorHandler(logger))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpHeaderNormalizer());
}

/** A route behind the API-key authorizer: `context.owner` is the caller. */
export function authorizedRoute() {
  return middy<JsonApiEvent, ApiResult, Error, OwnerContext>()
    .use(apiErrorHandler(logger))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpHeaderNormalizer())
    .use(ownerFromAuthorizer());
}

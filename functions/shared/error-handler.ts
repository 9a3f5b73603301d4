/**
 * The one place where errors become HTTP responses: the api.md shape, the documented status for
 * each typed error, and a bare 500 for anything else, logged here and never shown to the caller.
 */
import type { MiddlewareObj } from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { ValidationError } from '../../core/rule-model';
import { InvalidCursorError } from '../../storage/cursor';
import { RuleQuotaExceededError } from '../../storage/rules-repository';
import { LimitExceededError } from '../api/owner-limits';
import type { ApiResult } from './api-event';
import { errorBody, HttpError, type ErrorBody } from './http-errors';
import { JSON_HEADERS } from './responses';

interface MappedError {
  statusCode: number;
  body: ErrorBody;
}

/** The status and body for `error`, or null when it is not one of the documented errors. */
export function mapKnownError(error: unknown): MappedError | null {
  if (error instanceof ValidationError) {
    return { statusCode: 400, body: errorBody('validation_error', error.message, error.details) };
  }
  if (error instanceof HttpError) {
    return { statusCode: error.statusCode, body: errorBody(error.code, error.message) };
  }
  if (error instanceof InvalidCursorError) {
    const detail = { path: 'cursor', message: 'is not valid: pass nextCursor from the previous page unchanged' };
    return { statusCode: 400, body: errorBody('validation_error', `cursor ${detail.message}`, [detail]) };
  }
  if (error instanceof RuleQuotaExceededError) {
    const message = `rule quota reached: an owner may have at most ${error.quota} rules; delete some to create more`;
    return { statusCode: 429, body: errorBody('quota_exceeded', message) };
  }
  if (error instanceof LimitExceededError) {
    return { statusCode: 429, body: errorBody('limit_exceeded', error.message, [{ path: error.path, message: `${error.limit}: at most ${error.max}` }]) };
  }
  return null;
}

export function errorResponse(error: unknown, requestId: string, log: Logger): ApiResult {
  const known = mapKnownError(error);
  if (known !== null) {
    log.info('request refused', { statusCode: known.statusCode, code: known.body.error.code });
    return { statusCode: known.statusCode, headers: { ...JSON_HEADERS }, body: JSON.stringify(known.body) };
  }
  log.error('request failed', error instanceof Error ? error : String(error));
  const body = errorBody('internal_error', `internal error; quote request id ${requestId} when reporting it`);
  return { statusCode: 500, headers: { ...JSON_HEADERS }, body: JSON.stringify(body) };
}

/** Middy error middleware: register it first so that it sees the errors of every other middleware. */
export function apiErrorHandler(log: Logger): MiddlewareObj<unknown, ApiResult, Error, Context> {
  return {
    onError: (request) => {
      if (request.response !== undefined) return;
      request.response = errorResponse(request.error, request.context.awsRequestId, log);
    },
  };
}

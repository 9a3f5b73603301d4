/** Success responses of the HTTP API. */
import type { ApiResult } from './api-event';

export const JSON_HEADERS = { 'content-type': 'application/json' } as const;

export function json(statusCode: number, body: unknown): ApiResult {
  return { statusCode, headers: { ...JSON_HEADERS }, body: JSON.stringify(body) };
}

export function noContent(): ApiResult {
  return { statusCode: 204 };
}

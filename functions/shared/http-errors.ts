/**
 * The API's error shape (api.md, "Errors") and the typed errors that handlers and middlewares
 * throw; the error middleware turns each into its status and JSON body.
 */
import * as z from 'zod';

export const ERROR_CODES = [
  'validation_error',
  'invalid_json',
  'unauthorized',
  'not_found',
  'payload_too_large',
  'unsupported_media_type',
  'quota_exceeded',
  'limit_exceeded',
  'internal_error',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export const fieldErrorSchema = z.strictObject({ path: z.string(), message: z.string() });

/** Every error response body. */
export const errorBodySchema = z.strictObject({
  error: z.strictObject({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    details: z.array(fieldErrorSchema).optional(),
  }),
});

export type ErrorBody = z.infer<typeof errorBodySchema>;

/** An error with its HTTP status and api.md code; its message is safe to show to the caller. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = () => new HttpError(404, 'not_found', 'no such rule');
export const unauthorized = () =>
  new HttpError(401, 'unauthorized', 'missing or unknown API key: send Authorization: Bearer <api key>');
export const payloadTooLarge = (limitBytes: number) =>
  new HttpError(413, 'payload_too_large', `body is larger than ${limitBytes / 1024} KiB`);
export const unsupportedMediaType = () =>
  new HttpError(415, 'unsupported_media_type', 'body must be JSON, sent with Content-Type: application/json');
export const invalidJson = (why: string) => new HttpError(400, 'invalid_json', why);
export const routeNotFound = () => new HttpError(404, 'not_found', 'no such route');

export function errorBody(code: ErrorCode, message: string, details?: ErrorBody['error']['details']): ErrorBody {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}

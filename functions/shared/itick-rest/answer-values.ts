/**
 * Reading the values of iTick's REST answers tolerantly, as the spec asks: numbers may come as
 * strings, times in seconds or milliseconds, and the answer's `code` is not trusted (REST uses 0
 * for success, the socket 1; sources differ) — whether `data` holds what was asked decides.
 */

export { readNumber, toEpochMs } from '../../../core/feed/feed-values';
export { withoutFloatNoise } from '../../../core/numbers';

/** The answer's `data`, and its `msg` for an error message. */
export function dataOf(body: unknown): { data: unknown; message: string | undefined } {
  if (typeof body !== 'object' || body === null) return { data: undefined, message: undefined };
  const { data, msg } = body as { data?: unknown; msg?: unknown };
  return { data, message: typeof msg === 'string' && msg !== '' ? msg : undefined };
}

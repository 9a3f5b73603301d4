/**
 * Reading the values of iTick's REST answers tolerantly, as the spec asks: numbers may come as
 * strings, times in seconds or milliseconds, and the answer's `code` is not trusted (REST uses 0
 * for success, the socket 1; sources differ) — whether `data` holds what was asked decides.
 */

/** A number from a number or a numeric string; NaN otherwise. */
export function readNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return Number.NaN;
}

/** Epoch ms from seconds or milliseconds (anything before 2001-09 in ms is taken as seconds). */
export const toMs = (t: number) => (t < 1e12 ? t * 1000 : t);

/** The answer's `data`, and its `msg` for an error message. */
export function dataOf(body: unknown): { data: unknown; message: string | undefined } {
  if (typeof body !== 'object' || body === null) return { data: undefined, message: undefined };
  const { data, msg } = body as { data?: unknown; msg?: unknown };
  return { data, message: typeof msg === 'string' && msg !== '' ? msg : undefined };
}

/** A float difference without its binary noise (`238.415 - 2.245` → 236.17, not 236.17000000000002). */
export const withoutFloatNoise = (value: number) => Number(value.toPrecision(12));

/**
 * Reading iTick's values tolerantly, the same way on the socket (ingest-task/src/feed-protocol.ts)
 * and in REST answers (functions/shared/itick-rest/): sources differ on whether numbers come as
 * numbers or strings, and on whether times are seconds or milliseconds. Nothing here throws.
 */

/**
 * A finite number, or a string holding one; `undefined` for anything else.
 * @example readNumber('238.415') // 238.415
 * @example readNumber('n/a') // undefined
 */
export function readNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

/** Epoch ms from seconds or milliseconds (anything before 2001-09 in ms is taken as seconds). */
export const toEpochMs = (t: number): number => (t < 1e12 ? t * 1000 : t);

/**
 * HTTP `Retry-After` (RFC 9110 §10.2.3): a number of seconds or an HTTP date. iTick's docs say
 * nothing about its 429s (test/fixtures/itick/README.md, "Limits"), so both forms are read, and
 * an absent or unreadable header falls back to a setting.
 */

/**
 * The time (epoch ms) a `Retry-After` value names, or undefined when it names none.
 * @example retryAfterTime('30', 1_000) // 31_000
 * @example retryAfterTime('Fri, 04 Dec 2026 15:01:00 GMT', Date.UTC(2026, 11, 4, 15)) // Date.UTC(2026, 11, 4, 15, 1)
 */
export function retryAfterTime(value: string | null | undefined, now: number): number | undefined {
  const text = value?.trim();
  if (text === undefined || text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return now + Math.ceil(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isFinite(date) ? Math.max(now, date) : undefined;
}

/** How long to pause after a 429: the header's time, else `fallbackMs`, never beyond `maxMs` from now. */
export function pauseUntil(value: string | null | undefined, now: number, fallbackMs: number, maxMs: number): number {
  const named = retryAfterTime(value, now) ?? now + fallbackMs;
  return Math.min(named, now + maxMs);
}

/**
 * Wall-clock arithmetic in a time zone: the offset from UTC at an instant, the local day of an
 * instant, and the instant of a local day's minute. Every calendar's hours are local times
 * (core/engine/sessions.ts); this is where they meet epoch milliseconds. Pure: zones come from
 * `Intl` (Node ships full ICU); offsets are remembered per zone and UTC hour in bounded maps.
 */

export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

/** Bound of every memo in the calendars: they hold pure answers, so clearing one changes speed, never results. */
export const MEMO_LIMIT = 20_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, Map<number, number>>();

/**
 * Offset of the zone's local time from UTC at `t` (ms; New York in winter: −5 h). Zones used
 * here change offset only on whole UTC hours, so it is computed once per hour and remembered.
 * @example utcOffsetMs('Asia/Kolkata', Date.UTC(2026, 0, 1)) // 19_800_000 (+5:30)
 */
export function utcOffsetMs(timeZone: string, t: number): number {
  if (timeZone === 'UTC') return 0;
  const hour = Math.floor(t / HOUR_MS);
  let byHour = offsets.get(timeZone);
  if (byHour === undefined) {
    byHour = new Map();
    offsets.set(timeZone, byHour);
  }
  const known = byHour.get(hour);
  if (known !== undefined) return known;
  let format = formatters.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  const at = hour * HOUR_MS;
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(new Date(at))) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  const local = Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  const offset = local - at;
  if (byHour.size >= MEMO_LIMIT) byHour.clear();
  byHour.set(hour, offset);
  return offset;
}

/** The local day of `t` in the zone, as days since 1970-01-01. */
export function localDayOf(timeZone: string, t: number): number {
  return Math.floor((t + utcOffsetMs(timeZone, t)) / DAY_MS);
}

/**
 * Epoch ms of minute `minute` of local day `day` (`minute` may be negative or past 1440: −420 is
 * 17:00 of the day before). Two steps: the offset at the guess decides, as it does away from a
 * DST switch.
 */
export function localTime(timeZone: string, day: number, minute: number): number {
  const local = day * DAY_MS + minute * MINUTE_MS;
  const guess = local - utcOffsetMs(timeZone, local);
  return local - utcOffsetMs(timeZone, guess);
}

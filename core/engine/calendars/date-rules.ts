/**
 * Date arithmetic that holiday rules are written in: n-th weekdays, Easter, weekend
 * observance. Dates are (year, month 1–12, day) on the proleptic Gregorian calendar, computed in
 * UTC so that no zone can shift them.
 */

export const iso = (y: number, m: number, d: number): string => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/** 0 = Sunday. */
export const weekdayOf = (y: number, m: number, d: number): number => new Date(Date.UTC(y, m - 1, d)).getUTCDay();

/** The date `days` after (y, m, d) as `YYYY-MM-DD` (negative: before). */
export function isoPlus(y: number, m: number, d: number, days: number): string {
  const date = new Date(Date.UTC(y, m - 1, d + days));
  return iso(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
}

/** Day of month of the n-th `weekday` (0 = Sunday) of a month. */
export function nthWeekday(y: number, m: number, weekday: number, n: number): number {
  return 1 + ((weekday - weekdayOf(y, m, 1) + 7) % 7) + (n - 1) * 7;
}

/** Day of month of the last `weekday` of a month. */
export function lastWeekday(y: number, m: number, weekday: number): number {
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return last - ((weekdayOf(y, m, last) - weekday + 7) % 7);
}

/** Easter Sunday (anonymous Gregorian algorithm): [month, day]. */
export function easterSunday(y: number): [number, number] {
  const a = y % 19;
  const b = Math.floor(y / 100);
  const c = y % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return [month, day];
}

/** Good Friday and Easter Monday of a year, as `YYYY-MM-DD`. */
export function easterDays(y: number): { goodFriday: string; easterMonday: string } {
  const [m, d] = easterSunday(y);
  return { goodFriday: isoPlus(y, m, d, -2), easterMonday: isoPlus(y, m, d, 1) };
}

/** A fixed-date holiday on a weekend is observed on the Friday before (Saturday) or the Monday after (Sunday): the US rule. */
export function observedNearest(y: number, m: number, d: number): string {
  const weekday = weekdayOf(y, m, d);
  return isoPlus(y, m, d, weekday === 6 ? -1 : weekday === 0 ? 1 : 0);
}

/** A fixed-date holiday on a weekend is observed on the Monday after: the UK (and Canadian) rule. */
export function observedMonday(y: number, m: number, d: number): string {
  const weekday = weekdayOf(y, m, d);
  return isoPlus(y, m, d, weekday === 6 ? 2 : weekday === 0 ? 1 : 0);
}

/** A year's memo of a rule that lists days as `YYYY-MM-DD`. */
export function byYear(rule: (y: number) => ReadonlySet<string>): (y: number) => ReadonlySet<string> {
  const memo = new Map<number, ReadonlySet<string>>();
  return (y) => {
    let days = memo.get(y);
    if (days === undefined) {
      days = rule(y);
      if (memo.size >= 500) memo.clear();
      memo.set(y, days);
    }
    return days;
  };
}

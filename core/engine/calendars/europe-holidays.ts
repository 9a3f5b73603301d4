/**
 * Days off and early closes of the European exchanges whose rules are fixed dates and Easter, so
 * that they can be computed: the London Stock Exchange (England and Wales bank holidays), Xetra /
 * Frankfurt, and Euronext (Paris, Amsterdam, Brussels, Lisbon share one calendar). Exchange
 * holidays, not public ones: Xetra trades on Whit Monday and German Unity Day but closes on
 * 24 and 31 December; Euronext trades on Ascension Day and 14 July.
 */
import type { DayKind } from './calendar-table';
import { byYear, easterDays, iso, lastWeekday, nthWeekday, observedMonday, weekdayOf } from './date-rules';

/** Bank holidays moved by proclamation (VE Day 1995/2020, jubilees) and one-off ones (royal events): not computable, so listed. */
const UK_MOVED_EARLY_MAY: Readonly<Record<number, string>> = { 1995: '1995-05-08', 2020: '2020-05-08' };
const UK_MOVED_SPRING: Readonly<Record<number, string>> = { 2002: '2002-06-04', 2012: '2012-06-04', 2022: '2022-06-02' };
const UK_SPECIAL = ['1999-12-31', '2002-06-03', '2011-04-29', '2012-06-05', '2022-06-03', '2022-09-19', '2023-05-08'];

/**
 * LSE full-day closures: New Year's Day, Good Friday, Easter Monday, the early May bank holiday
 * (first Monday), the spring bank holiday (last Monday of May), the summer bank holiday (last
 * Monday of August), Christmas Day and Boxing Day; a weekend holiday is observed on the next
 * weekday that is not one; moved and one-off bank holidays listed by hand.
 */
export const lseHolidays = byYear((y) => {
  const { goodFriday, easterMonday } = easterDays(y);
  const days = new Set<string>([observedMonday(y, 1, 1), goodFriday, easterMonday]);
  days.add(UK_MOVED_EARLY_MAY[y] ?? iso(y, 5, nthWeekday(y, 5, 1, 1)));
  days.add(UK_MOVED_SPRING[y] ?? iso(y, 5, lastWeekday(y, 5, 1)));
  days.add(iso(y, 8, lastWeekday(y, 8, 1)));
  const christmas = weekdayOf(y, 12, 25);
  if (christmas === 6) days.add(iso(y, 12, 27)).add(iso(y, 12, 28));
  else if (christmas === 0) days.add(iso(y, 12, 26)).add(iso(y, 12, 27));
  else days.add(iso(y, 12, 25)).add(observedMonday(y, 12, 26));
  for (const special of UK_SPECIAL) if (special.startsWith(`${y}-`)) days.add(special);
  return days;
});

/** LSE half days (close 12:30): 24 and 31 December when they are weekdays and not closed. */
export function lseDay(y: number, m: number, d: number): DayKind {
  if (lseHolidays(y).has(iso(y, m, d))) return 'closed';
  return m === 12 && (d === 24 || d === 31) ? 'early' : 'open';
}

/** Xetra / Frankfurt closures: New Year's Day, Good Friday, Easter Monday, Labour Day, 24, 25, 26 and 31 December. */
export const xetraHolidays = byYear((y) => {
  const { goodFriday, easterMonday } = easterDays(y);
  return new Set([iso(y, 1, 1), goodFriday, easterMonday, iso(y, 5, 1), iso(y, 12, 24), iso(y, 12, 25), iso(y, 12, 26), iso(y, 12, 31)]);
});

export function xetraDay(y: number, m: number, d: number): DayKind {
  return xetraHolidays(y).has(iso(y, m, d)) ? 'closed' : 'open';
}

/** Euronext closures: New Year's Day, Good Friday, Easter Monday, Labour Day, Christmas Day and Boxing Day. */
export const euronextHolidays = byYear((y) => {
  const { goodFriday, easterMonday } = easterDays(y);
  return new Set([iso(y, 1, 1), goodFriday, easterMonday, iso(y, 5, 1), iso(y, 12, 25), iso(y, 12, 26)]);
});

/** Euronext early closes (14:05 after a 14:00–14:05 closing auction): 24 and 31 December. */
export function euronextDay(y: number, m: number, d: number): DayKind {
  if (euronextHolidays(y).has(iso(y, m, d))) return 'closed';
  return m === 12 && (d === 24 || d === 31) ? 'early' : 'open';
}

/**
 * The NYSE's days off and early closes, computed by its rules (NYSE Rule 7.2), with the
 * unscheduled closures listed by hand. The US stock calendar (exchange-calendars.ts) asks
 * {@link nyseDay}.
 */
import type { DayKind } from './calendar-table';
import { byYear, easterDays, iso, nthWeekday, lastWeekday, observedNearest, weekdayOf } from './date-rules';

/** Unscheduled closures (national days of mourning, storms): not computable, so listed. */
const NYSE_SPECIAL_CLOSURES = ['2012-10-29', '2012-10-30', '2018-12-05', '2025-01-09'];

/**
 * NYSE full-day holidays of a year, as `YYYY-MM-DD`: New Year's Day, Martin Luther King Jr. Day,
 * Washington's Birthday, Good Friday, Memorial Day, Juneteenth (from 2022), Independence Day,
 * Labor Day, Thanksgiving, Christmas, with weekend observance — except that a New Year's Day on
 * a Saturday is not observed (NYSE rule 7.2: the Friday before is the end of a business year).
 */
export const nyseHolidays = byYear((y) => {
  const days = new Set<string>();
  if (weekdayOf(y, 1, 1) !== 6) days.add(observedNearest(y, 1, 1));
  if (y >= 1998) days.add(iso(y, 1, nthWeekday(y, 1, 1, 3)));
  days.add(iso(y, 2, nthWeekday(y, 2, 1, 3)));
  days.add(easterDays(y).goodFriday);
  days.add(iso(y, 5, lastWeekday(y, 5, 1)));
  if (y >= 2022) days.add(observedNearest(y, 6, 19));
  days.add(observedNearest(y, 7, 4));
  days.add(iso(y, 9, nthWeekday(y, 9, 1, 1)));
  days.add(iso(y, 11, nthWeekday(y, 11, 4, 4)));
  days.add(observedNearest(y, 12, 25));
  for (const special of NYSE_SPECIAL_CLOSURES) if (special.startsWith(`${y}-`)) days.add(special);
  return days;
});

/**
 * NYSE early closes (13:00): the day before Independence Day and Christmas Eve when they fall
 * Monday to Thursday, and the day after Thanksgiving.
 */
export const nyseEarlyCloses = byYear((y) => {
  const days = new Set<string>();
  const july3 = weekdayOf(y, 7, 3);
  if (july3 >= 1 && july3 <= 4) days.add(iso(y, 7, 3));
  days.add(iso(y, 11, nthWeekday(y, 11, 4, 4) + 1));
  const christmasEve = weekdayOf(y, 12, 24);
  if (christmasEve >= 1 && christmasEve <= 4) days.add(iso(y, 12, 24));
  return days;
});

export function nyseDay(y: number, m: number, d: number): DayKind {
  const date = iso(y, m, d);
  if (nyseHolidays(y).has(date)) return 'closed';
  return nyseEarlyCloses(y).has(date) ? 'early' : 'open';
}

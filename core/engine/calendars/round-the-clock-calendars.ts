/**
 * Calendars of the markets that trade around the clock, whatever the symbol's region: crypto
 * (every minute of every day, days in UTC), forex (24/5: Sunday 17:00 to Friday 17:00 New York,
 * the trading day rolling at 17:00 New York, when the interbank value date changes) and US
 * futures on CME Globex (Sunday 18:00 to Friday 17:00 New York with the daily 17:00–18:00
 * maintenance break; the day rolls at 17:00 too). Regular and extended are the same hours:
 * these markets have no pre- or post-market.
 */
import { EVERY_DAY, everyWeekdayOpen, hm, MONDAY_TO_FRIDAY, type CalendarTable } from './calendar-table';

/** 17:00 the evening before. */
const ROLL_AT_17 = hm(17) - hm(24);

export const CRYPTO_CALENDAR: CalendarTable = {
  timeZone: 'UTC',
  dayStart: 0,
  weekdays: EVERY_DAY,
  regular: [[0, hm(24)]],
  extended: [[0, hm(24)]],
  dayKind: everyWeekdayOpen,
  // It never closes: an open session always means trades should arrive.
  holidaysKnown: true,
};

export const FOREX_CALENDAR: CalendarTable = {
  timeZone: 'America/New_York',
  dayStart: ROLL_AT_17,
  weekdays: MONDAY_TO_FRIDAY,
  regular: [[ROLL_AT_17, hm(17)]],
  extended: [[ROLL_AT_17, hm(17)]],
  dayKind: everyWeekdayOpen,
  // Interbank forex has no exchange holidays (Christmas and New Year's Day are thin, not closed).
  holidaysKnown: true,
};

export const CME_GLOBEX_CALENDAR: CalendarTable = {
  timeZone: 'America/New_York',
  dayStart: ROLL_AT_17,
  weekdays: MONDAY_TO_FRIDAY,
  regular: [[hm(18) - hm(24), hm(17)]],
  extended: [[hm(18) - hm(24), hm(17)]],
  dayKind: everyWeekdayOpen,
  // CME's holiday schedules (early halts that differ by product) are not computed.
  holidaysKnown: false,
};

/**
 * What a trading calendar is, as data: its clock (zone and the minute its trading day begins),
 * the weekdays it trades, the local hours of its regular and extended sessions, and what kind of
 * day a date is (a holiday, an early close). Every family — exchanges, forex, crypto, futures — is
 * one of these tables (exchange-calendars.ts, round-the-clock-calendars.ts); sessions.ts turns a
 * table into epoch-ms windows.
 */

/** Minutes of the trading day's date, [from, to), counted from its local midnight (negative: the evening before). */
export type Hours = ReadonlyArray<readonly [number, number]>;

export type DayKind = 'open' | 'early' | 'closed';

export interface CalendarTable {
  /** IANA zone of the calendar's clock. */
  timeZone: string;
  /**
   * Minute of its date at which a trading day begins: 0 (midnight) for exchanges, −420 for a day
   * that rolls at 17:00 the evening before (forex, CME Globex). Daily bars and the previous close
   * of `any` follow it too.
   */
  dayStart: number;
  /** Weekdays (0 = Sunday) of the trading day's date on which it trades. */
  weekdays: readonly number[];
  regular: Hours;
  extended: Hours;
  /** Hours on early-close days. */
  earlyRegular?: Hours;
  earlyExtended?: Hours;
  /** What kind of day a trading weekday is (year, month 1–12, day). */
  dayKind: (year: number, month: number, day: number) => DayKind;
  /**
   * Whether `dayKind` knows every day it does not trade: then an open session means trades
   * should arrive (what the stale-feed alarm counts on).
   */
  holidaysKnown: boolean;
}

/** Minute of the day of a local clock time. */
export const hm = (hours: number, minutes = 0): number => hours * 60 + minutes;

export const MONDAY_TO_FRIDAY: readonly number[] = [1, 2, 3, 4, 5];
export const EVERY_DAY: readonly number[] = [0, 1, 2, 3, 4, 5, 6];

/** A calendar whose holidays are not known here: every trading weekday is open. */
export const everyWeekdayOpen = (): DayKind => 'open';

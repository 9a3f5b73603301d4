/**
 * Stock exchanges' calendars by iTick region (stocks, funds and indices of the region follow
 * them): local regular and extended hours, lunch breaks, and holidays where they are computed.
 * The table in core/engine/sessions.ts's header and in docs/rules.md ("Sessions") says the same;
 * keep the three together.
 *
 * Extended hours are the exchange's own auctions and after-hours sessions (where trades print
 * outside the regular session), not a broker's: US pre- and post-market, HK's pre-opening and
 * closing auctions, the closing auctions of London, Xetra and Euronext, Taiwan's and Korea's
 * after-hours sessions. Tokyo has none, so its extended session is its regular one.
 */
import { everyWeekdayOpen, hm, MONDAY_TO_FRIDAY, type CalendarTable } from './calendar-table';
import { euronextDay, lseDay, xetraDay } from './europe-holidays';
import { nyseDay } from './nyse-holidays';

/** A weekday exchange whose holidays are not known here. */
function weekdays(timeZone: string, regular: CalendarTable['regular'], extended: CalendarTable['extended']): CalendarTable {
  return { timeZone, dayStart: 0, weekdays: MONDAY_TO_FRIDAY, regular, extended, dayKind: everyWeekdayOpen, holidaysKnown: false };
}

const CHINA_A_SHARES = weekdays(
  'Asia/Shanghai',
  [
    [hm(9, 30), hm(11, 30)],
    [hm(13), hm(15)],
  ],
  [
    [hm(9, 15), hm(11, 30)],
    [hm(13), hm(15)],
  ],
);

const EURONEXT: CalendarTable = {
  timeZone: 'Europe/Paris',
  dayStart: 0,
  weekdays: MONDAY_TO_FRIDAY,
  regular: [[hm(9), hm(17, 30)]],
  extended: [[hm(9), hm(17, 40)]],
  earlyRegular: [[hm(9), hm(14)]],
  earlyExtended: [[hm(9), hm(14, 10)]],
  dayKind: euronextDay,
  holidaysKnown: true,
};

export const EXCHANGE_CALENDARS: Readonly<Record<string, CalendarTable>> = {
  US: {
    timeZone: 'America/New_York',
    dayStart: 0,
    weekdays: MONDAY_TO_FRIDAY,
    regular: [[hm(9, 30), hm(16)]],
    extended: [[hm(4), hm(20)]],
    earlyRegular: [[hm(9, 30), hm(13)]],
    earlyExtended: [[hm(4), hm(17)]],
    dayKind: nyseDay,
    holidaysKnown: true,
  },
  HK: weekdays(
    'Asia/Hong_Kong',
    [
      [hm(9, 30), hm(12)],
      [hm(13), hm(16)],
    ],
    [
      [hm(9), hm(12)],
      [hm(13), hm(16, 10)],
    ],
  ),
  SH: CHINA_A_SHARES,
  SZ: CHINA_A_SHARES,
  SG: weekdays(
    'Asia/Singapore',
    [
      [hm(9), hm(12)],
      [hm(13), hm(17)],
    ],
    [
      [hm(8, 30), hm(12)],
      [hm(13), hm(17, 16)],
    ],
  ),
  JP: weekdays(
    'Asia/Tokyo',
    [
      [hm(9), hm(11, 30)],
      [hm(12, 30), hm(15, 30)],
    ],
    [
      [hm(9), hm(11, 30)],
      [hm(12, 30), hm(15, 30)],
    ],
  ),
  GB: {
    timeZone: 'Europe/London',
    dayStart: 0,
    weekdays: MONDAY_TO_FRIDAY,
    regular: [[hm(8), hm(16, 30)]],
    extended: [[hm(8), hm(16, 40)]],
    earlyRegular: [[hm(8), hm(12, 30)]],
    earlyExtended: [[hm(8), hm(12, 40)]],
    dayKind: lseDay,
    holidaysKnown: true,
  },
  DE: {
    timeZone: 'Europe/Berlin',
    dayStart: 0,
    weekdays: MONDAY_TO_FRIDAY,
    regular: [[hm(9), hm(17, 30)]],
    extended: [[hm(9), hm(17, 40)]],
    dayKind: xetraDay,
    holidaysKnown: true,
  },
  FR: EURONEXT,
  NL: { ...EURONEXT, timeZone: 'Europe/Amsterdam' },
  IN: weekdays('Asia/Kolkata', [[hm(9, 15), hm(15, 30)]], [[hm(9), hm(16)]]),
  NG: weekdays('Africa/Lagos', [[hm(10), hm(14, 30)]], [[hm(9, 30), hm(14, 30)]]),
  TW: weekdays('Asia/Taipei', [[hm(9), hm(13, 30)]], [[hm(8, 30), hm(14, 30)]]),
  KR: weekdays('Asia/Seoul', [[hm(9), hm(15, 30)]], [[hm(8, 30), hm(18)]]),
  AU: weekdays('Australia/Sydney', [[hm(10), hm(16)]], [[hm(10), hm(16, 12)]]),
  CA: weekdays('America/Toronto', [[hm(9, 30), hm(16)]], [[hm(9, 30), hm(17)]]),
};

/** Zones of regions without a session table: their `any` bars still follow the local clock. */
export const REGION_TIME_ZONES: Readonly<Record<string, string>> = {
  CH: 'Europe/Zurich',
  IT: 'Europe/Rome',
  ES: 'Europe/Madrid',
  BR: 'America/Sao_Paulo',
  MX: 'America/Mexico_City',
  MY: 'Asia/Kuala_Lumpur',
  TH: 'Asia/Bangkok',
  ID: 'Asia/Jakarta',
  VN: 'Asia/Ho_Chi_Minh',
  PH: 'Asia/Manila',
  ZA: 'Africa/Johannesburg',
  NZ: 'Pacific/Auckland',
};

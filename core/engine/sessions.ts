/**
 * Trading sessions by calendar: which calendar a symbol follows, when its regular and extended
 * sessions run on a trading day, where its trading day begins (the boundary of daily bars and of
 * the previous close), and whether it surely trades now. Pure: zones come from `Intl` (Node ships
 * full ICU), holidays are computed by rule (calendars/*), nothing is fetched.
 *
 * A symbol's calendar (`calendarOf`) comes from its market first, then its region: crypto and
 * forex ignore the region, US futures follow CME Globex, and stocks, funds and indices (and
 * futures elsewhere) their region's exchange. Local times:
 *
 * | calendar (symbols) | zone | regular | extended | trading day, days off |
 * |---|---|---|---|---|
 * | `crypto` (every `crypto:` symbol) | UTC | always | always | 00:00–24:00 UTC, every day; no days off |
 * | `forex` (every `forex:` symbol) | America/New_York | Sun 17:00 – Fri 17:00 | the same | rolls at 17:00 New York (Monday's day is Sun 17:00 – Mon 17:00); no holidays |
 * | `cme` (`future:…$US`) | America/New_York | Sun 18:00 – Fri 17:00, daily break 17:00–18:00 | the same | rolls at 17:00 New York; CME holiday schedules not computed |
 * | US | America/New_York | 09:30–16:00 (13:00 on early-close days) | 04:00–20:00 (17:00) | NYSE holidays and early closes computed |
 * | HK | Asia/Hong_Kong | 09:30–12:00, 13:00–16:00 | 09:00–12:00, 13:00–16:10 (auctions) | weekends only (holidays not computed) |
 * | SH, SZ | Asia/Shanghai | 09:30–11:30, 13:00–15:00 | 09:15–11:30, 13:00–15:00 (call auction) | weekends only |
 * | SG | Asia/Singapore | 09:00–12:00, 13:00–17:00 | 08:30–12:00, 13:00–17:16 (pre-open, closing routine, trade at close) | weekends only |
 * | JP | Asia/Tokyo | 09:00–11:30, 12:30–15:30 | the same (TSE has no extended session) | weekends only |
 * | GB | Europe/London | 08:00–16:30 (12:30 on 24 and 31 Dec) | 08:00–16:40 (closing auction) | LSE holidays and half days computed |
 * | DE | Europe/Berlin | 09:00–17:30 (Xetra) | 09:00–17:40 (closing auction) | Xetra holidays computed |
 * | FR, NL | Europe/Paris, Europe/Amsterdam | 09:00–17:30 (14:00 on 24 and 31 Dec) | 09:00–17:40 (closing auction, trading at last) | Euronext holidays and early closes computed |
 * | IN | Asia/Kolkata | 09:15–15:30 | 09:00–16:00 (pre-open, closing session) | weekends only |
 * | NG | Africa/Lagos | 10:00–14:30 | 09:30–14:30 (pre-open) | weekends only |
 * | TW | Asia/Taipei | 09:00–13:30 | 08:30–14:30 (after-hours fixed price) | weekends only |
 * | KR | Asia/Seoul | 09:00–15:30 | 08:30–18:00 (off-hours sessions) | weekends only |
 * | AU | Australia/Sydney | 10:00–16:00 | 10:00–16:12 (closing auction) | weekends only |
 * | CA | America/Toronto | 09:30–16:00 | 09:30–17:00 (post-market crossing) | weekends only |
 *
 * Other regions have no session table: `regular` and `extended` fall back to `any` there (the
 * rule schema refuses neither, the docs say so), and their bars follow the local clock where the
 * zone is known (REGION_TIME_ZONES), UTC otherwise. `any` is the whole trading day, every day.
 *
 * Holidays that are not computed (lunar and gazetted ones: HK, China, Singapore, Japan, India …)
 * cost the bars nothing — no trades arrive on them, so no bars form — but such calendars are left
 * out of {@link countInRegularSession}, which must not expect trades on a day off. No npm package
 * keeps exchange (rather than public) holidays for these markets; see docs/rules.md.
 *
 * Results are memoised in bounded module-level maps: they are pure functions of their arguments,
 * so the cache changes speed, never answers.
 */
import type { SessionKind } from '../rule-model';
import { splitSymbol } from '../rule-model/symbol';
import type { CalendarTable } from './calendars/calendar-table';
import { DAY_MS, localTime, MEMO_LIMIT, MINUTE_MS, utcOffsetMs } from './calendars/clock';
import { EXCHANGE_CALENDARS, REGION_TIME_ZONES } from './calendars/exchange-calendars';
import { CME_GLOBEX_CALENDAR, CRYPTO_CALENDAR, FOREX_CALENDAR } from './calendars/round-the-clock-calendars';

export { localDayOf, localTime, utcOffsetMs } from './calendars/clock';
export { easterSunday } from './calendars/date-rules';
export { euronextHolidays, lseHolidays, xetraHolidays } from './calendars/europe-holidays';
export { nyseEarlyCloses, nyseHolidays } from './calendars/nyse-holidays';

/** Calendars that are not a region's exchange. Lower case, so that none can be taken for a region (`US`, `HK`). */
export const CRYPTO = 'crypto';
export const FOREX = 'forex';
export const CME_GLOBEX = 'cme';

const MARKET_CALENDARS: Readonly<Record<string, CalendarTable>> = { [CRYPTO]: CRYPTO_CALENDAR, [FOREX]: FOREX_CALENDAR, [CME_GLOBEX]: CME_GLOBEX_CALENDAR };

const tableOf = (calendar: string): CalendarTable | undefined => MARKET_CALENDARS[calendar] ?? EXCHANGE_CALENDARS[calendar];

const calendarMemo = new Map<string, string>();

/**
 * The calendar a symbol trades on: `crypto`, `forex`, `cme` (US futures), else its region (the
 * exchange's calendar, or a region without a table). Remembered per symbol: the index asks per
 * rule, the reference engine and the warm-up per symbol and batch.
 * @example calendarOf('crypto:BTCUSDT$BA') // 'crypto'
 * @example calendarOf('future:GC$US') // 'cme'
 * @example calendarOf('indices:DJI$US') // 'US'
 */
export function calendarOf(symbol: string): string {
  const known = calendarMemo.get(symbol);
  if (known !== undefined) return known;
  const { market, region } = splitSymbol(symbol);
  const calendar = market === 'crypto' ? CRYPTO : market === 'forex' ? FOREX : market === 'future' && region === 'US' ? CME_GLOBEX : region;
  if (calendarMemo.size >= MEMO_LIMIT) calendarMemo.clear();
  calendarMemo.set(symbol, calendar);
  return calendar;
}

/** Does the calendar have a session table (so that `regular` and `extended` mean something there)? */
export function hasSessions(calendar: string): boolean {
  return tableOf(calendar) !== undefined;
}

/** The session a condition follows: its own, else `regular` where known; `any` where the calendar has no table. */
export function resolveSession(session: SessionKind | undefined, calendar: string): SessionKind {
  if (!hasSessions(calendar)) return 'any';
  return session ?? 'regular';
}

/** The region of a symbol (`AAPL$US` → `US`, `RELIANCE$NSE$IN` → `IN`, `crypto:BTCUSDT$BA` → `BA`). */
export function regionOf(symbol: string): string {
  return symbol.slice(symbol.lastIndexOf('$') + 1);
}

export interface CalendarClock {
  timeZone: string;
  /** Where the trading day begins, in ms from its date's local midnight (forex: −7 h, 17:00 the evening before). */
  dayStartMs: number;
}

const clocks = new Map<string, CalendarClock>();
// The engine works symbol by symbol, so the last calendar asked is nearly always the next one.
let lastCalendar = '';
let lastClock: CalendarClock = { timeZone: 'UTC', dayStartMs: 0 };

/** A calendar's zone and day start, looked up once per calendar (bars ask at every new bar). */
export function clockOf(calendar: string): CalendarClock {
  if (calendar === lastCalendar) return lastClock;
  let clock = clocks.get(calendar);
  if (clock === undefined) {
    const table = tableOf(calendar);
    clock = { timeZone: table?.timeZone ?? REGION_TIME_ZONES[calendar] ?? 'UTC', dayStartMs: (table?.dayStart ?? 0) * MINUTE_MS };
    if (clocks.size >= MEMO_LIMIT) clocks.clear();
    clocks.set(calendar, clock);
  }
  lastCalendar = calendar;
  lastClock = clock;
  return clock;
}

export function timeZoneOf(calendar: string): string {
  return clockOf(calendar).timeZone;
}

/**
 * The trading day that `t` falls in, as days since 1970-01-01 of its date: the local day for an
 * exchange; for forex and CME Globex the day that begins at 17:00 New York the evening before
 * (Friday 18:00 New York is in Saturday's day, which has no session).
 */
export function tradingDayOf(calendar: string, t: number): number {
  return tradingDayOn(clockOf(calendar), t);
}

/** {@link tradingDayOf} with the calendar's clock already at hand. */
export function tradingDayOn(clock: CalendarClock, t: number): number {
  return Math.floor((t + utcOffsetMs(clock.timeZone, t) - clock.dayStartMs) / DAY_MS);
}

const windowsMemo = new Map<string, ReadonlyArray<readonly [number, number]>>();

/**
 * The session's windows on a trading day, as epoch-ms intervals [from, to), earliest first; none
 * when the market is closed. `any` is the whole trading day, every day.
 */
export function sessionWindows(calendar: string, session: SessionKind, day: number): ReadonlyArray<readonly [number, number]> {
  const key = `${calendar}|${session}|${day}`;
  const known = windowsMemo.get(key);
  if (known !== undefined) return known;
  const windows = computeWindows(calendar, session, day);
  if (windowsMemo.size >= MEMO_LIMIT) windowsMemo.clear();
  windowsMemo.set(key, windows);
  return windows;
}

/**
 * Is the calendar's market in `session` at `at`? Calendars without a session table are open in
 * `any` terms (always); ask {@link hasSessions} first where that matters.
 * @example isSessionOpen('US', 'regular', Date.UTC(2026, 6, 3, 15)) // false: Independence Day observed
 * @example isSessionOpen('forex', 'regular', Date.UTC(2026, 2, 8, 12)) // false: Sunday before 17:00 New York
 */
export function isSessionOpen(calendar: string, session: SessionKind, at: number): boolean {
  return sessionWindows(calendar, session, tradingDayOf(calendar, at)).some(([from, to]) => at >= from && at < to);
}

/**
 * How many of `symbols` surely trade at `at`: their calendar knows its days off and its regular
 * session is open — crypto always, forex in its 24/5 window, US, GB, DE, FR and NL stocks in their
 * hours. What the no-ticks alarm waits for: a calendar whose holidays are not known (HK, SH, SZ,
 * JP …, CME) would raise it on every one of them.
 * @example countInRegularSession(['AAPL$US', '700$HK', 'crypto:BTCUSDT$BA'], Date.UTC(2026, 2, 9, 15)) // 2
 */
export function countInRegularSession(symbols: Iterable<string>, at: number): number {
  const openByCalendar = new Map<string, boolean>();
  let count = 0;
  for (const symbol of symbols) {
    const calendar = calendarOf(symbol);
    let open = openByCalendar.get(calendar);
    if (open === undefined) openByCalendar.set(calendar, (open = tableOf(calendar)?.holidaysKnown === true && isSessionOpen(calendar, 'regular', at)));
    if (open) count += 1;
  }
  return count;
}

function computeWindows(calendar: string, session: SessionKind, day: number): ReadonlyArray<readonly [number, number]> {
  const timeZone = timeZoneOf(calendar);
  const table = tableOf(calendar);
  const start = table?.dayStart ?? 0;
  if (session === 'any' || table === undefined) return [[localTime(timeZone, day, start), localTime(timeZone, day + 1, start)]];
  const date = new Date(day * DAY_MS);
  if (!table.weekdays.includes(date.getUTCDay())) return [];
  const kind = table.dayKind(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
  if (kind === 'closed') return [];
  const hours =
    kind === 'early'
      ? ((session === 'regular' ? table.earlyRegular : table.earlyExtended) ?? table[session])
      : table[session];
  return hours.map(([from, to]) => [localTime(timeZone, day, from), localTime(timeZone, day, to)] as const);
}

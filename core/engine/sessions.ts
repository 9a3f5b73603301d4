/**
 * Trading sessions per region, in the exchange's own time zone: when the regular and the extended
 * session of a day run, which days the exchange is closed, and the local clock that bars align
 * to. Pure: time zones come from `Intl` (Node ships full ICU), holidays are computed by rule.
 *
 * | region | zone | regular | extended | days off |
 * |---|---|---|---|---|
 * | US | America/New_York | 09:30–16:00 (13:00 on early-close days) | 04:00–20:00 (17:00) | weekends, NYSE holidays (computed) |
 * | HK | Asia/Hong_Kong | 09:30–12:00, 13:00–16:00 | 09:00–12:00, 13:00–16:10 (auctions) | weekends |
 * | SH, SZ | Asia/Shanghai | 09:30–11:30, 13:00–15:00 | 09:15–11:30, 13:00–15:00 (auctions) | weekends |
 *
 * HK and mainland holidays follow the lunar calendar and government notices and are not
 * computed: no trades arrive on them, so no bars form, which is all the engine needs. Other
 * regions have no session table: `regular` and `extended` fall back to `any` there (the rule
 * schema refuses neither, the docs say so), and their bars still align to the local clock when
 * the zone is known.
 *
 * Results are memoised in bounded module-level maps: they are pure functions of their arguments,
 * so the cache changes speed, never answers.
 */
import type { SessionKind } from '../rule-model';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Minutes of the local day, [from, to). */
type Hours = ReadonlyArray<readonly [number, number]>;

type DayKind = 'open' | 'early' | 'closed';

interface RegionSessions {
  timeZone: string;
  regular: Hours;
  extended: Hours;
  /** Hours on early-close days (US only). */
  earlyRegular?: Hours;
  earlyExtended?: Hours;
  /** What kind of day a weekday is (weekends are always closed). */
  dayKind: (year: number, month: number, day: number) => DayKind;
  /** Whether `dayKind` knows the exchange's holidays (else every weekday is a trading day). */
  holidays: boolean;
}

const hm = (h: number, m = 0) => h * 60 + m;
const weekdaysOnly = (): DayKind => 'open';

const REGIONS: Readonly<Record<string, RegionSessions>> = {
  US: {
    timeZone: 'America/New_York',
    regular: [[hm(9, 30), hm(16)]],
    extended: [[hm(4), hm(20)]],
    earlyRegular: [[hm(9, 30), hm(13)]],
    earlyExtended: [[hm(4), hm(17)]],
    dayKind: nyseDay,
    holidays: true,
  },
  HK: {
    timeZone: 'Asia/Hong_Kong',
    regular: [
      [hm(9, 30), hm(12)],
      [hm(13), hm(16)],
    ],
    extended: [
      [hm(9), hm(12)],
      [hm(13), hm(16, 10)],
    ],
    dayKind: weekdaysOnly,
    holidays: false,
  },
  SH: {
    timeZone: 'Asia/Shanghai',
    regular: [
      [hm(9, 30), hm(11, 30)],
      [hm(13), hm(15)],
    ],
    extended: [
      [hm(9, 15), hm(11, 30)],
      [hm(13), hm(15)],
    ],
    dayKind: weekdaysOnly,
    holidays: false,
  },
};

/** Zones of regions without a session table: their bars still follow the local clock. */
const TIME_ZONES: Readonly<Record<string, string>> = {
  SG: 'Asia/Singapore',
  JP: 'Asia/Tokyo',
  GB: 'Europe/London',
  DE: 'Europe/Berlin',
  IN: 'Asia/Kolkata',
  NG: 'Africa/Lagos',
};

const sessionsOf = (region: string): RegionSessions | undefined => (region === 'SZ' ? REGIONS.SH : REGIONS[region]);

/** Does the region have a session table (so that `regular` and `extended` mean something there)? */
export function hasSessions(region: string): boolean {
  return sessionsOf(region) !== undefined;
}

/** The session a condition follows: its own, else `regular` where known; `any` where the region has no table. */
export function resolveSession(session: SessionKind | undefined, region: string): SessionKind {
  if (!hasSessions(region)) return 'any';
  return session ?? 'regular';
}

/** The region of a symbol (`AAPL$US` → `US`, `RELIANCE$NSE$IN` → `IN`). */
export function regionOf(symbol: string): string {
  return symbol.slice(symbol.lastIndexOf('$') + 1);
}

export function timeZoneOf(region: string): string {
  return sessionsOf(region)?.timeZone ?? TIME_ZONES[region] ?? 'UTC';
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, Map<number, number>>();
const MEMO_LIMIT = 20_000;

/**
 * Offset of the zone's local time from UTC at `t` (ms; New York in winter: −5 h). Zones here
 * change offset only on whole UTC hours, so it is computed once per hour and remembered.
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

/** Epoch ms of minute `minute` of local day `day` (two steps: the offset at the guess decides, as it does away from a DST switch). */
export function localTime(timeZone: string, day: number, minute: number): number {
  const local = day * DAY_MS + minute * 60_000;
  const guess = local - utcOffsetMs(timeZone, local);
  return local - utcOffsetMs(timeZone, guess);
}

const windowsMemo = new Map<string, ReadonlyArray<readonly [number, number]>>();

/**
 * The session's windows on a local day, as epoch-ms intervals [from, to), earliest first; none
 * when the exchange is closed. `any` is the whole local day, every day.
 */
export function sessionWindows(region: string, session: SessionKind, day: number): ReadonlyArray<readonly [number, number]> {
  const key = `${region}|${session}|${day}`;
  const known = windowsMemo.get(key);
  if (known !== undefined) return known;
  const windows = computeWindows(region, session, day);
  if (windowsMemo.size >= MEMO_LIMIT) windowsMemo.clear();
  windowsMemo.set(key, windows);
  return windows;
}

/**
 * Is the region's exchange in `session` at `at`? Regions without a session table are open in
 * `any` terms (always); ask {@link hasSessions} first where that matters.
 * @example isSessionOpen('US', 'regular', Date.UTC(2026, 6, 3, 15)) // false: Independence Day observed
 */
export function isSessionOpen(region: string, session: SessionKind, at: number): boolean {
  const day = localDayOf(timeZoneOf(region), at);
  return sessionWindows(region, session, day).some(([from, to]) => at >= from && at < to);
}

/**
 * How many of `symbols` surely trade at `at`: their region's calendar knows its holidays (US) and
 * its regular session is open. What the no-ticks alarm waits for: a region whose holidays are not
 * known (HK, SH, SZ) would raise it on every one of them.
 * @example countInRegularSession(['AAPL$US', '700$HK', 'X$XX'], Date.UTC(2026, 2, 9, 15)) // 1
 */
export function countInRegularSession(symbols: Iterable<string>, at: number): number {
  const openByRegion = new Map<string, boolean>();
  let count = 0;
  for (const symbol of symbols) {
    const region = regionOf(symbol);
    let open = openByRegion.get(region);
    if (open === undefined) openByRegion.set(region, (open = sessionsOf(region)?.holidays === true && isSessionOpen(region, 'regular', at)));
    if (open) count += 1;
  }
  return count;
}

function computeWindows(region: string, session: SessionKind, day: number): ReadonlyArray<readonly [number, number]> {
  const timeZone = timeZoneOf(region);
  const table = sessionsOf(region);
  if (session === 'any' || table === undefined) return [[localTime(timeZone, day, 0), localTime(timeZone, day + 1, 0)]];
  const date = new Date(day * DAY_MS);
  const weekday = date.getUTCDay();
  if (weekday === 0 || weekday === 6) return [];
  const kind = table.dayKind(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
  if (kind === 'closed') return [];
  const hours =
    kind === 'early'
      ? ((session === 'regular' ? table.earlyRegular : table.earlyExtended) ?? table[session])
      : table[session];
  return hours.map(([from, to]) => [localTime(timeZone, day, from), localTime(timeZone, day, to)] as const);
}

// --- NYSE calendar -------------------------------------------------------------------------

/** Unscheduled closures (national days of mourning, storms): not computable, so listed. */
const NYSE_SPECIAL_CLOSURES = new Set(['2012-10-29', '2012-10-30', '2018-12-05', '2025-01-09']);

const iso = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
const weekdayOf = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d)).getUTCDay();

/** Day of month of the n-th `weekday` (0 = Sunday) of a month. */
function nthWeekday(y: number, m: number, weekday: number, n: number): number {
  return 1 + ((weekday - weekdayOf(y, m, 1) + 7) % 7) + (n - 1) * 7;
}

function lastWeekday(y: number, m: number, weekday: number): number {
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

/** A fixed-date holiday on a weekend is observed on the Friday before (Saturday) or the Monday after (Sunday). */
function observed(y: number, m: number, d: number): string {
  const weekday = weekdayOf(y, m, d);
  const shifted = new Date(Date.UTC(y, m - 1, d + (weekday === 6 ? -1 : weekday === 0 ? 1 : 0)));
  return iso(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate());
}

const holidayMemo = new Map<number, ReadonlySet<string>>();

/**
 * NYSE full-day holidays of a year, as `YYYY-MM-DD`: New Year's Day, Martin Luther King Jr. Day,
 * Washington's Birthday, Good Friday, Memorial Day, Juneteenth (from 2022), Independence Day,
 * Labor Day, Thanksgiving, Christmas, with weekend observance — except that a New Year's Day on
 * a Saturday is not observed (NYSE rule 7.2: the Friday before is the end of a business year).
 */
export function nyseHolidays(y: number): ReadonlySet<string> {
  const known = holidayMemo.get(y);
  if (known !== undefined) return known;
  const days = new Set<string>();
  if (weekdayOf(y, 1, 1) !== 6) days.add(observed(y, 1, 1));
  if (y >= 1998) days.add(iso(y, 1, nthWeekday(y, 1, 1, 3)));
  days.add(iso(y, 2, nthWeekday(y, 2, 1, 3)));
  const [em, ed] = easterSunday(y);
  const goodFriday = new Date(Date.UTC(y, em - 1, ed - 2));
  days.add(iso(y, goodFriday.getUTCMonth() + 1, goodFriday.getUTCDate()));
  days.add(iso(y, 5, lastWeekday(y, 5, 1)));
  if (y >= 2022) days.add(observed(y, 6, 19));
  days.add(observed(y, 7, 4));
  days.add(iso(y, 9, nthWeekday(y, 9, 1, 1)));
  days.add(iso(y, 11, nthWeekday(y, 11, 4, 4)));
  days.add(observed(y, 12, 25));
  for (const special of NYSE_SPECIAL_CLOSURES) if (special.startsWith(`${y}-`)) days.add(special);
  holidayMemo.set(y, days);
  return days;
}

/**
 * NYSE early closes (13:00): the day before Independence Day and Christmas Eve when they fall
 * Monday to Thursday, and the day after Thanksgiving.
 */
export function nyseEarlyCloses(y: number): ReadonlySet<string> {
  const days = new Set<string>();
  const july3 = weekdayOf(y, 7, 3);
  if (july3 >= 1 && july3 <= 4) days.add(iso(y, 7, 3));
  days.add(iso(y, 11, nthWeekday(y, 11, 4, 4) + 1));
  const christmasEve = weekdayOf(y, 12, 24);
  if (christmasEve >= 1 && christmasEve <= 4) days.add(iso(y, 12, 24));
  return days;
}

function nyseDay(y: number, m: number, d: number): DayKind {
  const date = iso(y, m, d);
  if (nyseHolidays(y).has(date)) return 'closed';
  return nyseEarlyCloses(y).has(date) ? 'early' : 'open';
}

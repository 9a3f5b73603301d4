/**
 * Where an instant stands against a rule's `schedule` (core/rule-model/schedule.ts): `active`
 * (judge the rule and send what fires), `outside` (out of its session or of its activeHours: do
 * not judge it; prices still move its baseline) or `quiet` (judge it, but hold back what fires:
 * quietMode). And when a quiet spell ends, which is when a digest goes out. Pure: time is an
 * argument, zones come from `Intl` through calendars/clock.ts, sessions from sessions.ts.
 *
 * Semantics (docs/rules.md, "Schedules"):
 * - Hours are wall-clock times in the schedule's zone, judged on the local minute: a window
 *   `09:45`–`15:45` covers 09:45:00.000 up to 15:44:59.999. On a daylight-saving switch the clock
 *   decides: a window inside the skipped hour does not happen that night, one inside the repeated
 *   hour happens twice.
 * - A window with `from` after `to` belongs to the day it starts: `fri 22:00–06:00` covers Friday
 *   22:00 to Saturday 06:00 (and nothing on Friday morning).
 * - `outside` wins over `quiet`: a quiet hour outside the session is just outside.
 * - `regular` / `extended` follow the symbol's exchange calendar, holidays and early closes
 *   included; a calendar without a session table (regions sessions.ts does not list) has no
 *   session to be outside of, as for the indicators' sessions.
 *
 * Speed: a schedule is compiled once (a WeakMap keyed by the parsed schedule object) into merged
 * minute intervals per weekday; judging is then two memoised offset look-ups, one memoised
 * session look-up and a scan of a few intervals — no allocation, so it can run per tick.
 */
import type { Schedule, ScheduleWindow } from '../rule-model/schedule';
import { minuteOfClock, SCHEDULE_DAYS } from '../rule-model/schedule';
import { MINUTE_MS, utcOffsetMs } from './calendars/clock';
import { calendarOf, hasSessions, isSessionOpen } from './sessions';

export type ScheduleState = 'active' | 'outside' | 'quiet';

export interface ScheduleJudgement {
  readonly state: ScheduleState;
}

const ACTIVE: ScheduleJudgement = Object.freeze({ state: 'active' });
const OUTSIDE: ScheduleJudgement = Object.freeze({ state: 'outside' });
const QUIET: ScheduleJudgement = Object.freeze({ state: 'quiet' });

const HOUR_MS = 3_600_000;
const DAY_MINUTES = 1440;
/** A quiet spell is followed across at most this many local days; past it, the week is quiet throughout. */
const SPELL_DAYS_LIMIT = 8;

/** Local minute intervals [from, to) per weekday (0 = Monday), sorted and merged. */
type WeekHours = ReadonlyArray<ReadonlyArray<readonly [number, number]>>;

interface CompiledSchedule {
  timeZone: string;
  session: Schedule['session'];
  /** `null`: no activeHours, so every hour is active. */
  active: WeekHours | null;
  /** `null`: no quietHours. */
  quiet: WeekHours | null;
}

const compiled = new WeakMap<Schedule, CompiledSchedule>();

/**
 * Splits windows into per-weekday minute intervals: one spanning midnight gives its start day
 * `[from, 24:00)` and the next day `[00:00, to)`.
 */
export function weekHoursOf(windows: readonly ScheduleWindow[]): WeekHours {
  const week: Array<Array<[number, number]>> = SCHEDULE_DAYS.map(() => []);
  for (const window of windows) {
    const from = minuteOfClock(window.from);
    const to = minuteOfClock(window.to);
    for (const day of window.days) {
      const weekday = SCHEDULE_DAYS.indexOf(day);
      if (from < to) week[weekday]?.push([from, to]);
      else {
        week[weekday]?.push([from, DAY_MINUTES]);
        if (to > 0) week[(weekday + 1) % 7]?.push([0, to]);
      }
    }
  }
  return week.map(merge);
}

function merge(intervals: Array<[number, number]>): ReadonlyArray<readonly [number, number]> {
  intervals.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [from, to] of intervals) {
    const last = merged[merged.length - 1];
    if (last !== undefined && from <= last[1]) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
}

function compile(schedule: Schedule): CompiledSchedule {
  let known = compiled.get(schedule);
  if (known === undefined) {
    known = {
      timeZone: schedule.timezone,
      session: schedule.session,
      active: schedule.activeHours.length > 0 ? weekHoursOf(schedule.activeHours) : null,
      quiet: schedule.quietHours.length > 0 ? weekHoursOf(schedule.quietHours) : null,
    };
    compiled.set(schedule, known);
  }
  return known;
}

/** Weekday (0 = Monday) of a local day counted from 1970-01-01, a Thursday. */
const weekdayOf = (day: number): number => (((day + 3) % 7) + 7) % 7;

/** The local minute of `at` counted from 1970-01-01 00:00 local time. */
function localMinuteIndex(timeZone: string, at: number): number {
  return Math.floor((at + utcOffsetMs(timeZone, at)) / MINUTE_MS);
}

function covers(week: WeekHours, minuteIndex: number): boolean {
  const day = Math.floor(minuteIndex / DAY_MINUTES);
  const minute = minuteIndex - day * DAY_MINUTES;
  const intervals = week[weekdayOf(day)] ?? [];
  for (const [from, to] of intervals) {
    if (minute < from) return false;
    if (minute < to) return true;
  }
  return false;
}

/**
 * Is `at` in the symbol's session? `always` is; so is every instant of a calendar without a
 * session table.
 */
function inSession(session: Schedule['session'], symbol: string, at: number): boolean {
  if (session === 'always') return true;
  const calendar = calendarOf(symbol);
  return !hasSessions(calendar) || isSessionOpen(calendar, session, at);
}

/**
 * Where `atMs` stands against the schedule for `symbol`: `outside` (out of session or of
 * activeHours), `quiet` (inside them, in quietHours) or `active`. The answer objects are shared
 * and frozen.
 * @example judgeSchedule({ session: 'regular', timezone: 'UTC', activeHours: [], quietHours: [], quietMode: 'suppress' }, 'AAPL$US', Date.UTC(2026, 0, 14, 15)) // { state: 'active' }: 10:00 New York
 */
export function judgeSchedule(schedule: Schedule, symbol: string, atMs: number): ScheduleJudgement {
  const c = compile(schedule);
  if (!inSession(c.session, symbol, atMs)) return OUTSIDE;
  if (c.active === null && c.quiet === null) return ACTIVE;
  const minuteIndex = localMinuteIndex(c.timeZone, atMs);
  if (c.active !== null && !covers(c.active, minuteIndex)) return OUTSIDE;
  if (c.quiet !== null && covers(c.quiet, minuteIndex)) return QUIET;
  return ACTIVE;
}

/** Is `atMs` inside the schedule's quietHours (whatever the session and activeHours say)? */
export function isQuietHour(schedule: Schedule, atMs: number): boolean {
  const c = compile(schedule);
  return c.quiet !== null && covers(c.quiet, localMinuteIndex(c.timeZone, atMs));
}

/**
 * Local minute index where the run of covered minutes containing `minuteIndex` ends, following
 * it across midnights; `null` when it does not end within {@link SPELL_DAYS_LIMIT} days.
 */
function coveredRunEnd(week: WeekHours, minuteIndex: number): number | null {
  let day = Math.floor(minuteIndex / DAY_MINUTES);
  let minute = minuteIndex - day * DAY_MINUTES;
  for (let step = 0; step < SPELL_DAYS_LIMIT; step += 1) {
    const interval = (week[weekdayOf(day)] ?? []).find(([from, to]) => minute >= from && minute < to);
    if (interval === undefined) return day * DAY_MINUTES + minute;
    if (interval[1] < DAY_MINUTES) return day * DAY_MINUTES + interval[1];
    day += 1;
    minute = 0;
  }
  return null;
}

/**
 * The first whole UTC hour in (from, to] at which the zone's offset differs from its offset at
 * `from` (zones used here switch on whole UTC hours: calendars/clock.ts), or `null`. A spell
 * lasts at most {@link SPELL_DAYS_LIMIT} days, never long enough for two switches, so equal
 * offsets at both ends mean none.
 */
function offsetSwitchBetween(timeZone: string, from: number, to: number): number | null {
  const offset = utcOffsetMs(timeZone, from);
  if (utcOffsetMs(timeZone, to) === offset) return null;
  let lo = Math.floor(from / HOUR_MS); // offset as at `from`
  let hi = Math.ceil(to / HOUR_MS); // offset as at `to`
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (utcOffsetMs(timeZone, mid * HOUR_MS) === offset) lo = mid;
    else hi = mid;
  }
  const at = hi * HOUR_MS;
  return at <= to ? at : null;
}

/**
 * Epoch ms at which the quiet spell containing `atMs` ends: the first instant after it that is
 * not in quietHours (spells that meet across midnight, or across days, are one spell). `null`
 * when `atMs` is not in quietHours, or when the whole week is quiet (the spell never ends).
 * What a digest waits for.
 * @example
 * // quietHours 22:00–07:00 UTC every day: the spell begun on Wednesday evening ends Thursday 07:00
 * nextQuietEnd(nightsQuiet, Date.UTC(2026, 0, 14, 23)) // Date.UTC(2026, 0, 15, 7)
 */
export function nextQuietEnd(schedule: Schedule, atMs: number): number | null {
  const c = compile(schedule);
  if (c.quiet === null) return null;
  const quiet = c.quiet;
  const { timeZone } = c;
  if (!covers(quiet, localMinuteIndex(timeZone, atMs))) return null;
  let at = atMs;
  // Each round ends the spell, or stops at a daylight-saving switch inside it and looks again
  // from there (the clock may jump past the spell's end, or back to before its start).
  for (let round = 0; round < 4; round += 1) {
    const offset = utcOffsetMs(timeZone, at);
    const end = coveredRunEnd(quiet, Math.floor((at + offset) / MINUTE_MS));
    if (end === null) return null;
    const endAt = end * MINUTE_MS - offset;
    const switchAt = offsetSwitchBetween(timeZone, at, endAt);
    if (switchAt === null) return endAt;
    if (!covers(quiet, localMinuteIndex(timeZone, switchAt))) return switchAt;
    at = switchAt;
  }
  return null;
}

/** The local day (days since 1970-01-01) and minute of `atMs` in a zone: what the schedule's hours are compared with. */
export function scheduleLocalTime(timeZone: string, atMs: number): { day: number; minute: number; weekday: (typeof SCHEDULE_DAYS)[number] } {
  const index = localMinuteIndex(timeZone, atMs);
  const day = Math.floor(index / DAY_MINUTES);
  return { day, minute: index - day * DAY_MINUTES, weekday: SCHEDULE_DAYS[weekdayOf(day)] ?? 'mon' };
}

/**
 * A rule's `schedule` (shared/spec/api.md, "Schedules, snooze and bar-close evaluation"): the
 * session it is judged in, the time zone of its hours, the hours it is active and the hours it is
 * quiet, and what happens to what fires in quiet hours. Only the shape and its wording for bad
 * input live here; core/engine/schedule-window.ts judges an instant against it, and docs/rules.md
 * ("Schedules") states the semantics.
 *
 * Decisions the contract leaves open, made here once:
 * - A window `{ days, from, to }` covers `[from, to)` local time on each of `days`. With `from`
 *   after `to` it spans midnight and `days` names the day it *starts*: `{ days: ["fri"], from:
 *   "22:00", to: "06:00" }` runs from Friday 22:00 to Saturday 06:00.
 * - `to` may be `24:00` (the end of the day); `from` may not. `from` equal to `to` is refused
 *   rather than read as "never" or "all day" (`00:00`–`24:00` is all day).
 * - A day may not be listed twice in one window; unknown fields are refused, as elsewhere.
 * - `timezone` is checked against the runtime's IANA database (`Intl`) and stored as given, in
 *   the database's case (`america/new_york` → `America/New_York`); fixed offsets such as
 *   `+05:00` are not IANA names and are refused.
 */
import * as z from 'zod';
import { documented } from './schema-docs';
import { mustBe } from './validation';

/** Days of a window, Monday first (ISO 8601 order). */
export const SCHEDULE_DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
/** `always` (default): every price; `regular` / `extended`: the symbol's exchange calendar (core/engine/sessions.ts). */
export const SCHEDULE_SESSIONS = ['always', 'regular', 'extended'] as const;
export const QUIET_MODES = ['suppress', 'digest'] as const;

export const DEFAULT_SCHEDULE_SESSION = 'always';
export const DEFAULT_SCHEDULE_TIMEZONE = 'UTC';
export const DEFAULT_QUIET_MODE = 'suppress';
/** Most windows in `activeHours` and in `quietHours` each: enough for any weekly pattern, and it bounds the judging. */
export const MAX_SCHEDULE_WINDOWS = 20;

export type ScheduleDay = (typeof SCHEDULE_DAYS)[number];
export type ScheduleSession = (typeof SCHEDULE_SESSIONS)[number];
export type QuietMode = (typeof QUIET_MODES)[number];

const enumOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: (issue) => (issue.input === undefined ? 'is required' : `must be one of ${values.join(', ')}`) });

const CLOCK_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Minute of the day of `HH:MM` (`24:00` → 1440). The schema has checked the form. */
export function minuteOfClock(text: string): number {
  return Number(text.slice(0, 2)) * 60 + Number(text.slice(3, 5));
}

const fromTime = z
  .string({ error: mustBe('a time "HH:MM"') })
  .regex(CLOCK_TIME, { error: 'must be a time "HH:MM" from 00:00 to 23:59' });
const toTime = z
  .string({ error: mustBe('a time "HH:MM"') })
  .refine((value) => CLOCK_TIME.test(value) || value === '24:00', { error: 'must be a time "HH:MM" from 00:00 to 24:00' });

const days = z
  .array(enumOf(SCHEDULE_DAYS), { error: mustBe('an array of days (mon, tue, wed, thu, fri, sat, sun)') })
  .min(1, { error: 'must name at least one day' })
  .refine((list) => new Set(list).size === list.length, { error: 'must not name a day twice' });

/** One weekly window: `[from, to)` local time on each of `days`; `from` after `to` spans midnight into the next day. */
export const scheduleWindowSchema = documented(
  z
    .strictObject({ days, from: fromTime, to: toTime })
    .superRefine((window, ctx) => {
      if (window.from === window.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must differ from from (00:00 to 24:00 is the whole day)' });
    }),
  { description: 'from and to are local HH:MM times in the schedule timezone (to may be 24:00); from after to spans midnight, and days names the day the window starts' },
);

const windows = (what: string) =>
  z
    .array(scheduleWindowSchema, { error: mustBe(`an array of ${what} windows`) })
    .max(MAX_SCHEDULE_WINDOWS, { error: `must have at most ${MAX_SCHEDULE_WINDOWS} windows` });

/**
 * Is `name` a time zone of the runtime's IANA database? Then the name to store: as given, in the
 * runtime's case where only the case differs (`america/new_york` → `America/New_York`). ICU's
 * own canonical names are older spellings (`Asia/Kolkata` → `Asia/Calcutta`), so a name that
 * differs by more than case is kept as the user wrote it; `Intl` takes both.
 */
export function canonicalTimeZone(name: string): string | null {
  // Intl also takes offsets (`+05:00`) on newer runtimes; those are not IANA names.
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name)) return null;
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    return resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
  } catch {
    return null;
  }
}

export const timeZoneSchema = documented(
  z.string({ error: mustBe('an IANA time zone name') }).transform((value, ctx) => {
    const zone = canonicalTimeZone(value.trim());
    if (zone === null) {
      ctx.addIssue({ code: 'custom', message: 'must be an IANA time zone name like America/New_York, Europe/London or UTC' });
      return z.NEVER;
    }
    return zone;
  }),
  { description: 'IANA time zone name (e.g. America/New_York, Europe/London, UTC), case-insensitive on input' },
);

export const scheduleSchema = documented(
  z.strictObject(
    {
      session: enumOf(SCHEDULE_SESSIONS).default(DEFAULT_SCHEDULE_SESSION),
      timezone: timeZoneSchema.default(DEFAULT_SCHEDULE_TIMEZONE),
      activeHours: windows('active').default([]),
      quietHours: windows('quiet').default([]),
      quietMode: enumOf(QUIET_MODES).default(DEFAULT_QUIET_MODE),
    },
    { error: mustBe('an object') },
  ),
  {
    description:
      'when the rule is judged (session by the symbol’s exchange calendar, activeHours) and when what it fires is held back (quietHours, quietMode); hours are in timezone',
  },
);

export type ScheduleWindow = z.output<typeof scheduleWindowSchema>;
/** A schedule as stored: every default filled in. */
export type Schedule = z.output<typeof scheduleSchema>;
export type ScheduleInput = z.input<typeof scheduleSchema>;

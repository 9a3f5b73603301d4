/** A rule's `schedule` parses exactly what api.md allows, fills its defaults, and names the field of every bad value. */
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { parseWith, ValidationError } from '../../../core/rule-model';
import { canonicalTimeZone, MAX_SCHEDULE_WINDOWS, scheduleSchema } from '../../../core/rule-model/schedule';

function errorsOf(input: unknown): string[] {
  try {
    parseWith(scheduleSchema, input);
  } catch (error) {
    if (error instanceof ValidationError) return error.details.map((d) => `${d.path} ${d.message}`);
    throw error;
  }
  return [];
}

const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'];

describe('schedule defaults', () => {
  it('an empty schedule is session always, UTC, no hours, quietMode suppress', () => {
    expect(parseWith(scheduleSchema, {})).toEqual({ session: 'always', timezone: 'UTC', activeHours: [], quietHours: [], quietMode: 'suppress' });
  });

  it('keeps the contract’s example as given', () => {
    const example = {
      session: 'regular',
      timezone: 'America/New_York',
      activeHours: [{ days: weekdays, from: '09:45', to: '15:45' }],
      quietHours: [{ days: ['sat', 'sun'], from: '00:00', to: '24:00' }],
      quietMode: 'digest',
    };
    expect(parseWith(scheduleSchema, example)).toEqual(example);
  });

  it('accepts a window spanning midnight and one ending at 24:00 or 00:00', () => {
    const parsed = parseWith(scheduleSchema, {
      quietHours: [
        { days: ['fri'], from: '22:00', to: '06:00' },
        { days: ['sat'], from: '12:00', to: '24:00' },
        { days: ['sun'], from: '20:00', to: '00:00' },
      ],
    });
    expect(parsed.quietHours).toHaveLength(3);
  });
});

describe('timezone', () => {
  it('is checked against the IANA database and stored as given, in the database’s case', () => {
    expect(parseWith(scheduleSchema, { timezone: 'america/new_york' }).timezone).toBe('America/New_York');
    expect(parseWith(scheduleSchema, { timezone: ' Europe/London ' }).timezone).toBe('Europe/London');
    expect(parseWith(scheduleSchema, { timezone: 'Asia/Kolkata' }).timezone).toBe('Asia/Kolkata');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
  });

  it.each(['Mars/Olympus', 'EST5EDT/x', '+05:00', '-03:00', '', 'New York', 'America/New_York;DROP'])('refuses %j', (timezone) => {
    expect(errorsOf({ timezone })).toEqual(['timezone must be an IANA time zone name like America/New_York, Europe/London or UTC']);
  });

  it('must be a string', () => {
    expect(errorsOf({ timezone: 5 })).toEqual(['timezone must be an IANA time zone name']);
  });
});

describe('bad schedules name their field', () => {
  it.each([
    [{ session: 'any' }, 'session must be one of always, regular, extended'],
    [{ quietMode: 'mute' }, 'quietMode must be one of suppress, digest'],
    [{ activeHours: {} }, 'activeHours must be an array of active windows'],
    [{ quietHours: [{ days: ['sat'], from: '00:00' }] }, 'quietHours[0].to is required'],
    [{ quietHours: [{ days: [], from: '00:00', to: '01:00' }] }, 'quietHours[0].days must name at least one day'],
    [{ quietHours: [{ days: ['sat', 'sat'], from: '00:00', to: '01:00' }] }, 'quietHours[0].days must not name a day twice'],
    [{ quietHours: [{ days: ['saturday'], from: '00:00', to: '01:00' }] }, 'quietHours[0].days[0] must be one of mon, tue, wed, thu, fri, sat, sun'],
    [{ quietHours: [{ days: 'sat', from: '00:00', to: '01:00' }] }, 'quietHours[0].days must be an array of days (mon, tue, wed, thu, fri, sat, sun)'],
    [{ activeHours: [{ days: ['mon'], from: '24:00', to: '01:00' }] }, 'activeHours[0].from must be a time "HH:MM" from 00:00 to 23:59'],
    [{ activeHours: [{ days: ['mon'], from: '9:30', to: '16:00' }] }, 'activeHours[0].from must be a time "HH:MM" from 00:00 to 23:59'],
    [{ activeHours: [{ days: ['mon'], from: '09:30', to: '24:01' }] }, 'activeHours[0].to must be a time "HH:MM" from 00:00 to 24:00'],
    [{ activeHours: [{ days: ['mon'], from: '09:30', to: '16:60' }] }, 'activeHours[0].to must be a time "HH:MM" from 00:00 to 24:00'],
    [{ activeHours: [{ days: ['mon'], from: '09:30', to: '09:30' }] }, 'activeHours[0].to must differ from from (00:00 to 24:00 is the whole day)'],
    [{ activeHours: [{ days: ['mon'], from: '09:30', to: '16:00', tz: 'UTC' }] }, 'activeHours[0].tz is not a known field'],
    [{ quiet: [] }, 'quiet is not a known field'],
  ])('%j', (input, error) => {
    expect(errorsOf(input)).toEqual([error]);
  });

  it('is an object, named as the rule’s field', () => {
    expect(() => parseWith(z.strictObject({ schedule: scheduleSchema }), { schedule: 'regular' })).toThrow('schedule must be an object');
  });

  it(`holds at most ${MAX_SCHEDULE_WINDOWS} windows in each list`, () => {
    const window = { days: ['mon'], from: '09:00', to: '10:00' };
    expect(errorsOf({ quietHours: Array.from({ length: MAX_SCHEDULE_WINDOWS }, () => window) })).toEqual([]);
    expect(errorsOf({ quietHours: Array.from({ length: MAX_SCHEDULE_WINDOWS + 1 }, () => window) })).toEqual([`quietHours must have at most ${MAX_SCHEDULE_WINDOWS} windows`]);
  });
});

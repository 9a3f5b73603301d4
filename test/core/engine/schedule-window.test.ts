/**
 * Judging an instant against a rule's schedule (core/engine/schedule-window.ts): each listed
 * market's regular hours on a normal day, a holiday, a half day and around both daylight-saving
 * switches; the extended session; activeHours and quietHours in a zone other than the exchange's,
 * spanning midnight, ending at 24:00; when a quiet spell ends, across days and clock changes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isQuietHour, judgeSchedule, nextQuietEnd, scheduleLocalTime, weekHoursOf } from '../../../core/engine/schedule-window';
import { parseWith } from '../../../core/rule-model';
import { SCHEDULE_DAYS, scheduleSchema, type Schedule, type ScheduleInput } from '../../../core/rule-model/schedule';

const at = (iso: string) => Date.parse(iso);
const schedule = (input: ScheduleInput): Schedule => parseWith(scheduleSchema, input);
const state = (s: Schedule, symbol: string, iso: string) => judgeSchedule(s, symbol, at(iso)).state;
const regular = schedule({ session: 'regular' });
const extended = schedule({ session: 'extended' });

/** The session is open exactly on [open, close): outside 1 ms before, active at open and 1 ms before close, outside at close. */
function expectOpenExactly(s: Schedule, symbol: string, open: string, close: string): void {
  expect([at(open) - 1, at(open), at(close) - 1, at(close)].map((t) => judgeSchedule(s, symbol, t).state)).toEqual(['outside', 'active', 'active', 'outside']);
}

/** Outside at every hour of the date's local day, `utcOffsetHours` from UTC (−5 for New York in winter). */
function expectClosedAllDay(s: Schedule, symbol: string, date: string, utcOffsetHours = 0): void {
  const midnight = at(`${date}T00:00:00Z`) - utcOffsetHours * 3_600_000;
  for (let hour = 0; hour < 24; hour += 1) expect(judgeSchedule(s, symbol, midnight + hour * 3_600_000).state).toBe('outside');
}

const MARKETS = [
  { name: 'NYSE', symbol: 'AAPL$US' },
  { name: 'London', symbol: 'VOD$GB' },
  { name: 'Xetra', symbol: 'SAP$DE' },
  { name: 'Euronext Paris', symbol: 'AIR$FR' },
  { name: 'Euronext Amsterdam', symbol: 'ASML$NL' },
] as const;

describe('session regular on a normal day (Wednesday 14 January 2026, winter everywhere)', () => {
  it.each([
    ['AAPL$US', '2026-01-14T14:30:00Z', '2026-01-14T21:00:00Z'], // 09:30–16:00 New York (UTC−5)
    ['VOD$GB', '2026-01-14T08:00:00Z', '2026-01-14T16:30:00Z'], // 08:00–16:30 London (UTC)
    ['SAP$DE', '2026-01-14T08:00:00Z', '2026-01-14T16:30:00Z'], // 09:00–17:30 Frankfurt (UTC+1)
    ['AIR$FR', '2026-01-14T08:00:00Z', '2026-01-14T16:30:00Z'],
    ['ASML$NL', '2026-01-14T08:00:00Z', '2026-01-14T16:30:00Z'],
  ])('%s is judged from its open to its close', (symbol, open, close) => {
    expectOpenExactly(regular, symbol, open, close);
  });

  it('no market of the list is in session on a Saturday', () => {
    for (const { symbol } of MARKETS) expectClosedAllDay(regular, symbol, '2026-01-17');
  });
});

describe('session regular on holidays', () => {
  it('Good Friday (3 April 2026) closes all five', () => {
    for (const { symbol } of MARKETS) expectClosedAllDay(regular, symbol, '2026-04-03');
  });

  it.each([
    ['AAPL$US', '2026-01-19', 'Martin Luther King Jr. Day'],
    ['AAPL$US', '2026-11-26', 'Thanksgiving'],
    ['AAPL$US', '2026-07-03', 'Independence Day observed (4 July is a Saturday)'],
    ['VOD$GB', '2026-05-04', 'early May bank holiday'],
    ['VOD$GB', '2026-12-28', 'Boxing Day observed (26 December is a Saturday)'],
    ['SAP$DE', '2026-12-24', 'Christmas Eve: Xetra does not trade'],
    ['SAP$DE', '2026-12-31', 'New Year’s Eve: Xetra does not trade'],
    ['AIR$FR', '2026-05-01', 'Labour Day'],
    ['ASML$NL', '2026-04-06', 'Easter Monday'],
  ])('%s is outside all of %s (%s)', (symbol, date) => {
    expectClosedAllDay(regular, symbol, date);
  });

  it('and the markets whose exchange trades that day stay in session', () => {
    expect(state(regular, 'AAPL$US', '2026-05-04T15:00:00Z')).toBe('active'); // US open on the UK bank holiday
    expect(state(regular, 'VOD$GB', '2026-01-19T12:00:00Z')).toBe('active'); // London open on MLK day
    expect(state(regular, 'AIR$FR', '2026-12-24T10:00:00Z')).toBe('active'); // Euronext trades (a half day) when Xetra is shut
  });
});

describe('session regular on half days', () => {
  it.each([
    ['AAPL$US', '2026-11-27T14:30:00Z', '2026-11-27T18:00:00Z', 'day after Thanksgiving, 13:00 New York'],
    ['AAPL$US', '2026-12-24T14:30:00Z', '2026-12-24T18:00:00Z', 'Christmas Eve on a Thursday, 13:00 New York'],
    ['AAPL$US', '2025-07-03T13:30:00Z', '2025-07-03T17:00:00Z', '3 July on a Thursday, 13:00 New York (summer time)'],
    ['VOD$GB', '2026-12-24T08:00:00Z', '2026-12-24T12:30:00Z', 'Christmas Eve, 12:30 London'],
    ['VOD$GB', '2026-12-31T08:00:00Z', '2026-12-31T12:30:00Z', 'New Year’s Eve, 12:30 London'],
    ['AIR$FR', '2026-12-24T08:00:00Z', '2026-12-24T13:00:00Z', 'Christmas Eve, 14:00 Paris'],
    ['ASML$NL', '2026-12-31T08:00:00Z', '2026-12-31T13:00:00Z', 'New Year’s Eve, 14:00 Amsterdam'],
  ])('%s closes early: %s – %s (%s)', (symbol, open, close) => {
    expectOpenExactly(regular, symbol, open, close);
  });
});

describe('session regular across the daylight-saving switches (US: 8 March and 1 November 2026; Europe: 29 March and 25 October)', () => {
  it('US: 09:30 New York is 14:30 UTC before 8 March, 13:30 UTC after it', () => {
    expectOpenExactly(regular, 'AAPL$US', '2026-03-06T14:30:00Z', '2026-03-06T21:00:00Z'); // Friday before
    expectOpenExactly(regular, 'AAPL$US', '2026-03-09T13:30:00Z', '2026-03-09T20:00:00Z'); // Monday after
  });

  it('US: back to 14:30 UTC after 1 November', () => {
    expectOpenExactly(regular, 'AAPL$US', '2026-10-30T13:30:00Z', '2026-10-30T20:00:00Z');
    expectOpenExactly(regular, 'AAPL$US', '2026-11-02T14:30:00Z', '2026-11-02T21:00:00Z');
  });

  it('Europe: an hour earlier in UTC from 30 March, back after 25 October', () => {
    for (const symbol of ['SAP$DE', 'AIR$FR', 'ASML$NL']) {
      expectOpenExactly(regular, symbol, '2026-03-27T08:00:00Z', '2026-03-27T16:30:00Z');
      expectOpenExactly(regular, symbol, '2026-03-30T07:00:00Z', '2026-03-30T15:30:00Z');
      expectOpenExactly(regular, symbol, '2026-10-23T07:00:00Z', '2026-10-23T15:30:00Z');
      expectOpenExactly(regular, symbol, '2026-10-26T08:00:00Z', '2026-10-26T16:30:00Z');
    }
    expectOpenExactly(regular, 'VOD$GB', '2026-03-27T08:00:00Z', '2026-03-27T16:30:00Z');
    expectOpenExactly(regular, 'VOD$GB', '2026-03-30T07:00:00Z', '2026-03-30T15:30:00Z');
  });

  it('the weeks in between: New York is 4 h behind London instead of 5 h, so it opens at 13:30 London time (18 March, 28 October)', () => {
    for (const date of ['2026-03-18', '2026-10-28']) {
      expectOpenExactly(regular, 'VOD$GB', `${date}T08:00:00Z`, `${date}T16:30:00Z`); // London on GMT
      expectOpenExactly(regular, 'AAPL$US', `${date}T13:30:00Z`, `${date}T20:00:00Z`); // New York on summer time
      expect(scheduleLocalTime('Europe/London', at(`${date}T13:30:00Z`)).minute).toBe(13 * 60 + 30);
    }
    // Outside those weeks, 09:30 New York is 14:30 London.
    expect(scheduleLocalTime('Europe/London', at('2026-01-14T14:30:00Z')).minute).toBe(14 * 60 + 30);
    expect(scheduleLocalTime('Europe/London', at('2026-04-01T13:30:00Z')).minute).toBe(14 * 60 + 30);
  });
});

describe('session extended', () => {
  it('US pre-market from 04:00 and after-hours to 20:00 New York', () => {
    expectOpenExactly(extended, 'AAPL$US', '2026-01-14T09:00:00Z', '2026-01-15T01:00:00Z');
    expect(state(regular, 'AAPL$US', '2026-01-14T12:00:00Z')).toBe('outside'); // 07:00 New York: pre-market only
    expect(state(extended, 'AAPL$US', '2026-01-14T12:00:00Z')).toBe('active');
  });

  it('US early-close days end the after-hours session at 17:00; holidays have none', () => {
    expectOpenExactly(extended, 'AAPL$US', '2026-11-27T09:00:00Z', '2026-11-27T22:00:00Z');
    expectClosedAllDay(extended, 'AAPL$US', '2026-11-26', -5);
  });

  it('Europe: the closing auctions (London 16:40, Xetra and Euronext 17:40), no pre-market', () => {
    expectOpenExactly(extended, 'VOD$GB', '2026-01-14T08:00:00Z', '2026-01-14T16:40:00Z');
    expectOpenExactly(extended, 'SAP$DE', '2026-01-14T08:00:00Z', '2026-01-14T16:40:00Z');
    expectOpenExactly(extended, 'AIR$FR', '2026-01-14T08:00:00Z', '2026-01-14T16:40:00Z');
    expectOpenExactly(extended, 'AIR$FR', '2026-12-24T08:00:00Z', '2026-12-24T13:10:00Z');
  });
});

describe('markets without exchange hours', () => {
  it('crypto is in every session at every hour; a region without a session table too', () => {
    for (const s of [regular, extended]) {
      expect(state(s, 'crypto:BTCUSDT$BA', '2026-01-17T03:00:00Z')).toBe('active');
      expect(state(s, 'NESN$CH', '2026-01-17T03:00:00Z')).toBe('active');
    }
  });

  it('forex follows its 24/5 week', () => {
    expect(state(regular, 'forex:EURUSD$GB', '2026-01-17T12:00:00Z')).toBe('outside');
    expect(state(regular, 'forex:EURUSD$GB', '2026-01-14T03:00:00Z')).toBe('active');
  });
});

describe('activeHours', () => {
  const desk = schedule({ session: 'regular', timezone: 'America/New_York', activeHours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:45', to: '15:45' }] });

  it('narrow the session: 09:45 to 15:45 New York, winter and summer', () => {
    expectOpenExactly(desk, 'AAPL$US', '2026-01-14T14:45:00Z', '2026-01-14T20:45:00Z');
    expectOpenExactly(desk, 'AAPL$US', '2026-03-18T13:45:00Z', '2026-03-18T19:45:00Z');
  });

  it('inside activeHours but outside the session is outside (a holiday)', () => {
    expect(state(desk, 'AAPL$US', '2026-01-19T16:00:00Z')).toBe('outside');
  });

  it('are read in the schedule’s zone, not the exchange’s: the Tokyo morning of Thursday is Wednesday afternoon in New York', () => {
    const tokyoMorning = schedule({ session: 'regular', timezone: 'Asia/Tokyo', activeHours: [{ days: ['thu'], from: '00:00', to: '02:00' }] });
    // Thursday 00:00–02:00 Tokyo (UTC+9) = Wednesday 15:00–17:00 UTC = 10:00–12:00 New York, inside the session.
    expectOpenExactly(tokyoMorning, 'AAPL$US', '2026-01-14T15:00:00Z', '2026-01-14T17:00:00Z');
    // Thursday 15:00 UTC is Friday in Tokyo: outside.
    expect(state(tokyoMorning, 'AAPL$US', '2026-01-15T15:30:00Z')).toBe('outside');
  });

  it('a London desk following a New York stock sees the hour shift in the weeks the two clocks disagree', () => {
    const londonAfternoon = schedule({ session: 'regular', timezone: 'Europe/London', activeHours: [{ days: ['wed'], from: '14:00', to: '15:00' }] });
    // 18 March: London on GMT, New York already on summer time: 14:00 London = 10:00 New York.
    expectOpenExactly(londonAfternoon, 'AAPL$US', '2026-03-18T14:00:00Z', '2026-03-18T15:00:00Z');
    // 1 April: both on summer time: 14:00 London = 13:00 UTC = 09:00 New York, before the open at 13:30 UTC.
    expect(state(londonAfternoon, 'AAPL$US', '2026-04-01T13:15:00Z')).toBe('outside');
    expect(state(londonAfternoon, 'AAPL$US', '2026-04-01T13:30:00Z')).toBe('active');
    expect(state(londonAfternoon, 'AAPL$US', '2026-04-01T14:00:00Z')).toBe('outside');
  });
});

describe('quietHours', () => {
  it('a window spanning midnight belongs to the day it starts: Friday 22:00 to Saturday 06:00', () => {
    const fridayNight = schedule({ quietHours: [{ days: ['fri'], from: '22:00', to: '06:00' }] });
    const symbol = 'crypto:BTCUSDT$BA';
    expect(state(fridayNight, symbol, '2026-01-16T21:59:59Z')).toBe('active');
    expect(state(fridayNight, symbol, '2026-01-16T22:00:00Z')).toBe('quiet');
    expect(state(fridayNight, symbol, '2026-01-17T05:59:59Z')).toBe('quiet');
    expect(state(fridayNight, symbol, '2026-01-17T06:00:00Z')).toBe('active');
    expect(state(fridayNight, symbol, '2026-01-16T03:00:00Z')).toBe('active'); // Friday early morning: Thursday's night is not listed
    expect(state(fridayNight, symbol, '2026-01-17T23:00:00Z')).toBe('active'); // Saturday night is not listed
  });

  it('24:00 ends at midnight: the weekend quiet runs Saturday 00:00 to Monday 00:00', () => {
    const weekend = schedule({ timezone: 'America/New_York', quietHours: [{ days: ['sat', 'sun'], from: '00:00', to: '24:00' }] });
    const symbol = 'crypto:BTCUSDT$BA';
    expect(state(weekend, symbol, '2026-01-17T04:59:59Z')).toBe('active'); // Friday 23:59:59 New York
    expect(state(weekend, symbol, '2026-01-17T05:00:00Z')).toBe('quiet');
    expect(state(weekend, symbol, '2026-01-19T04:59:59Z')).toBe('quiet'); // Sunday 23:59:59
    expect(state(weekend, symbol, '2026-01-19T05:00:00Z')).toBe('active');
  });

  it('a window from 20:00 to 00:00 is 20:00 to midnight', () => {
    const evening = schedule({ quietHours: [{ days: ['mon'], from: '20:00', to: '00:00' }] });
    expect(state(evening, 'crypto:BTCUSDT$BA', '2026-01-12T23:59:00Z')).toBe('quiet');
    expect(state(evening, 'crypto:BTCUSDT$BA', '2026-01-13T00:00:00Z')).toBe('active');
  });

  it('outside wins over quiet: a quiet hour out of session is outside', () => {
    const nights = schedule({ session: 'regular', timezone: 'America/New_York', quietHours: [{ days: ['wed'], from: '15:00', to: '24:00' }] });
    expect(state(nights, 'AAPL$US', '2026-01-14T20:30:00Z')).toBe('quiet'); // 15:30 New York
    expect(state(nights, 'AAPL$US', '2026-01-14T22:00:00Z')).toBe('outside'); // 17:00, after the close
    expect(isQuietHour(nights, at('2026-01-14T22:00:00Z'))).toBe(true);
  });

  it('the local minute decides: a window ends at the first millisecond of its to minute', () => {
    const s = schedule({ quietHours: [{ days: ['wed'], from: '12:00', to: '12:01' }] });
    expect(state(s, 'crypto:BTCUSDT$BA', '2026-01-14T12:00:59.999Z')).toBe('quiet');
    expect(state(s, 'crypto:BTCUSDT$BA', '2026-01-14T12:01:00.000Z')).toBe('active');
  });
});

describe('nextQuietEnd: when a digest goes out', () => {
  const nights = schedule({ timezone: 'America/New_York', quietHours: [{ days: [...SCHEDULE_DAYS], from: '22:00', to: '07:00' }] });

  it('is null outside quiet hours', () => {
    expect(nextQuietEnd(nights, at('2026-01-14T18:00:00Z'))).toBeNull();
    expect(nextQuietEnd(schedule({}), at('2026-01-14T18:00:00Z'))).toBeNull();
  });

  it('ends a night at 07:00 local time', () => {
    expect(nextQuietEnd(nights, at('2026-01-15T04:00:00Z'))).toBe(at('2026-01-15T12:00:00Z')); // 23:00 → 07:00 EST
  });

  it('follows the clock change: the night of 7–8 March ends at 07:00 EDT (11:00 UTC), that of 31 Oct–1 Nov at 07:00 EST (12:00 UTC)', () => {
    expect(nextQuietEnd(nights, at('2026-03-08T04:00:00Z'))).toBe(at('2026-03-08T11:00:00Z'));
    expect(nextQuietEnd(nights, at('2026-11-01T03:00:00Z'))).toBe(at('2026-11-01T12:00:00Z'));
  });

  it('joins spells that meet across midnight and days: every night plus the weekend ends on Monday 07:00', () => {
    const offHours = schedule({
      timezone: 'Europe/London',
      quietHours: [
        { days: [...SCHEDULE_DAYS], from: '22:00', to: '07:00' },
        { days: ['sat', 'sun'], from: '00:00', to: '24:00' },
      ],
    });
    expect(nextQuietEnd(offHours, at('2026-01-16T23:00:00Z'))).toBe(at('2026-01-19T07:00:00Z'));
    expect(nextQuietEnd(offHours, at('2026-01-18T12:00:00Z'))).toBe(at('2026-01-19T07:00:00Z'));
    expect(nextQuietEnd(offHours, at('2026-03-27T23:00:00Z'))).toBe(at('2026-03-30T06:00:00Z')); // 07:00 BST after the switch
  });

  it('a night belongs to the day it starts: with Monday-to-Friday nights, Sunday night is not quiet', () => {
    const weeknights = schedule({
      quietHours: [
        { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '22:00', to: '07:00' },
        { days: ['sat', 'sun'], from: '00:00', to: '24:00' },
      ],
    });
    expect(nextQuietEnd(weeknights, at('2026-01-16T23:00:00Z'))).toBe(at('2026-01-19T00:00:00Z'));
    expect(isQuietHour(weeknights, at('2026-01-19T03:00:00Z'))).toBe(false);
    expect(isQuietHour(weeknights, at('2026-01-20T03:00:00Z'))).toBe(true); // Monday night, into Tuesday
  });

  it('a spell cut short by the clock falling back ends at the switch (01:30–03:00 New York, 1 November)', () => {
    const s = schedule({ timezone: 'America/New_York', quietHours: [{ days: ['sun'], from: '01:30', to: '03:00' }] });
    // 01:45 EDT; at 06:00 UTC the clock reads 01:00 EST, before the window: the spell has ended.
    expect(nextQuietEnd(s, at('2026-11-01T05:45:00Z'))).toBe(at('2026-11-01T06:00:00Z'));
    // The repeated 01:30 EST starts a second spell, ending at 03:00 EST.
    expect(nextQuietEnd(s, at('2026-11-01T06:45:00Z'))).toBe(at('2026-11-01T08:00:00Z'));
  });

  it('a spell whose end is skipped by the clock springing forward ends at the switch (01:00–02:30 New York, 8 March)', () => {
    const s = schedule({ timezone: 'America/New_York', quietHours: [{ days: ['sun'], from: '01:00', to: '02:30' }] });
    expect(nextQuietEnd(s, at('2026-03-08T06:15:00Z'))).toBe(at('2026-03-08T07:00:00Z'));
  });

  it('is null when the whole week is quiet: that spell never ends', () => {
    const always = schedule({ quietHours: [{ days: [...SCHEDULE_DAYS], from: '00:00', to: '24:00' }] });
    expect(nextQuietEnd(always, at('2026-01-14T18:00:00Z'))).toBeNull();
  });
});

describe('scheduleLocalTime', () => {
  it('names the local weekday and minute the hours are compared with', () => {
    expect(scheduleLocalTime('Asia/Tokyo', at('2026-01-14T15:30:00Z'))).toMatchObject({ weekday: 'thu', minute: 30 });
    expect(scheduleLocalTime('UTC', at('1969-12-29T01:00:00Z'))).toMatchObject({ weekday: 'mon', minute: 60 });
  });
});

// Properties ---------------------------------------------------------------------------------

const ZONES = ['UTC', 'America/New_York', 'Europe/London', 'Europe/Berlin', 'Asia/Tokyo', 'Asia/Kolkata', 'Australia/Sydney', 'America/Sao_Paulo'];
const SYMBOLS = ['AAPL$US', 'VOD$GB', 'SAP$DE', 'AIR$FR', 'ASML$NL', '700$HK', 'crypto:BTCUSDT$BA', 'forex:EURUSD$GB', 'future:GC$US', 'NESN$CH'];
const clock = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

const windowArb = fc
  .record({
    days: fc.subarray([...SCHEDULE_DAYS], { minLength: 1 }),
    from: fc.integer({ min: 0, max: 1439 }),
    to: fc.integer({ min: 0, max: 1440 }),
  })
  .filter(({ from, to }) => from !== to)
  .map(({ days, from, to }) => ({ days, from: clock(from), to: clock(to) }));

const scheduleArb = (session: fc.Arbitrary<'always' | 'regular' | 'extended'>, active: fc.Arbitrary<ReturnType<typeof windowArb.generate>['value'][]>) =>
  fc
    .record({
      session,
      timezone: fc.constantFrom(...ZONES),
      activeHours: active,
      quietHours: fc.array(windowArb, { maxLength: 4 }),
      quietMode: fc.constantFrom('suppress' as const, 'digest' as const),
    })
    .map((input) => schedule(input));

/** 2020–2030, minutes with a random millisecond: every season and switch of the decade. */
const timeArb = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 11, 31) });
const symbolArb = fc.constantFrom(...SYMBOLS);

/** An independent reading of the wall clock: `Intl` parts, without calendars/clock.ts. */
const wallFormats = new Map<string, Intl.DateTimeFormat>();
function wallClock(timeZone: string, t: number): { weekday: number; minute: number } {
  let format = wallFormats.get(timeZone);
  if (format === undefined) wallFormats.set(timeZone, (format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', weekday: 'short', hour: 'numeric', minute: 'numeric' })));
  const parts = format.formatToParts(new Date(t));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { weekday: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday')), minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

function referenceQuiet(s: Schedule, t: number): boolean {
  const { weekday, minute } = wallClock(s.timezone, t);
  return s.quietHours.some((w) => {
    const from = Number(w.from.slice(0, 2)) * 60 + Number(w.from.slice(3));
    const to = Number(w.to.slice(0, 2)) * 60 + Number(w.to.slice(3));
    const on = (day: number) => w.days.includes(SCHEDULE_DAYS[(day + 7) % 7] as (typeof SCHEDULE_DAYS)[number]);
    return from < to ? on(weekday) && minute >= from && minute < to : (on(weekday) && minute >= from) || (on(weekday - 1) && minute < to);
  });
}

describe('properties', () => {
  it('session always, no activeHours, no quietHours: always active', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.constantFrom('suppress' as const, 'digest' as const), symbolArb, timeArb, (timezone, quietMode, symbol, t) => {
        expect(judgeSchedule(schedule({ session: 'always', timezone, quietMode }), symbol, t).state).toBe('active');
      }),
      { numRuns: 500 },
    );
  });

  it('session always and no activeHours: never outside, and quiet exactly in quietHours', () => {
    fc.assert(
      fc.property(scheduleArb(fc.constant('always'), fc.constant([])), symbolArb, timeArb, (s, symbol, t) => {
        const { state: judged } = judgeSchedule(s, symbol, t);
        expect(judged).not.toBe('outside');
        expect(judged === 'quiet').toBe(referenceQuiet(s, t));
      }),
      { numRuns: 2000 },
    );
  });

  it('any schedule: quiet means in session, in activeHours and in quietHours as the wall clock reads them', () => {
    fc.assert(
      fc.property(scheduleArb(fc.constantFrom('always', 'regular', 'extended'), fc.array(windowArb, { maxLength: 3 })), symbolArb, timeArb, (s, symbol, t) => {
        const judged = judgeSchedule(s, symbol, t).state;
        const unscheduled = judgeSchedule(schedule({ session: s.session }), symbol, t).state;
        if (unscheduled === 'outside') expect(judged).toBe('outside');
        if (judged === 'quiet') expect(referenceQuiet(s, t)).toBe(true);
        if (judged === 'active') expect(referenceQuiet(s, t)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('nextQuietEnd: the spell is quiet up to its end, which is not quiet', () => {
    fc.assert(
      fc.property(scheduleArb(fc.constant('always'), fc.constant([])), timeArb, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 5 }), (s, t, fractions) => {
        const end = nextQuietEnd(s, t);
        if (!isQuietHour(s, t)) {
          expect(end).toBeNull();
          return;
        }
        if (end === null) {
          // Only when the whole week is quiet.
          expect(weekHoursOf(s.quietHours).every((day) => day.length === 1 && day[0]?.[0] === 0 && day[0][1] === 1440)).toBe(true);
          return;
        }
        expect(end).toBeGreaterThan(t);
        expect(isQuietHour(s, end)).toBe(false);
        expect(referenceQuiet(s, end)).toBe(false);
        expect(isQuietHour(s, end - 1)).toBe(true);
        for (const f of fractions) expect(referenceQuiet(s, Math.floor(t + f * (end - 1 - t)))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('properties around the clock changes', () => {
  /** 2026's switches: New York 8 March / 1 November, Europe 29 March / 25 October, Sydney 5 April / 4 October (06:00 UTC is near each). */
  const switches = ['2026-03-08T07:00:00Z', '2026-11-01T06:00:00Z', '2026-03-29T01:00:00Z', '2026-10-25T01:00:00Z', '2026-04-04T16:00:00Z', '2026-10-03T16:00:00Z'].map(at);
  const nearSwitch = fc.tuple(fc.constantFrom(...switches), fc.integer({ min: -36 * 3_600_000, max: 36 * 3_600_000 })).map(([t, d]) => t + d);

  it('quiet exactly as the wall clock reads, and every spell ends where the wall clock leaves it', () => {
    fc.assert(
      fc.property(scheduleArb(fc.constant('always'), fc.constant([])), nearSwitch, (s, t) => {
        expect(isQuietHour(s, t)).toBe(referenceQuiet(s, t));
        const end = nextQuietEnd(s, t);
        if (end === null) return;
        expect(referenceQuiet(s, end)).toBe(false);
        // The last minute of the spell, and 40 instants spread over it.
        expect(referenceQuiet(s, end - 60_000 > t ? end - 60_000 : t)).toBe(true);
        for (let i = 1; i < 40; i += 1) expect(referenceQuiet(s, t + Math.floor(((end - t) * i) / 40))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('speed', () => {
  it('judges a regular-session schedule with hours in well under 2 µs', () => {
    const s = schedule({ session: 'regular', timezone: 'Europe/London', activeHours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '20:00' }], quietHours: [{ days: ['fri'], from: '16:00', to: '08:00' }] });
    const start = at('2026-01-12T00:00:00Z');
    const n = 200_000;
    let quiet = 0;
    const began = performance.now();
    for (let i = 0; i < n; i += 1) if (judgeSchedule(s, 'AAPL$US', start + i * 3_000).state === 'quiet') quiet += 1;
    const perCallUs = ((performance.now() - began) * 1000) / n;
    expect(quiet).toBeGreaterThan(0);
    expect(perCallUs).toBeLessThan(2);
  });
});

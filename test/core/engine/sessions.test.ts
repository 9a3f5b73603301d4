/** NYSE's calendar, the session windows of the exchanges that existed before markets, and the bar grid on the exchange's clock (core/engine/sessions.ts, bars.ts). Other calendars: calendars.test.ts. */
import { describe, expect, it } from 'vitest';
import { locateBar } from '../../../core/engine/bars';
import { countInRegularSession, easterSunday, isSessionOpen, localDayOf, nyseEarlyCloses, nyseHolidays, resolveSession, sessionWindows, utcOffsetMs } from '../../../core/engine/sessions';

const utc = (iso: string) => Date.parse(iso);
const day = (iso: string) => Math.floor(Date.parse(`${iso}T12:00:00Z`) / 86_400_000);
const windows = (region: string, session: 'regular' | 'extended' | 'any', date: string) =>
  sessionWindows(region, session, day(date)).map(([from, to]) => [new Date(from).toISOString(), new Date(to).toISOString()]);

describe('NYSE holidays, computed', () => {
  it.each([
    [2024, ['2024-01-01', '2024-01-15', '2024-02-19', '2024-03-29', '2024-05-27', '2024-06-19', '2024-07-04', '2024-09-02', '2024-11-28', '2024-12-25']],
    [2025, ['2025-01-01', '2025-01-09', '2025-01-20', '2025-02-17', '2025-04-18', '2025-05-26', '2025-06-19', '2025-07-04', '2025-09-01', '2025-11-27', '2025-12-25']],
    [2026, ['2026-01-01', '2026-01-19', '2026-02-16', '2026-04-03', '2026-05-25', '2026-06-19', '2026-07-03', '2026-09-07', '2026-11-26', '2026-12-25']],
    [2027, ['2027-01-01', '2027-01-18', '2027-02-15', '2027-03-26', '2027-05-31', '2027-06-18', '2027-07-05', '2027-09-06', '2027-11-25', '2027-12-24']],
    [2028, ['2028-01-17', '2028-02-21', '2028-04-14', '2028-05-29', '2028-06-19', '2028-07-04', '2028-09-04', '2028-11-23', '2028-12-25']],
  ])('%i', (year, expected) => {
    expect([...nyseHolidays(year)].sort()).toEqual(expected);
  });

  it('observes weekend holidays on the Friday before or the Monday after, except New Year on a Saturday', () => {
    expect(nyseHolidays(2021).has('2021-12-24')).toBe(true); // Christmas on a Saturday
    expect(nyseHolidays(2021).has('2021-12-31')).toBe(false); // New Year 2022 is a Saturday: not observed
    expect(nyseHolidays(2022).has('2022-01-01')).toBe(false);
    expect(nyseHolidays(2023).has('2023-01-02')).toBe(true); // New Year on a Sunday
    expect(nyseHolidays(2022).has('2022-06-20')).toBe(true); // Juneteenth on a Sunday
    expect(nyseHolidays(2021).has('2021-06-18')).toBe(false); // Juneteenth only from 2022
    expect(nyseHolidays(2021).has('2021-07-05')).toBe(true); // Independence Day on a Sunday
  });

  it('computes Easter for Good Friday', () => {
    expect([2019, 2024, 2025, 2026, 2027, 2038].map(easterSunday)).toEqual([
      [4, 21],
      [3, 31],
      [4, 20],
      [4, 5],
      [3, 28],
      [4, 25],
    ]);
  });

  it('closes early (13:00) before Independence Day and Christmas, and after Thanksgiving', () => {
    expect([...nyseEarlyCloses(2025)].sort()).toEqual(['2025-07-03', '2025-11-28', '2025-12-24']);
    expect([...nyseEarlyCloses(2026)].sort()).toEqual(['2026-11-27', '2026-12-24']); // July 3 is the observed holiday
    expect([...nyseEarlyCloses(2027)].sort()).toEqual(['2027-11-26']); // July 3 is a Saturday, December 24 the observed Christmas
  });
});

describe('session windows', () => {
  it('US regular 09:30–16:00 and extended 04:00–20:00 New York time, across daylight saving', () => {
    expect(windows('US', 'regular', '2026-03-06')).toEqual([['2026-03-06T14:30:00.000Z', '2026-03-06T21:00:00.000Z']]);
    expect(windows('US', 'regular', '2026-03-09')).toEqual([['2026-03-09T13:30:00.000Z', '2026-03-09T20:00:00.000Z']]);
    expect(windows('US', 'extended', '2026-03-09')).toEqual([['2026-03-09T08:00:00.000Z', '2026-03-10T00:00:00.000Z']]);
  });

  it('US weekends and holidays have no session; early-close days end at 13:00 (17:00 extended)', () => {
    expect(windows('US', 'regular', '2026-03-07')).toEqual([]);
    expect(windows('US', 'regular', '2026-07-03')).toEqual([]);
    expect(windows('US', 'extended', '2026-11-26')).toEqual([]);
    expect(windows('US', 'regular', '2026-11-27')).toEqual([['2026-11-27T14:30:00.000Z', '2026-11-27T18:00:00.000Z']]);
    expect(windows('US', 'extended', '2026-11-27')).toEqual([['2026-11-27T09:00:00.000Z', '2026-11-27T22:00:00.000Z']]);
  });

  it('tells whether an exchange is open at an instant: hours, holidays, early closes, lunch breaks', () => {
    const at = (iso: string) => Date.parse(iso);
    expect(isSessionOpen('US', 'regular', at('2026-03-09T13:30:00Z'))).toBe(true); // 09:30 New York, summer time
    expect(isSessionOpen('US', 'regular', at('2026-03-09T13:29:59Z'))).toBe(false);
    expect(isSessionOpen('US', 'regular', at('2026-03-09T20:00:00Z'))).toBe(false); // 16:00: closed
    expect(isSessionOpen('US', 'regular', at('2026-07-03T15:00:00Z'))).toBe(false); // Independence Day observed
    expect(isSessionOpen('US', 'regular', at('2026-11-27T18:30:00Z'))).toBe(false); // after the 13:00 early close
    expect(isSessionOpen('US', 'extended', at('2026-11-27T18:30:00Z'))).toBe(true);
    expect(isSessionOpen('HK', 'regular', at('2026-03-09T04:30:00Z'))).toBe(false); // 12:30 Hong Kong: lunch
    expect(isSessionOpen('HK', 'regular', at('2026-03-09T05:30:00Z'))).toBe(true);
    expect(isSessionOpen('XX', 'regular', at('2026-03-08T03:00:00Z'))).toBe(true); // no table: always
  });

  it('counts the symbols that surely trade now: calendars whose holidays are known, in session', () => {
    const symbols = ['AAPL$US', 'MSFT$US', '700$HK', '600519$SH', 'X$XX'];
    expect(countInRegularSession(symbols, Date.parse('2026-03-09T15:00:00Z'))).toBe(2); // New York open
    expect(countInRegularSession(symbols, Date.parse('2026-07-03T15:00:00Z'))).toBe(0); // Independence Day observed
    expect(countInRegularSession(symbols, Date.parse('2026-03-08T15:00:00Z'))).toBe(0); // Sunday
    // Hong Kong and Shanghai are in session, but their holidays are not known: not counted.
    expect(isSessionOpen('HK', 'regular', Date.parse('2026-03-09T02:00:00Z'))).toBe(true);
    expect(countInRegularSession(symbols, Date.parse('2026-03-09T02:00:00Z'))).toBe(0);
  });

  it('HK and Shanghai have a lunch break', () => {
    expect(windows('HK', 'regular', '2026-03-09')).toEqual([
      ['2026-03-09T01:30:00.000Z', '2026-03-09T04:00:00.000Z'],
      ['2026-03-09T05:00:00.000Z', '2026-03-09T08:00:00.000Z'],
    ]);
    expect(windows('SZ', 'regular', '2026-03-09')).toEqual([
      ['2026-03-09T01:30:00.000Z', '2026-03-09T03:30:00.000Z'],
      ['2026-03-09T05:00:00.000Z', '2026-03-09T07:00:00.000Z'],
    ]);
  });

  it('any is the whole local day, every day', () => {
    expect(windows('US', 'any', '2026-03-07')).toEqual([['2026-03-07T05:00:00.000Z', '2026-03-08T05:00:00.000Z']]);
  });

  it('regions without a session table follow any; the default is regular where one exists', () => {
    expect(resolveSession(undefined, 'US')).toBe('regular');
    expect(resolveSession('extended', 'HK')).toBe('extended');
    expect(resolveSession(undefined, 'GB')).toBe('regular');
    expect(resolveSession(undefined, 'crypto')).toBe('regular');
    expect(resolveSession(undefined, 'XX')).toBe('any');
    expect(resolveSession('regular', 'XX')).toBe('any');
  });

  it('knows the offset and local day of an instant', () => {
    expect(utcOffsetMs('America/New_York', utc('2026-01-15T12:00:00Z'))).toBe(-5 * 3_600_000);
    expect(utcOffsetMs('America/New_York', utc('2026-07-15T12:00:00Z'))).toBe(-4 * 3_600_000);
    expect(localDayOf('America/New_York', utc('2026-01-16T03:00:00Z'))).toBe(day('2026-01-15'));
  });
});

describe('the bar grid', () => {
  const at = (iso: string) => {
    const bar = (interval: '1m' | '5m' | '1h' | '1d', session: 'regular' | 'extended' | 'any' = 'regular', region = 'US') => {
      const found = locateBar(region, interval, session, utc(iso));
      return found === null ? null : [new Date(found.start).toISOString(), new Date(found.end).toISOString()];
    };
    return bar;
  };

  it('puts intraday bars on the local clock, clipped to the session', () => {
    expect(at('2026-03-09T13:31:10Z')('1m')).toEqual(['2026-03-09T13:31:00.000Z', '2026-03-09T13:32:00.000Z']);
    expect(at('2026-03-09T13:36:10Z')('5m')).toEqual(['2026-03-09T13:35:00.000Z', '2026-03-09T13:40:00.000Z']);
    expect(at('2026-03-09T13:45:00Z')('1h')).toEqual(['2026-03-09T13:30:00.000Z', '2026-03-09T14:00:00.000Z']);
    expect(at('2026-03-09T14:00:00Z')('1h')).toEqual(['2026-03-09T14:00:00.000Z', '2026-03-09T15:00:00.000Z']);
    expect(at('2026-03-09T13:45:00Z')('1h', 'extended')).toEqual(['2026-03-09T13:00:00.000Z', '2026-03-09T14:00:00.000Z']);
  });

  it('leaves trades outside the session out, and spans the trading day with a daily bar', () => {
    expect(at('2026-03-09T13:29:59Z')('1m')).toBeNull();
    expect(at('2026-03-09T20:00:00Z')('1m')).toBeNull();
    expect(at('2026-03-07T15:00:00Z')('1m')).toBeNull(); // Saturday
    expect(at('2026-03-09T16:00:00Z')('1d')).toEqual(['2026-03-09T13:30:00.000Z', '2026-03-09T20:00:00.000Z']);
    expect(at('2026-03-09T04:30:00Z')('1d', 'regular', 'HK')).toBeNull(); // lunch break
    expect(at('2026-03-09T05:30:00Z')('1d', 'regular', 'HK')).toEqual(['2026-03-09T01:30:00.000Z', '2026-03-09T08:00:00.000Z']);
    expect(at('2026-03-07T15:00:00Z')('1d', 'any')).toEqual(['2026-03-07T05:00:00.000Z', '2026-03-08T05:00:00.000Z']);
  });

  it('follows the local clock in a zone with a half-hour offset (any)', () => {
    expect(at('2026-03-09T10:10:00Z')('1h', 'any', 'IN')).toEqual(['2026-03-09T09:30:00.000Z', '2026-03-09T10:30:00.000Z']);
  });
});

/**
 * Trading calendars per market (core/engine/sessions.ts, core/engine/calendars/): which calendar a
 * symbol follows, each exchange's hours on a normal day, crypto's 24/7 and forex's 24/5, CME
 * Globex's daily break, both daylight-saving switches (the US and Europe move on different
 * dates), the European exchanges' holidays, the stale-feed count, and bars and previous closes
 * on each calendar's trading day — through the engines too.
 */
import { describe, expect, it } from 'vitest';
import { locateBar, newEngineState, seedBars } from '../../../core/engine';
import { calendarOf, countInRegularSession, euronextHolidays, isSessionOpen, lseHolidays, sessionWindows, tradingDayOf, xetraHolidays } from '../../../core/engine/sessions';
import type { BarInterval, SessionKind } from '../../../core/rule-model';
import { rule, runBoth } from '../../support/engine-fixtures';

const at = (iso: string) => Date.parse(iso);
const dayOf = (date: string) => Math.floor(Date.parse(`${date}T12:00:00Z`) / 86_400_000);
const windows = (calendar: string, session: SessionKind, date: string) =>
  sessionWindows(calendar, session, dayOf(date)).map(([from, to]) => [new Date(from).toISOString(), new Date(to).toISOString()]);
const z = (iso: string) => `${iso}:00.000Z`;
const bar = (calendar: string, interval: BarInterval, session: SessionKind, iso: string) => {
  const found = locateBar(calendar, interval, session, at(iso));
  return found === null ? null : [new Date(found.start).toISOString(), new Date(found.end).toISOString()];
};

describe('the calendar of a symbol', () => {
  it('follows the market first: crypto and forex whatever the region, US futures on CME Globex', () => {
    expect(calendarOf('crypto:BTCUSDT$BA')).toBe('crypto');
    expect(calendarOf('forex:EURUSD$GB')).toBe('forex');
    expect(calendarOf('future:GC$US')).toBe('cme');
  });

  it('stocks, funds and indices (and futures elsewhere) follow their region’s exchange', () => {
    expect(calendarOf('AAPL$US')).toBe('US');
    expect(calendarOf('fund:QQQ$US')).toBe('US');
    expect(calendarOf('indices:DJI$US')).toBe('US');
    expect(calendarOf('RELIANCE$NSE$IN')).toBe('IN');
    expect(calendarOf('future:HSI$HK')).toBe('HK');
    expect(calendarOf('X$XX')).toBe('XX');
  });
});

describe('exchange hours on a normal day (Wednesday 14 January 2026, winter in the north)', () => {
  it.each([
    ['US', [['14:30', '21:00']]],
    ['HK', [['01:30', '04:00'], ['05:00', '08:00']]],
    ['SH', [['01:30', '03:30'], ['05:00', '07:00']]],
    ['SZ', [['01:30', '03:30'], ['05:00', '07:00']]],
    ['SG', [['01:00', '04:00'], ['05:00', '09:00']]],
    ['JP', [['00:00', '02:30'], ['03:30', '06:30']]],
    ['GB', [['08:00', '16:30']]],
    ['DE', [['08:00', '16:30']]],
    ['FR', [['08:00', '16:30']]],
    ['NL', [['08:00', '16:30']]],
    ['IN', [['03:45', '10:00']]],
    ['NG', [['09:00', '13:30']]],
    ['TW', [['01:00', '05:30']]],
    ['KR', [['00:00', '06:30']]],
    ['CA', [['14:30', '21:00']]],
  ])('%s regular session', (calendar, expected) => {
    expect(windows(calendar, 'regular', '2026-01-14')).toEqual(expected.map(([from, to]) => [z(`2026-01-14T${from}`), z(`2026-01-14T${to}`)]));
  });

  it('AU opens at 10:00 Sydney summer time, 23:00 UTC the day before', () => {
    expect(windows('AU', 'regular', '2026-01-14')).toEqual([[z('2026-01-13T23:00'), z('2026-01-14T05:00')]]);
  });

  it('extended sessions add the auctions and after-hours sessions; Tokyo has none', () => {
    expect(windows('GB', 'extended', '2026-01-14')).toEqual([[z('2026-01-14T08:00'), z('2026-01-14T16:40')]]);
    expect(windows('SG', 'extended', '2026-01-14')).toEqual([
      [z('2026-01-14T00:30'), z('2026-01-14T04:00')],
      [z('2026-01-14T05:00'), z('2026-01-14T09:16')],
    ]);
    expect(windows('JP', 'extended', '2026-01-14')).toEqual(windows('JP', 'regular', '2026-01-14'));
    expect(windows('KR', 'extended', '2026-01-14')).toEqual([[z('2026-01-13T23:30'), z('2026-01-14T09:00')]]);
  });

  it('lunch breaks: Singapore and Tokyo are closed at midday', () => {
    expect(isSessionOpen('SG', 'regular', at('2026-01-14T04:30:00Z'))).toBe(false); // 12:30 Singapore
    expect(isSessionOpen('JP', 'regular', at('2026-01-14T03:00:00Z'))).toBe(false); // 12:00 Tokyo
    expect(isSessionOpen('JP', 'regular', at('2026-01-14T06:29:59Z'))).toBe(true); // 15:29:59, the close moved to 15:30 in 2024
  });
});

describe('crypto: every minute of every day, days in UTC', () => {
  it('is open on a Sunday, in every session, and its day is the UTC day', () => {
    for (const session of ['regular', 'extended', 'any'] as const) {
      expect(windows('crypto', session, '2026-03-08')).toEqual([[z('2026-03-08T00:00'), z('2026-03-09T00:00')]]);
      expect(isSessionOpen('crypto', session, at('2026-03-08T12:00:00Z'))).toBe(true);
    }
  });

  it('counts for the stale-feed alarm at any hour of the week', () => {
    expect(countInRegularSession(['crypto:BTCUSDT$BA', 'crypto:ETHUSDT$BA'], at('2026-03-08T03:00:00Z'))).toBe(2); // Sunday night
    expect(countInRegularSession(['crypto:BTCUSDT$BA'], at('2026-12-25T12:00:00Z'))).toBe(1);
  });
});

describe('forex: Sunday 17:00 to Friday 17:00 New York, the day rolling at 17:00', () => {
  it('closes at 17:00 New York on Friday and opens at 17:00 on Sunday (winter: 22:00 UTC)', () => {
    expect(isSessionOpen('forex', 'regular', at('2026-01-16T21:59:59Z'))).toBe(true);
    expect(isSessionOpen('forex', 'regular', at('2026-01-16T22:00:00Z'))).toBe(false);
    expect(isSessionOpen('forex', 'regular', at('2026-01-17T12:00:00Z'))).toBe(false); // Saturday
    expect(isSessionOpen('forex', 'regular', at('2026-01-18T21:59:59Z'))).toBe(false);
    expect(isSessionOpen('forex', 'regular', at('2026-01-18T22:00:00Z'))).toBe(true);
  });

  it('moves with New York’s clock: the week after the March switch opens at 21:00 UTC', () => {
    expect(isSessionOpen('forex', 'regular', at('2026-03-06T21:59:59Z'))).toBe(true); // Friday, still EST
    expect(isSessionOpen('forex', 'regular', at('2026-03-08T20:59:59Z'))).toBe(false); // Sunday, EDT since 02:00
    expect(isSessionOpen('forex', 'regular', at('2026-03-08T21:00:00Z'))).toBe(true);
    expect(isSessionOpen('forex', 'regular', at('2026-03-13T21:00:00Z'))).toBe(false); // Friday 17:00 EDT
  });

  it('a trading day runs from 17:00 the evening before; Monday’s begins on Sunday', () => {
    expect(windows('forex', 'regular', '2026-01-19')).toEqual([[z('2026-01-18T22:00'), z('2026-01-19T22:00')]]);
    expect(windows('forex', 'regular', '2026-01-17')).toEqual([]);
    expect(windows('forex', 'any', '2026-01-17')).toEqual([[z('2026-01-16T22:00'), z('2026-01-17T22:00')]]);
    expect(tradingDayOf('forex', at('2026-01-14T22:00:00Z'))).toBe(dayOf('2026-01-15'));
    expect(tradingDayOf('forex', at('2026-01-14T21:59:59Z'))).toBe(dayOf('2026-01-14'));
  });

  it('counts in its 24/5 window only', () => {
    const symbols = ['forex:EURUSD$GB', 'forex:GBPUSD$GB'];
    expect(countInRegularSession(symbols, at('2026-01-14T03:00:00Z'))).toBe(2); // Tuesday night in New York
    expect(countInRegularSession(symbols, at('2026-01-17T12:00:00Z'))).toBe(0); // Saturday
  });
});

describe('US futures on CME Globex: Sunday 18:00 to Friday 17:00 New York, a break 17:00–18:00', () => {
  it('opens at 18:00 on Sunday and pauses for an hour every weekday evening', () => {
    expect(isSessionOpen('cme', 'regular', at('2026-01-18T22:30:00Z'))).toBe(false); // Sunday 17:30
    expect(isSessionOpen('cme', 'regular', at('2026-01-18T23:00:00Z'))).toBe(true); // Sunday 18:00
    expect(isSessionOpen('cme', 'regular', at('2026-01-20T22:30:00Z'))).toBe(false); // Tuesday 17:30: the break
    expect(isSessionOpen('cme', 'regular', at('2026-01-20T23:00:00Z'))).toBe(true);
    expect(isSessionOpen('cme', 'regular', at('2026-01-23T22:00:00Z'))).toBe(false); // Friday 17:00
    expect(windows('cme', 'regular', '2026-01-14')).toEqual([[z('2026-01-13T23:00'), z('2026-01-14T22:00')]]);
  });

  it('is not counted for the stale-feed alarm: CME holiday schedules are not computed', () => {
    expect(countInRegularSession(['future:GC$US'], at('2026-01-14T15:00:00Z'))).toBe(0);
  });
});

describe('daylight saving: the US and Europe switch on different dates', () => {
  const us = (date: string) => windows('US', 'regular', date);
  const europe = (calendar: string, date: string) => windows(calendar, 'regular', date);

  it('March: New York moves on the 8th, London and Frankfurt on the 29th', () => {
    expect(us('2026-03-06')).toEqual([[z('2026-03-06T14:30'), z('2026-03-06T21:00')]]);
    // Between the switches New York is 4 h behind UTC, London on UTC, Frankfurt 1 h ahead.
    expect(us('2026-03-16')).toEqual([[z('2026-03-16T13:30'), z('2026-03-16T20:00')]]);
    expect(europe('GB', '2026-03-16')).toEqual([[z('2026-03-16T08:00'), z('2026-03-16T16:30')]]);
    expect(europe('DE', '2026-03-16')).toEqual([[z('2026-03-16T08:00'), z('2026-03-16T16:30')]]);
    expect(europe('GB', '2026-03-30')).toEqual([[z('2026-03-30T07:00'), z('2026-03-30T15:30')]]);
    expect(europe('DE', '2026-03-30')).toEqual([[z('2026-03-30T07:00'), z('2026-03-30T15:30')]]);
    expect(us('2026-03-30')).toEqual([[z('2026-03-30T13:30'), z('2026-03-30T20:00')]]);
  });

  it('October–November: Europe moves back on 25 October, New York on 1 November', () => {
    expect(europe('GB', '2026-10-23')).toEqual([[z('2026-10-23T07:00'), z('2026-10-23T15:30')]]);
    expect(europe('GB', '2026-10-26')).toEqual([[z('2026-10-26T08:00'), z('2026-10-26T16:30')]]);
    expect(europe('FR', '2026-10-26')).toEqual([[z('2026-10-26T08:00'), z('2026-10-26T16:30')]]);
    expect(us('2026-10-26')).toEqual([[z('2026-10-26T13:30'), z('2026-10-26T20:00')]]);
    expect(us('2026-11-02')).toEqual([[z('2026-11-02T14:30'), z('2026-11-02T21:00')]]);
  });

  it('the forex day keeps 17:00 New York across the switch: 23 h on the Sunday of March', () => {
    expect(windows('forex', 'any', '2026-03-08')).toEqual([[z('2026-03-07T22:00'), z('2026-03-08T21:00')]]);
  });
});

describe('European exchange holidays, computed', () => {
  it('LSE: bank holidays of England and Wales, weekend ones on the next weekday, moved and one-off ones', () => {
    expect([...lseHolidays(2026)].sort()).toEqual(['2026-01-01', '2026-04-03', '2026-04-06', '2026-05-04', '2026-05-25', '2026-08-31', '2026-12-25', '2026-12-28']);
    expect([...lseHolidays(2022)].sort()).toEqual(['2022-01-03', '2022-04-15', '2022-04-18', '2022-05-02', '2022-06-02', '2022-06-03', '2022-08-29', '2022-09-19', '2022-12-26', '2022-12-27']);
    expect(lseHolidays(2021).has('2021-12-27') && lseHolidays(2021).has('2021-12-28')).toBe(true); // Christmas on a Saturday
    expect(lseHolidays(2020).has('2020-05-08')).toBe(true); // VE Day
    expect(lseHolidays(2023).has('2023-05-08')).toBe(true); // the coronation
  });

  it('Xetra: closed on 24 and 31 December, open on Whit Monday and German Unity Day', () => {
    expect([...xetraHolidays(2026)].sort()).toEqual(['2026-01-01', '2026-04-03', '2026-04-06', '2026-05-01', '2026-12-24', '2026-12-25', '2026-12-26', '2026-12-31']);
    expect(windows('DE', 'regular', '2026-05-25')).toHaveLength(1); // Whit Monday
    expect(windows('DE', 'regular', '2026-10-02')).toHaveLength(1);
  });

  it('Euronext: six days, and early closes on 24 and 31 December', () => {
    expect([...euronextHolidays(2025)].sort()).toEqual(['2025-01-01', '2025-04-18', '2025-04-21', '2025-05-01', '2025-12-25', '2025-12-26']);
    expect(windows('FR', 'regular', '2025-12-24')).toEqual([[z('2025-12-24T08:00'), z('2025-12-24T13:00')]]);
    expect(windows('NL', 'regular', '2025-05-01')).toEqual([]);
    expect(windows('FR', 'regular', '2025-07-14')).toHaveLength(1); // Bastille Day: Euronext trades
  });

  it('LSE half days end at 12:30', () => {
    expect(windows('GB', 'regular', '2026-12-24')).toEqual([[z('2026-12-24T08:00'), z('2026-12-24T12:30')]]);
    expect(windows('GB', 'regular', '2026-12-28')).toEqual([]); // Boxing Day observed
  });
});

describe('the stale-feed count across calendars', () => {
  const symbols = ['AAPL$US', 'VOD$GB', 'SAP$DE', 'MC$FR', '7203$JP', '700$HK', 'crypto:BTCUSDT$BA', 'forex:EURUSD$GB', 'future:GC$US'];

  it('counts calendars whose holidays are known, when their regular session is open', () => {
    // Monday 9 March 2026, 14:00 UTC: London, Frankfurt, Paris and New York (EDT) are open; Tokyo and Hong Kong are not.
    expect(countInRegularSession(symbols, at('2026-03-09T14:00:00Z'))).toBe(6);
    // 03:00 UTC: Tokyo and Hong Kong trade, but their holidays are not known; crypto and forex count.
    expect(countInRegularSession(symbols, at('2026-03-09T03:00:00Z'))).toBe(2);
    // Good Friday: every exchange here is closed; crypto trades, and forex (no exchange holidays).
    expect(countInRegularSession(symbols, at('2026-04-03T14:00:00Z'))).toBe(2);
  });
});

describe('bars on each calendar’s day', () => {
  it('a forex daily bar runs from 17:00 New York to 17:00; an hourly bar at 17:00 starts one', () => {
    expect(bar('forex', '1d', 'regular', '2026-01-14T21:00:00Z')).toEqual([z('2026-01-13T22:00'), z('2026-01-14T22:00')]);
    expect(bar('forex', '1d', 'regular', '2026-01-14T23:00:00Z')).toEqual([z('2026-01-14T22:00'), z('2026-01-15T22:00')]);
    expect(bar('forex', '1h', 'regular', '2026-01-14T22:30:00Z')).toEqual([z('2026-01-14T22:00'), z('2026-01-14T23:00')]);
    expect(bar('forex', '1m', 'regular', '2026-01-17T12:00:00Z')).toBeNull(); // Saturday
    expect(bar('forex', '1d', 'any', '2026-01-17T12:00:00Z')).toEqual([z('2026-01-16T22:00'), z('2026-01-17T22:00')]);
  });

  it('a crypto daily bar is the UTC day, Sundays included', () => {
    expect(bar('crypto', '1d', 'regular', '2026-03-08T15:00:00Z')).toEqual([z('2026-03-08T00:00'), z('2026-03-09T00:00')]);
    expect(bar('crypto', '15m', 'regular', '2026-03-08T15:20:00Z')).toEqual([z('2026-03-08T15:15'), z('2026-03-08T15:30')]);
  });

  it('CME Globex: the daily bar spans 18:00 to 17:00; nothing forms in the break', () => {
    expect(bar('cme', '1d', 'regular', '2026-01-14T15:00:00Z')).toEqual([z('2026-01-13T23:00'), z('2026-01-14T22:00')]);
    expect(bar('cme', '1m', 'regular', '2026-01-14T22:30:00Z')).toBeNull();
  });

  it('exchanges: Tokyo’s day spans its lunch break, Mumbai’s first hourly bar is 09:15–10:00', () => {
    expect(bar('JP', '1d', 'regular', '2026-01-14T05:00:00Z')).toEqual([z('2026-01-14T00:00'), z('2026-01-14T06:30')]);
    expect(bar('JP', '1m', 'regular', '2026-01-14T03:00:00Z')).toBeNull();
    expect(bar('IN', '1h', 'regular', '2026-01-14T03:50:00Z')).toEqual([z('2026-01-14T03:45'), z('2026-01-14T04:30')]);
    expect(bar('GB', '1h', 'regular', '2026-03-16T08:10:00Z')).toEqual([z('2026-03-16T08:00'), z('2026-03-16T09:00')]);
  });

  it('daily klines land on the forex trading day whether they start at 17:00 New York or at UTC midnight', () => {
    const spec = { key: '1d:regular', interval: '1d' as const, session: 'regular' as const, indicators: [] };
    const kline = (start: string, close: number) => ({ start: at(start), open: close, high: close, low: close, close, volume: 1 });
    for (const starts of [
      ['2026-01-12T22:00:00Z', '2026-01-13T22:00:00Z'],
      ['2026-01-13T00:00:00Z', '2026-01-14T00:00:00Z'],
    ]) {
      const state = newEngineState();
      seedBars(state, 'forex:EURUSD$GB', spec, [kline(starts[0] as string, 1.1), kline(starts[1] as string, 1.2)], at('2026-01-15T12:00:00Z'));
      const series = state.symbols['forex:EURUSD$GB']?.series[0];
      expect([series?.prevClose, series?.lastClose, series?.closedEnd]).toEqual([1.1, 1.2, at('2026-01-14T22:00:00Z')]);
    }
  });
});

describe('the previous close on each calendar, through both engines', () => {
  it('forex: the session’s previous close is the close before 17:00 New York', () => {
    const r = rule({ type: 'change_from_prev_close_pct', session: 'regular', percent: 2 }, { symbol: 'forex:EURUSD$GB' });
    const trades = (prices: Array<[string, number]>) => [{ symbol: 'forex:EURUSD$GB', points: prices.map(([iso, price]) => ({ price, at: at(iso), volume: 1 })) }];
    const run = runBoth(
      [r],
      [
        trades([['2026-01-14T21:30:00Z', 1]]), // 16:30 New York, Wednesday's day
        trades([['2026-01-14T21:59:00Z', 1.01]]), // Wednesday's close
        trades([['2026-01-14T22:01:00Z', 1.02]]), // Thursday's day: +0.99 % on 1.01
        trades([['2026-01-14T22:05:00Z', 1.031]]), // +2.08 %
      ],
      at('2026-01-14T21:00:00Z'),
    );
    expect(run.alerts.map((a) => a.price)).toEqual([1.031]);
  });

  it('crypto: the previous close is the last trade before 00:00 UTC, on a Sunday too', () => {
    const r = rule({ type: 'change_from_prev_close_pct', session: 'regular', percent: -5 }, { symbol: 'crypto:BTCUSDT$BA' });
    const trades = (prices: Array<[string, number]>) => [{ symbol: 'crypto:BTCUSDT$BA', points: prices.map(([iso, price]) => ({ price, at: at(iso), volume: 1 })) }];
    const run = runBoth(
      [r],
      [trades([['2026-03-07T23:59:00Z', 100_000]]), trades([['2026-03-08T00:00:01Z', 97_000]]), trades([['2026-03-08T13:00:00Z', 94_900]])],
      at('2026-03-07T23:00:00Z'),
    );
    expect(run.alerts.map((a) => a.price)).toEqual([94_900]);
  });
});

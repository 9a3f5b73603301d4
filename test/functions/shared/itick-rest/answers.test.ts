/**
 * Reading iTick's REST answers tolerantly: the kline and quote shapes of every asset class as
 * iTick's docs and SDKs print them (test/fixtures/itick/rest-*.json), odd answers, 15-minute
 * bars built from 5-minute ones, and `Retry-After`.
 */
import { describe, expect, it } from 'vitest';
import { klinePeriodOf } from '../../../../core/feed/kline-periods';
import { aggregateBars, parseKlines, parseQuote, pauseUntil, retryAfterTime, type RestQuote } from '../../../../functions/shared/itick-rest';
import { restFixture } from '../../../support/itick-rest-fixtures';

const MARKETS = ['stock', 'forex', 'indices', 'crypto', 'future', 'fund'] as const;

describe('parseKlines', () => {
  it.each(MARKETS)("reads the %s kline answer of iTick's docs: code 0, msg null, data a list of bars", (market) => {
    const fixture = restFixture(`rest-${market}-kline`);
    const bars = parseKlines(fixture.messages[0]);
    const expected = fixture.expect.bars as Array<{ time: number; close: number; kType: number }>;
    expect(bars.map((b) => [b.start, b.close])).toEqual(expected.map((b) => [b.time, b.close]));
    expect(expected.every((b) => klinePeriodOf(b.kType)?.period === '5m')).toBe(true);
  });

  it('reads kType 3 bars ten minutes apart (iTick has no 15-minute kType)', () => {
    const fixture = restFixture('rest-stock-kline-ktype3');
    const starts = parseKlines(fixture.messages[0]).map((b) => b.start);
    expect(starts.slice(1).map((t, i) => t - (starts[i] as number))).toEqual([600_000, 600_000, 600_000]);
    expect(klinePeriodOf(3)?.ms).toBe(fixture.expect.barSpacingMs);
  });

  it('reads bars whatever the answer code, with numbers as strings and times in seconds, oldest first', () => {
    const bars = parseKlines({
      code: 1,
      msg: 'ok',
      data: [
        { t: '1700000060', o: '10.5', h: '11', l: '10', c: '10.8', v: '300', tu: '3240' },
        { t: 1_700_000_000_000, o: 10, h: 10.6, l: 9.9, c: 10.5, v: 200 },
      ],
    });
    expect(bars).toEqual([
      { start: 1_700_000_000_000, open: 10, high: 10.6, low: 9.9, close: 10.5, volume: 200 },
      { start: 1_700_000_060_000, open: 10.5, high: 11, low: 10, close: 10.8, volume: 300 },
    ]);
  });

  it('skips unusable entries, keeps the last of duplicates, and finds a list under data.list', () => {
    const bars = parseKlines({ code: 0, data: { list: [{ t: 1, c: 'x' }, null, { c: 5 }, { t: 1_700_000_000_000, c: 5 }, { t: 1_700_000_000_000, c: 6, v: -1 }] } });
    expect(bars).toEqual([{ start: 1_700_000_000_000, open: 6, high: 6, low: 6, close: 6, volume: 0 }]);
  });

  it("throws an answer error with iTick's message when the answer holds no bars", () => {
    expect(() => parseKlines({ code: 0, msg: 'token expired', data: null })).toThrow(/no bars: token expired/);
    expect(() => parseKlines('nonsense')).toThrow(expect.objectContaining({ kind: 'answer' }));
  });
});

describe('parseQuote', () => {
  const fixtures = [...MARKETS.map((m) => `rest-${m}-quote`), 'rest-stock-quote-with-p'];

  it.each(fixtures)('reads %s: last price, time, day volume, change and the previous close', (name) => {
    const fixture = restFixture(name);
    const expected = fixture.expect.quote as { price: number; time: number; dayVolume: number; prevClose: number; changePct: number; tradingStatus?: string };
    const quote = parseQuote(fixture.messages[0]);
    expect(quote).toMatchObject({ price: expected.price, time: expected.time, dayVolume: expected.dayVolume, changePct: expected.changePct });
    // ld - ch is floating-point: the fixtures ask for a tolerance.
    expect(quote.prevClose).toBeCloseTo(expected.prevClose, 9);
    if (expected.tradingStatus !== undefined) expect(quote.tradingStatus).toBe(expected.tradingStatus);
  });

  it('takes p as the previous close when given, else ld - ch without float noise', () => {
    expect(parseQuote(restFixture('rest-stock-quote-with-p').messages[0]).prevClose).toBe(236.17);
    expect(parseQuote(restFixture('rest-stock-quote').messages[0]).prevClose).toBe(236.17);
  });

  it('reads numbers sent as strings, and leaves out what is missing', () => {
    const quote: RestQuote = parseQuote({ code: '0', data: { ld: '10.5', t: '1796396403', ch: '0.5', ts: '1' } });
    expect(quote).toEqual({ price: 10.5, time: 1_796_396_403_000, dayVolume: undefined, prevClose: 10, changePct: undefined, tradingStatus: 'suspended' });
    expect(parseQuote({ data: { ld: 3 } }).prevClose).toBeUndefined();
  });

  it('throws an answer error when there is no last price', () => {
    expect(() => parseQuote({ code: 0, msg: 'not found this produce', data: null })).toThrow(/no last price: not found this produce/);
    expect(() => parseQuote({ data: { ld: 0 } })).toThrow(expect.objectContaining({ kind: 'answer' }));
  });
});

describe('aggregateBars (15-minute bars from 5-minute klines)', () => {
  const bar = (start: number, o: number, h: number, l: number, c: number, v = 10) => ({ start, open: o, high: h, low: l, close: c, volume: v });
  const MIN5 = 300_000;

  it("makes one 15-minute bar of the stock fixture's three 5-minute bars (10:00, 10:05, 10:10 New York)", () => {
    const fiveMinute = parseKlines(restFixture('rest-stock-kline').messages[0]);
    const bars = aggregateBars(fiveMinute, 'US', '15m', MIN5);
    expect(bars).toEqual([{ start: 1_796_396_400_000, open: 238.26, high: 238.54, low: 238.2, close: 238.4, volume: 118_000 + 126_260 + 134_520 }]);
  });

  it('aligns to the exchange clock: Hong Kong 09:30 local is a bar start, and a gap leaves a bar out', () => {
    const hk0930 = Date.UTC(2026, 11, 4, 1, 30); // 09:30 in Hong Kong
    const fiveMinute = [bar(hk0930, 1, 2, 1, 2), bar(hk0930 + MIN5, 2, 3, 2, 3), bar(hk0930 + 2 * MIN5, 3, 3, 1, 1), bar(hk0930 + 6 * MIN5, 5, 6, 4, 6)];
    expect(aggregateBars(fiveMinute, 'HK', '15m', MIN5)).toEqual([bar(hk0930, 1, 3, 1, 1, 30), bar(hk0930 + 6 * MIN5, 5, 6, 4, 6)]);
  });

  it('drops the oldest bar when the limit cut off its first 5 minutes (its open would be wrong)', () => {
    const t = Date.UTC(2026, 11, 4, 15, 0); // 10:00 New York
    const fiveMinute = [bar(t + MIN5, 1, 1, 1, 1), bar(t + 2 * MIN5, 2, 2, 2, 2), bar(t + 3 * MIN5, 3, 3, 3, 3)];
    expect(aggregateBars(fiveMinute, 'US', '15m', MIN5)).toEqual([bar(t + 3 * MIN5, 3, 3, 3, 3)]);
  });

  it('keeps a forming last bar that has only some of its 5-minute bars', () => {
    const t = Date.UTC(2026, 11, 4, 15, 0);
    const fiveMinute = [bar(t, 1, 1, 1, 1), bar(t + MIN5, 2, 2, 2, 2), bar(t + 2 * MIN5, 3, 3, 3, 3), bar(t + 3 * MIN5, 4, 4, 4, 4)];
    expect(aggregateBars(fiveMinute, 'US', '15m', MIN5).map((b) => [b.start, b.close])).toEqual([
      [t, 3],
      [t + 3 * MIN5, 4],
    ]);
  });

  it('aligns crypto to UTC', () => {
    const t = Date.UTC(2026, 11, 4, 0, 10);
    expect(aggregateBars([bar(t, 1, 1, 1, 1), bar(t + MIN5, 2, 2, 2, 2)], 'crypto', '15m', MIN5).map((b) => b.start)).toEqual([Date.UTC(2026, 11, 4, 0, 15)]);
  });
});

describe('Retry-After', () => {
  const now = Date.UTC(2026, 11, 4, 15, 0, 0);

  it('reads seconds and HTTP dates', () => {
    expect(retryAfterTime('30', now)).toBe(now + 30_000);
    expect(retryAfterTime(' 1.5 ', now)).toBe(now + 1500);
    expect(retryAfterTime('Fri, 04 Dec 2026 15:01:00 GMT', now)).toBe(now + 60_000);
    expect(retryAfterTime('Fri, 04 Dec 2026 14:00:00 GMT', now)).toBe(now);
    expect(retryAfterTime('soon', now)).toBeUndefined();
    expect(retryAfterTime(null, now)).toBeUndefined();
  });

  it('pauses for the fallback without a readable header, and never beyond the maximum', () => {
    expect(pauseUntil(undefined, now, 60_000, 900_000)).toBe(now + 60_000);
    expect(pauseUntil('86400', now, 60_000, 900_000)).toBe(now + 900_000);
  });
});

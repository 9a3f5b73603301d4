/**
 * Each indicator condition, and each cross direction, judged through both engines (runBoth checks
 * that the indexed engine and the reference engine agree on every batch). What should fire is
 * taken from the reference library where it is a number to compute.
 */
import { RSI } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { BAR_CLOSE_GRACE_MS, evaluateBatch, evaluateReference, newEngineState, readEngineState, RuleIndex, seedBars, warmUpRequests } from '../../../core/engine';
import type { EngineState, PricePoint, SymbolBatch } from '../../../core/engine';
import type { Condition } from '../../../core/rule-model';
import { rule, runBoth, SYMBOL } from '../../support/engine-fixtures';
import { barEnd, libraryAverageGap, libraryBandGap, libraryHistogram, MINUTE, minuteCloses, OPEN, zeroCrossings } from '../../support/indicator-fixtures';

/** Each trade in a batch of its own: bars close at the next bar's first trade. */
const oneByOne = (points: PricePoint[]) => points.map((p) => [p]);

/** A wave: falls, rises, falls, rises — enough turns for every cross direction. */
const wave = Array.from({ length: 120 }, (_, i) => Number((100 + 6 * Math.sin(i / 6) + (i % 3) * 0.3).toFixed(2)));

describe('rsi_above / rsi_below (levels on closed bars)', () => {
  const closes = [100, 99, 100, 101, 102, 103, 102, 104, 103, 101, 100, 99, 100, 101];

  it('fires at the close of the bar whose RSI rises above the level, with its close and end time', () => {
    const r = rule({ type: 'rsi_above', period: 3, interval: '1m', value: 70 });
    const run = runBoth([r], oneByOne(minuteCloses(closes)));
    const lib = new RSI(3);
    const values = closes.map((c) => lib.add(c));
    const first = values.findIndex((v) => v !== null && v > 70);
    expect(run.alerts[0]).toMatchObject({ price: closes[first], at: barEnd(first), previousPrice: closes[first - 1] });
  });

  it('re-arms (rearm) only after a close at or below the level, then fires again', () => {
    const r = rule({ type: 'rsi_above', period: 3, interval: '1m', value: 70 });
    const lib = new RSI(3);
    const values = closes.map((c) => lib.add(c));
    const expected: number[] = [];
    let armed = true;
    values.forEach((v, i) => {
      // The last bar has no later trade: it never closes in this test.
      if (i === closes.length - 1) return;
      const holds = v !== null && v > 70;
      if (holds && armed) expected.push(barEnd(i));
      armed = !holds;
    });
    expect(expected.length).toBeGreaterThanOrEqual(2);
    expect(runBoth([r], oneByOne(minuteCloses(closes))).alerts.map((a) => a.at)).toEqual(expected);
  });

  it('rsi_below fires when RSI falls below the level', () => {
    const r = rule({ type: 'rsi_below', period: 3, interval: '1m', value: 30 });
    const lib = new RSI(3);
    const values = closes.map((c) => lib.add(c));
    const first = values.findIndex((v) => v !== null && v < 30);
    expect(first).toBeGreaterThan(0);
    expect(runBoth([r], oneByOne(minuteCloses(closes))).alerts[0]?.at).toBe(barEnd(first));
  });

  it('repeat fires at every close while the level holds (once per bar close), never between closes', () => {
    const r = rule({ type: 'rsi_above', period: 2, interval: '1m', value: 60 }, { trigger: 'repeat' });
    const rising = [100, 101, 102, 103, 104, 105];
    const trades = minuteCloses(rising).flatMap((p) => [p, { ...p, at: p.at + 10_000 }, { ...p, at: p.at + 20_000, price: p.price + 0.1 }]);
    const run = runBoth([r], oneByOne(trades));
    expect(run.alerts.map((a) => a.at)).toEqual([barEnd(2), barEnd(3), barEnd(4)]);
  });

  it('waits for the bar to close: a spike inside the forming bar does not fire', () => {
    const r = rule({ type: 'rsi_above', period: 2, interval: '1m', value: 90 });
    const trades = [...minuteCloses([100, 99, 98]), { price: 130, at: OPEN + 2 * MINUTE + 40_000, volume: 1 }, { price: 97, at: OPEN + 2 * MINUTE + 50_000, volume: 1 }];
    expect(runBoth([r], [trades, minuteCloses([96], OPEN + 3 * MINUTE)]).alerts).toEqual([]);
  });
});

describe('macd_cross (MACD line crossing its signal line, at bar close)', () => {
  it.each(['up', 'down'] as const)('direction %s fires exactly where the library sees the crossing', (direction) => {
    const r = rule({ type: 'macd_cross', fast: 3, slow: 6, signal: 3, interval: '1m', direction }, { cooldownSeconds: 0 });
    const expected = zeroCrossings(libraryHistogram(wave, 3, 6, 3), direction === 'up').filter((i) => i < wave.length - 1);
    expect(expected.length).toBeGreaterThanOrEqual(2);
    expect(runBoth([r], oneByOne(minuteCloses(wave))).alerts.map((a) => a.at)).toEqual(expected.map((i) => barEnd(i)));
  });
});

describe('ma_cross (fast average crossing the slow one, at bar close)', () => {
  it.each([
    ['sma', 'up'],
    ['sma', 'down'],
    ['ema', 'up'],
    ['ema', 'down'],
  ] as const)('%s %s fires exactly where the library sees the crossing', (kind, direction) => {
    const r = rule({ type: 'ma_cross', kind, fast: 3, slow: 8, interval: '1m', direction }, { cooldownSeconds: 0 });
    const expected = zeroCrossings(libraryAverageGap(wave, kind, 3, 8), direction === 'up').filter((i) => i < wave.length - 1);
    expect(expected.length).toBeGreaterThanOrEqual(2);
    expect(runBoth([r], oneByOne(minuteCloses(wave))).alerts.map((a) => a.at)).toEqual(expected.map((i) => barEnd(i)));
  });
});

describe('bollinger_break (a close crossing outside the band: an edge)', () => {
  const jumpy = wave.map((c, i) => (i % 17 === 9 ? c + 9 : i % 17 === 14 ? c - 9 : c));

  it.each(['upper', 'lower'] as const)('%s fires exactly where the library sees the close cross the band line', (band) => {
    const r = rule({ type: 'bollinger_break', period: 5, stdDev: 1.5, interval: '1m', band }, { cooldownSeconds: 0 });
    const expected = zeroCrossings(libraryBandGap(jumpy, 5, 1.5, band), band === 'upper').filter((i) => i < jumpy.length - 1);
    expect(expected.length).toBeGreaterThanOrEqual(2);
    expect(runBoth([r], oneByOne(minuteCloses(jumpy))).alerts.map((a) => a.at)).toEqual(expected.map((i) => barEnd(i)));
  });

  it('staying outside the band fires once; a new break needs a close back inside first', () => {
    const r = rule({ type: 'bollinger_break', period: 3, stdDev: 1, interval: '1m', band: 'upper' }, { trigger: 'repeat', cooldownSeconds: 0 });
    const run = runBoth([r], oneByOne(minuteCloses([100, 100.5, 100, 104, 109, 116, 125, 125.1])));
    expect(run.alerts).toHaveLength(1);
  });
});

describe('evaluate: "forming"', () => {
  it('judges RSI with the forming bar price as its close, at every trade', () => {
    const r = rule({ type: 'rsi_above', period: 2, interval: '1m', value: 60, evaluate: 'forming' });
    const trades = [...minuteCloses([100, 99, 98]), { price: 101, at: OPEN + 2 * MINUTE + 45_000, volume: 1 }];
    const run = runBoth([r], oneByOne(trades));
    expect(run.alerts.map((a) => [a.price, a.at])).toEqual([[101, OPEN + 2 * MINUTE + 45_000]]);
  });

  it('fires a cross at the trade that carries the forming value across, not on a baseline', () => {
    const r = rule({ type: 'ma_cross', kind: 'sma', fast: 1, slow: 3, interval: '1m', direction: 'up', evaluate: 'forming' });
    const trades = [...minuteCloses([100, 99, 98]), { price: 98.5, at: OPEN + 2 * MINUTE + 40_000, volume: 1 }, { price: 100, at: OPEN + 2 * MINUTE + 50_000, volume: 1 }];
    const run = runBoth([r], oneByOne(trades));
    // With closes 100 and 99, the forming price p is above the 3-bar SMA (199 + p) / 3 once p > 99.5.
    expect(run.alerts.map((a) => a.price)).toEqual([100]);
  });
});

describe('bar closing', () => {
  it('closes a bar at the end of a batch once now is past its end by the grace, without a later trade', () => {
    const r = rule({ type: 'rsi_above', period: 2, interval: '1m', value: 60 });
    const index = new RuleIndex();
    index.upsert(r);
    const state = newEngineState();
    const reference = newEngineState();
    const points = minuteCloses([100, 101, 102]);
    const batch: SymbolBatch[] = [{ symbol: SYMBOL, points }];
    const lastEnd = barEnd(2);
    // RSI(2) needs three closes: the third bar's close is the first that can fire.
    const early = evaluateBatch(index, state, batch, { now: lastEnd + BAR_CLOSE_GRACE_MS - 1 });
    expect(early.alerts).toEqual([]);
    expect(evaluateReference([r], reference, batch, { now: lastEnd + BAR_CLOSE_GRACE_MS - 1 }).alerts).toEqual([]);
    // The next batch (here of another symbol of the shard) brings a later now: the last bar closes then.
    const other: SymbolBatch[] = [{ symbol: 'OTHER$US', points: [{ price: 1, at: lastEnd + 3000, volume: 1 }] }];
    const later = evaluateBatch(index, state, other, { now: lastEnd + BAR_CLOSE_GRACE_MS });
    expect(later.alerts.map((a) => [a.price, a.at])).toEqual([[102, lastEnd]]);
    expect(evaluateReference([r], reference, other, { now: lastEnd + BAR_CLOSE_GRACE_MS }).alerts).toEqual(later.alerts);
    expect(state.symbols[SYMBOL]?.series[0]?.closedEnd).toBe(lastEnd);
  });

  it('leaves trades outside the regular session out of its bars; the any session counts them', () => {
    const regular = rule({ type: 'rsi_above', period: 2, interval: '1m', value: 90 });
    const any = rule({ type: 'rsi_above', period: 2, interval: '1m', value: 90, session: 'any' });
    const preMarket = minuteCloses([100, 101, 102, 103], OPEN - 10 * MINUTE);
    const run = runBoth([regular, any], [preMarket, minuteCloses([103.5], OPEN)]);
    expect(run.alerts.map((a) => a.ruleId)).toEqual([any.id]);
    expect(run.state.symbols[SYMBOL]?.series.find((s) => s.key === '1m:regular')?.count).toBe(0);
  });

  it('drops late trades (stamped before the forming bar) from the bars', () => {
    const r = rule({ type: 'rsi_below', period: 2, interval: '1m', value: 10 });
    const trades = [...minuteCloses([100, 101, 102]), { price: 1, at: OPEN + 10_000, volume: 1 }, ...minuteCloses([103], OPEN + 3 * MINUTE)];
    expect(runBoth([r], [trades]).alerts).toEqual([]);
  });
});

describe('composites judged at bar close', () => {
  it('all(rsi_below, price_above) judges the price level at the bar close', () => {
    const r = rule({ type: 'all', conditions: [{ type: 'rsi_below', period: 2, interval: '1m', value: 40 }, { type: 'price_above', value: 97.5 }] });
    const run = runBoth([r], oneByOne(minuteCloses([100, 99, 98, 97, 96])));
    expect(run.alerts.map((a) => a.price)).toEqual([98]);
  });

  it('any(macd_cross, rsi_above) fires on either, at a close', () => {
    const conditions: Condition = { type: 'any', conditions: [{ type: 'macd_cross', fast: 3, slow: 6, signal: 3, interval: '1m', direction: 'up' }, { type: 'rsi_above', period: 3, interval: '1m', value: 95 }] };
    const run = runBoth([rule(conditions, { cooldownSeconds: 0 })], oneByOne(minuteCloses(wave)));
    const expected = zeroCrossings(libraryHistogram(wave, 3, 6, 3), true).filter((i) => i < wave.length - 1);
    expect(run.alerts.length).toBeGreaterThanOrEqual(expected.length);
  });
});

describe('change_from_prev_close_pct with a session', () => {
  it('compares with the last close of the session\'s daily bar, not the feed\'s previous close', () => {
    const r = rule({ type: 'change_from_prev_close_pct', percent: 2, session: 'regular' });
    const monday = minuteCloses([100, 101, 100]);
    const tuesday = minuteCloses([101, 102], OPEN + 86_400_000);
    const run = runBoth([r], [[{ symbol: SYMBOL, points: monday, prevClose: 50 }], [{ symbol: SYMBOL, points: tuesday, prevClose: 50 }]]);
    expect(run.alerts.map((a) => a.price)).toEqual([102]);
  });
});

describe('warming up from history', () => {
  const spec = { key: '1m:regular', interval: '1m' as const, session: 'regular' as const, indicators: ['rsi:3'] };
  const history = [100, 101, 102, 103, 102, 101, 100, 99].map((close, i) => ({ start: OPEN + i * MINUTE, open: close, high: close, low: close, close, volume: 10 }));

  it('asks for the series rules read, and seeds them so that the first live close can fire', () => {
    const r = rule({ type: 'rsi_below', period: 3, interval: '1m', value: 30 });
    const index = new RuleIndex();
    index.upsert(r);
    const state: EngineState = newEngineState();
    expect(warmUpRequests(index, state, [SYMBOL])).toEqual([{ symbol: SYMBOL, series: spec, limit: 100 }]);
    const now = OPEN + 8 * MINUTE + 5000;
    seedBars(state, SYMBOL, spec, history, now);
    expect(warmUpRequests(index, state, [SYMBOL])).toEqual([]);
    const series = state.symbols[SYMBOL]?.series[0];
    expect(series).toMatchObject({ count: 8, lastClose: 99, seeded: true, bar: null });
    const result = evaluateBatch(index, state, [{ symbol: SYMBOL, points: minuteCloses([98, 97], OPEN + 8 * MINUTE) }], { now });
    const lib = new RSI(3);
    const rsi = [...history.map((h) => h.close), 98].map((c) => lib.add(c)).at(-1) as number;
    expect(rsi).toBeLessThan(30);
    expect(result.alerts.map((a) => a.at)).toEqual([barEnd(8)]);
  });

  it('takes a history bar that has not ended as the forming bar, and merges live trades into it', () => {
    const state = newEngineState();
    seedBars(state, SYMBOL, spec, history, OPEN + 7 * MINUTE + 20_000);
    expect(state.symbols[SYMBOL]?.series[0]).toMatchObject({ count: 7, bar: { start: OPEN + 7 * MINUTE, close: 99 } });
  });

  it('places daily klines on their dates (stamped at UTC midnight, local midnight or the open) and drops days without a session', () => {
    const daily = { key: '1d:regular', interval: '1d' as const, session: 'regular' as const, indicators: ['sma:2'] };
    const stamps = ['2026-11-02T00:00:00Z', '2026-11-03T05:00:00Z', '2026-11-04T14:30:00Z', '2026-11-05T00:00:00Z', '2026-11-06T05:00:00Z', '2026-11-07T00:00:00Z'];
    const bars = stamps.map((iso, i) => ({ start: Date.parse(iso), open: 100 + i, high: 100 + i, low: 100 + i, close: 100 + i, volume: 1 }));
    const state = newEngineState();
    seedBars(state, SYMBOL, daily, bars, Date.parse('2026-11-09T15:00:00Z'));
    // Monday to Friday; the Saturday kline has no regular session. Friday's bar ends at 16:00 New York.
    expect(state.symbols[SYMBOL]?.series[0]).toMatchObject({ count: 5, lastClose: 104, closedEnd: Date.parse('2026-11-06T21:00:00Z'), closes: [103, 104] });
  });

  it('survives a JSON round trip of the state', () => {
    const state = newEngineState();
    seedBars(state, SYMBOL, spec, history, OPEN + 8 * MINUTE);
    expect(readEngineState(JSON.parse(JSON.stringify(state)))).toEqual(state);
  });
});

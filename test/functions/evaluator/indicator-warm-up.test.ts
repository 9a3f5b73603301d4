/**
 * Warming indicators from iTick's klines before a batch (pure: a fake kline source, markers
 * recorded in memory): cold series are seeded, fetches are bounded per batch, a failure never
 * fails the batch — the series warm from live data, say so once on the symbol, and are tried
 * again once the budget has a slot (or a minute after an error) — and the note is cleared once
 * the series is warm. test/functions/evaluator/warm-up-budget.test.ts runs it in the evaluator
 * against DynamoDB Local and a stand-in iTick.
 */
import { describe, expect, it } from 'vitest';
import { evaluateBatch, newEngineState, RuleIndex, seedBars, type EngineRule, type SeedBar } from '../../../core/engine';
import type { BarInterval } from '../../../core/rule-model';
import { IndicatorWarmUp, type WarmUpOptions } from '../../../functions/evaluator/indicator-warm-up';
import { WarmUpMarkers } from '../../../functions/evaluator/warm-up-markers';
import { ItickRestError, type KlineSource } from '../../../functions/shared/itick-rest';
import type { SymbolWarmUp } from '../../../storage/symbols-repository';
import { rule } from '../../support/engine-fixtures';
import { MINUTE, OPEN } from '../../support/indicator-fixtures';

const history = (closes: number[], start = OPEN - closes.length * MINUTE): SeedBar[] =>
  closes.map((close, i) => ({ start: start + i * MINUTE, open: close, high: close, low: close, close, volume: 10 }));

class FakeSource implements KlineSource {
  readonly calls: string[] = [];
  failWith: Error | undefined;
  constructor(private readonly bars: SeedBar[]) {}
  async klines(symbol: string, interval: BarInterval, limit: number): Promise<SeedBar[]> {
    this.calls.push(`${symbol} ${interval} ${limit}`);
    if (this.failWith !== undefined) throw this.failWith;
    return this.bars;
  }
}

class RecordedMarkers {
  readonly writes: Array<[string, string, SymbolWarmUp | undefined]> = [];
  readonly markers = new WarmUpMarkers(
    async (symbol, interval, state) => {
      this.writes.push([symbol, interval, state]);
    },
    () => undefined,
  );
}

const engineRule = (id: string, symbol: string, condition: EngineRule['condition']): EngineRule => rule(condition, { id, symbol });

const options: WarmUpOptions = { maxPerBatch: 2, retryAfterMs: 60_000, reuseForMs: 10_000, maxEntries: 100, maxWaitMs: 0 };
const rsiIndex = (symbol = 'AAPL$US', interval: BarInterval = '1m') => {
  const index = new RuleIndex();
  index.upsert(engineRule(`r-${symbol}-${interval}`, symbol, { type: 'rsi_below', period: 3, interval, value: 30 }));
  return index;
};

describe('IndicatorWarmUp', () => {
  it('seeds the cold series of the batch symbols, once', async () => {
    // Seven regular-session minutes from the open.
    const source = new FakeSource(history([100, 101, 102, 101, 100, 99, 98], OPEN));
    const warmUp = new IndicatorWarmUp(source, { failed: () => undefined }, options);
    const index = rsiIndex();
    const state = newEngineState();
    const now = OPEN + 7 * MINUTE;
    expect(await warmUp.warm(index, state, ['AAPL$US'], now)).toEqual({ seeded: 1, fetched: 1, failed: 0, refused: 0, deferred: 0 });
    expect(state.symbols['AAPL$US']?.series[0]).toMatchObject({ key: '1m:regular', count: 7, seeded: true });
    expect(await warmUp.warm(index, state, ['AAPL$US'], now + 1000)).toEqual({ seeded: 0, fetched: 0, failed: 0, refused: 0, deferred: 0 });
    expect(source.calls).toEqual(['AAPL$US 1m 100']);
  });

  it('fetches at most maxPerBatch per batch, shares a fetch between sessions of one interval, and warms the rest later', async () => {
    const source = new FakeSource(history([100, 101, 102]));
    const warmUp = new IndicatorWarmUp(source, { failed: () => undefined }, options);
    const index = new RuleIndex();
    for (const [i, symbol] of ['A$US', 'B$US', 'C$US'].entries()) {
      index.upsert(engineRule(`r${i}`, symbol, { type: 'rsi_above', period: 14, interval: '5m', value: 70 }));
      index.upsert(engineRule(`s${i}`, symbol, { type: 'rsi_above', period: 14, interval: '5m', value: 70, session: 'any' }));
    }
    const state = newEngineState();
    expect(await warmUp.warm(index, state, ['A$US', 'B$US', 'C$US'], OPEN)).toMatchObject({ seeded: 4, fetched: 2, failed: 0, deferred: 2 });
    expect(await warmUp.warm(index, state, ['A$US', 'B$US', 'C$US'], OPEN + 250)).toMatchObject({ seeded: 2, fetched: 1, failed: 0, deferred: 0 });
    expect(source.calls).toEqual(['A$US 5m 100', 'B$US 5m 100', 'C$US 5m 100']);
  });

  it('logs a failed fetch, leaves the series cold, and tries again only after retryAfterMs', async () => {
    const source = new FakeSource(history([100, 101]));
    source.failWith = new ItickRestError('http', 'iTick answered 503 for /stock/kline', undefined, 503);
    const failures: unknown[] = [];
    const warmUp = new IndicatorWarmUp(source, { failed: (details) => failures.push(details) }, options);
    const index = new RuleIndex();
    index.upsert(engineRule('r1', 'AAPL$US', { type: 'ma_cross', kind: 'ema', fast: 5, slow: 20, interval: '1h', direction: 'up' }));
    const state = newEngineState();
    expect(await warmUp.warm(index, state, ['AAPL$US'], OPEN)).toMatchObject({ seeded: 0, fetched: 1, failed: 1, refused: 0 });
    expect(failures).toEqual([{ symbol: 'AAPL$US', interval: '1h', kind: 'http', error: 'iTick answered 503 for /stock/kline' }]);
    expect(state.symbols['AAPL$US']).toBeUndefined();
    expect(await warmUp.warm(index, state, ['AAPL$US'], OPEN + 59_000)).toMatchObject({ fetched: 0, deferred: 1 });
    source.failWith = undefined;
    expect(await warmUp.warm(index, state, ['AAPL$US'], OPEN + 60_000)).toMatchObject({ fetched: 1, seeded: 1 });
  });

  it('waits for the budget, not a minute, when the budget refused: tried again at its retryAt', async () => {
    const source = new FakeSource(history([100, 101]));
    source.failWith = new ItickRestError('budget', "iTick's REST budget is spent until …", OPEN + 12_000);
    const warmUp = new IndicatorWarmUp(source, { failed: () => undefined }, options);
    const index = rsiIndex();
    const state = newEngineState();
    expect(await warmUp.warm(index, state, ['AAPL$US'], OPEN)).toMatchObject({ fetched: 0, failed: 0, refused: 1 });
    expect(await warmUp.warm(index, state, ['AAPL$US'], OPEN + 11_999)).toMatchObject({ refused: 0, deferred: 1 });
    source.failWith = undefined;
    expect(await warmUp.warm(index, state, ['AAPL$US'], OPEN + 12_000)).toMatchObject({ fetched: 1, seeded: 1 });
  });

  it('does not fetch a series again within retryAfterMs when its history did not warm it', async () => {
    // History that ends an hour before the live bars: a series that formed bars live does not adopt it.
    const source = new FakeSource(history([100, 101, 102], OPEN - 60 * MINUTE));
    const warmUp = new IndicatorWarmUp(source, { failed: () => undefined }, options);
    const index = rsiIndex('AAPL$US');
    const state = newEngineState();
    // A series with two closed bars and an RSI(3) not warm yet.
    const series = { key: '1m:regular', interval: '1m' as const, session: 'regular' as const, indicators: ['rsi:3'] };
    seedBars(state, 'AAPL$US', series, history([99, 98], OPEN), OPEN + 2 * MINUTE);
    for (const ind of state.symbols['AAPL$US']?.series[0]?.indicators ?? []) ind.seeded = false;
    for (let t = 0; t < 59_000; t += 11_000) await warmUp.warm(index, state, ['AAPL$US'], OPEN + 2 * MINUTE + t);
    expect(source.calls).toHaveLength(1);
  });

  describe('warming from live data, on the symbol', () => {
    it('records it once when a series cannot be warmed, and clears it once when it is', async () => {
      const source = new FakeSource(history([100, 101, 102, 101, 100, 99, 98], OPEN));
      source.failWith = new ItickRestError('rate_limited', 'iTick answered 429', OPEN + 30_000, 429);
      const { markers, writes } = new RecordedMarkers();
      const warmUp = new IndicatorWarmUp(source, { failed: () => undefined }, options, markers);
      const index = rsiIndex();
      const state = newEngineState();
      for (let t = 0; t < 30_000; t += 250) await warmUp.warm(index, state, ['AAPL$US'], OPEN + t);
      expect(writes).toEqual([['AAPL$US', '1m', { since: new Date(OPEN).toISOString(), reason: 'iTick answered 429 (too many requests)' }]]);
      source.failWith = undefined;
      for (let t = 30_000; t < 40_000; t += 250) await warmUp.warm(index, state, ['AAPL$US'], OPEN + t);
      expect(writes).toHaveLength(2);
      expect(writes[1]).toEqual(['AAPL$US', '1m', undefined]);
    });

    it('clears it when the series has warmed from live bars meanwhile', async () => {
      const source = new FakeSource([]);
      source.failWith = new ItickRestError('budget', 'spent', OPEN + 3_600_000);
      const { markers, writes } = new RecordedMarkers();
      const warmUp = new IndicatorWarmUp(source, { failed: () => undefined }, options, markers);
      const index = rsiIndex();
      const state = newEngineState();
      await warmUp.warm(index, state, ['AAPL$US'], OPEN);
      expect(writes.map((w) => w[2] === undefined)).toEqual([false]);
      // Live bars warmed RSI(3): the series no longer wants history.
      const points = [100, 101, 102, 103, 104].map((price, i) => ({ price, at: OPEN + i * MINUTE + 1000, volume: 1 }));
      evaluateBatch(index, state, [{ symbol: 'AAPL$US', points }], { now: OPEN + 5 * MINUTE });
      await warmUp.warm(index, state, ['AAPL$US'], OPEN + 5 * MINUTE);
      expect(writes.map((w) => w[2] === undefined)).toEqual([false, true]);
      await warmUp.warm(index, state, ['AAPL$US'], OPEN + 6 * MINUTE);
      expect(writes).toHaveLength(2);
    });

    it('a new instance clears, once, a note another instance may have left on a warm series', async () => {
      const index = rsiIndex();
      const state = newEngineState();
      const seeded = new IndicatorWarmUp(new FakeSource(history([100, 101, 102, 101, 100, 99, 98], OPEN)), { failed: () => undefined }, options);
      await seeded.warm(index, state, ['AAPL$US'], OPEN + 7 * MINUTE);
      const { markers, writes } = new RecordedMarkers();
      const fresh = new IndicatorWarmUp(new FakeSource([]), { failed: () => undefined }, options, markers);
      await fresh.warm(index, state, ['AAPL$US'], OPEN + 7 * MINUTE + 250);
      await fresh.warm(index, state, ['AAPL$US'], OPEN + 7 * MINUTE + 500);
      expect(writes).toEqual([['AAPL$US', '1m', undefined]]);
    });
  });
});

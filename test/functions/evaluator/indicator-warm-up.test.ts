/**
 * Warming indicators from iTick's klines before a batch: cold series are seeded, fetches are
 * bounded per batch, a failure is logged and never fails the batch (the series warm from live
 * bars and are tried again later). The last tests run the evaluator itself against DynamoDB
 * Local, with the market simulator's kline endpoint as iTick.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEngineState, RuleIndex, type EngineRule, type SeedBar } from '../../../core/engine';
import type { BarInterval } from '../../../core/rule-model';
import { IndicatorWarmUp, type WarmUpOptions } from '../../../functions/evaluator/indicator-warm-up';
import { ItickKlineSource, type KlineSource } from '../../../functions/evaluator/itick-klines';
import { MarketSimulator } from '../../../local/market-simulator/market-simulator';
import { listAlerts } from '../../../storage/alerts-repository';
import { createRule } from '../../../storage/rules-repository';
import { ruleRecord } from '../../support/api-fixtures';
import { uniqueOwner, useDynamoDbTable } from '../../support/dynamodb';
import { batch, evaluate, evaluatorInstance, RecordingQueue } from '../../support/evaluator-harness';
import { rule } from '../../support/engine-fixtures';
import { MINUTE, OPEN } from '../../support/indicator-fixtures';

const history = (closes: number[], start = OPEN - closes.length * MINUTE): SeedBar[] =>
  closes.map((close, i) => ({ start: start + i * MINUTE, open: close, high: close, low: close, close, volume: 10 }));

class FakeSource implements KlineSource {
  readonly calls: string[] = [];
  failing = false;
  constructor(private readonly bars: SeedBar[]) {}
  async klines(symbol: string, interval: BarInterval, limit: number): Promise<SeedBar[]> {
    this.calls.push(`${symbol} ${interval} ${limit}`);
    if (this.failing) throw new Error('iTick answered 503');
    return this.bars;
  }
}

const engineRule = (id: string, symbol: string, condition: EngineRule['condition']): EngineRule => rule(condition, { id, symbol });

const options: WarmUpOptions = { maxPerBatch: 2, retryAfterMs: 60_000, reuseForMs: 10_000, maxEntries: 100 };

describe('IndicatorWarmUp', () => {
  it('seeds the cold series of the batch symbols, once', async () => {
    // Seven regular-session minutes from the open.
    const source = new FakeSource(history([100, 101, 102, 101, 100, 99, 98], OPEN));
    const warmUp = new IndicatorWarmUp(source, { failed: () => undefined }, options);
    const index = new RuleIndex();
    index.upsert(engineRule('r1', 'AAPL$US', { type: 'rsi_below', period: 3, interval: '1m', value: 30 }));
    const state = newEngineState();
    const now = OPEN + 7 * MINUTE;
    expect(await warmUp.warm(index, state, ['AAPL$US'], now)).toEqual({ seeded: 1, fetched: 1, failed: 0, deferred: 0 });
    expect(state.symbols['AAPL$US']?.series[0]).toMatchObject({ key: '1m:regular', count: 7, seeded: true });
    expect(await warmUp.warm(index, state, ['AAPL$US'], now + 1000)).toEqual({ seeded: 0, fetched: 0, failed: 0, deferred: 0 });
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
    expect(await warmUp.warm(index, state, ['A$US', 'B$US', 'C$US'], OPEN)).toEqual({ seeded: 4, fetched: 2, failed: 0, deferred: 2 });
    expect(await warmUp.warm(index, state, ['A$US', 'B$US', 'C$US'], OPEN + 250)).toEqual({ seeded: 2, fetched: 1, failed: 0, deferred: 0 });
    expect(source.calls).toEqual(['A$US 5m 100', 'B$US 5m 100', 'C$US 5m 100']);
  });

  it('logs a failed fetch, leaves the series cold, and tries again only after retryAfterMs', async () => {
    const source = new FakeSource(history([100, 101]));
    source.failing = true;
    const failures: unknown[] = [];
    const warmUp = new IndicatorWarmUp(source, { failed: (details) => failures.push(details) }, options);
    const index = new RuleIndex();
    index.upsert(engineRule('r1', 'AAPL$US', { type: 'ma_cross', kind: 'ema', fast: 5, slow: 20, interval: '1h', direction: 'up' }));
    const state = newEngineState();
    expect(await warmUp.warm(index, state, ['AAPL$US'], OPEN)).toEqual({ seeded: 0, fetched: 1, failed: 1, deferred: 0 });
    expect(failures).toEqual([{ symbol: 'AAPL$US', interval: '1h', error: 'iTick answered 503' }]);
    expect(state.symbols['AAPL$US']).toBeUndefined();
    expect(await warmUp.warm(index, state, ['AAPL$US'], OPEN + 59_000)).toMatchObject({ fetched: 0, deferred: 1 });
    source.failing = false;
    expect(await warmUp.warm(index, state, ['AAPL$US'], OPEN + 60_000)).toMatchObject({ fetched: 1, seeded: 1 });
  });
});

describe('the evaluator warms indicators before a batch', () => {
  const table = useDynamoDbTable();
  let market: MarketSimulator;
  beforeAll(async () => {
    market = await MarketSimulator.start({ tokens: ['secret'] });
  });
  afterAll(async () => {
    await market.close();
  });

  async function setUp(token: string) {
    const owner = uniqueOwner();
    const symbol = `W${Math.random().toString(36).slice(2, 7).toUpperCase()}$US`;
    const rule = ruleRecord(owner, { symbol, condition: { type: 'rsi_below', period: 3, interval: '1m', value: 30, session: 'any' }, cooldownSeconds: 0 });
    await createRule(table.db, rule, { quota: 1000, now: new Date(OPEN) });
    const source = new ItickKlineSource({ baseUrl: `http://127.0.0.1:${market.port}`, token: async () => token, timeoutMs: 2000 });
    const warmUp = new IndicatorWarmUp(source, { failed: () => undefined });
    return { owner, symbol, deps: { ...evaluatorInstance(table.db, new RecordingQueue()), warmUp } };
  }

  it('seeds RSI from klines, so the first live bar close fires', async () => {
    const { owner, symbol, deps } = await setUp('secret');
    market.setKlines(symbol, 1, history([100, 101, 102, 101, 100, 99]).map((b) => ({ t: b.start, o: b.open, h: b.high, l: b.low, c: b.close, v: 10, tu: 0 })));
    // Two live trades: one in the first live bar (98), one in the next that closes it.
    const event = { ...batch(symbol, [98], OPEN + 30_000), symbols: [{ symbol, points: [[98, OPEN + 30_000, 1], [97.5, OPEN + MINUTE + 5_000, 1]] as Array<[number, number, number]> }] };
    const result = await evaluate(deps, event, OPEN + MINUTE + 5_100);
    expect(result).toMatchObject({ fired: 1, claimed: 1 });
    const { items } = await listAlerts(table.db, owner, { limit: 10 });
    expect(items[0]).toMatchObject({ price: 98, tickAt: new Date(OPEN + MINUTE).toISOString() });
  });

  it('evaluates the batch cold when iTick refuses: no alert, no error', async () => {
    const { symbol, deps } = await setUp('wrong-token');
    const event = { ...batch(symbol, [98], OPEN + 30_000), symbols: [{ symbol, points: [[98, OPEN + 30_000, 1], [97.5, OPEN + MINUTE + 5_000, 1]] as Array<[number, number, number]> }] };
    const result = await evaluate(deps, event, OPEN + MINUTE + 5_100);
    expect(result).toMatchObject({ fired: 0 });
    expect((result.state as { symbols: Record<string, { series: Array<{ count: number; seeded: boolean }> }> }).symbols[symbol]?.series[0]).toMatchObject({ count: 1, seeded: false });
  });
});

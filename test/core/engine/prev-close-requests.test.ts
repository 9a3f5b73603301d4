/**
 * Which symbols of a batch want a previous close from the feed's history (core/engine/warm-up.ts):
 * those whose rules compare with the feed's previous close, when neither the batch nor the state
 * has one for the batch's trading day.
 */
import { describe, expect, it } from 'vitest';
import { forgetPrevClose, newEngineState, newSymbolState, prevCloseRequests, RuleIndex } from '../../../core/engine';
import { rule } from '../../support/engine-fixtures';

const FRIDAY = Date.UTC(2026, 11, 4, 15); // 10:00 New York
const MONDAY = Date.UTC(2026, 11, 7, 15);
const at = (t: number) => [{ price: 100, at: t, volume: 1 }];

function indexWith(...rules: Parameters<typeof rule>[]) {
  const index = new RuleIndex();
  for (const args of rules) index.upsert(rule(...args));
  return index;
}

describe('prevCloseRequests', () => {
  it('asks for the symbols whose change rules have no previous close, on the trading day of the first point', () => {
    const index = indexWith([{ type: 'change_from_prev_close_pct', percent: 2 }, { symbol: 'AAPL$US' }], [{ type: 'crosses_above', value: 1 }, { symbol: 'MSFT$US' }]);
    const requests = prevCloseRequests(index, newEngineState(), [
      { symbol: 'AAPL$US', points: at(FRIDAY) },
      { symbol: 'MSFT$US', points: at(FRIDAY) },
    ]);
    expect(requests).toEqual([{ symbol: 'AAPL$US', day: Math.floor(Date.UTC(2026, 11, 4) / 86_400_000), stale: false }]);
  });

  it('asks nothing when the batch carries the feed’s close, or the state has one of the same day', () => {
    const index = indexWith([{ type: 'change_from_prev_close_pct', percent: 2 }, { symbol: 'AAPL$US' }]);
    const state = newEngineState();
    expect(prevCloseRequests(index, state, [{ symbol: 'AAPL$US', points: at(FRIDAY), prevClose: 99 }])).toEqual([]);
    state.symbols['AAPL$US'] = { ...newSymbolState(), prevClose: 99, lastAt: FRIDAY - 3_600_000 };
    expect(prevCloseRequests(index, state, [{ symbol: 'AAPL$US', points: at(FRIDAY) }])).toEqual([]);
  });

  it('calls a close from an earlier trading day stale, and forgetPrevClose drops it', () => {
    const index = indexWith([{ type: 'change_from_prev_close_pct', percent: -2 }, { symbol: 'AAPL$US' }]);
    const state = newEngineState();
    state.symbols['AAPL$US'] = { ...newSymbolState(), prevClose: 99, lastAt: FRIDAY };
    expect(prevCloseRequests(index, state, [{ symbol: 'AAPL$US', points: at(MONDAY) }])).toMatchObject([{ symbol: 'AAPL$US', stale: true }]);
    forgetPrevClose(state, 'AAPL$US');
    expect(state.symbols['AAPL$US']?.prevClose).toBeNull();
  });

  it("ignores change rules that compare with a session's own daily close", () => {
    const index = indexWith([{ type: 'change_from_prev_close_pct', percent: 2, session: 'regular' }, { symbol: 'AAPL$US' }]);
    expect(prevCloseRequests(index, newEngineState(), [{ symbol: 'AAPL$US', points: at(FRIDAY) }])).toEqual([]);
  });

  it('finds a change rule inside a combination judged at bar closes', () => {
    const index = indexWith([
      { type: 'all', conditions: [{ type: 'change_from_prev_close_pct', percent: 2 }, { type: 'rsi_above', period: 14, interval: '5m', value: 70 }] },
      { symbol: 'AAPL$US' },
    ]);
    expect(prevCloseRequests(index, newEngineState(), [{ symbol: 'AAPL$US', points: at(FRIDAY) }])).toHaveLength(1);
  });

  it('rolls crypto at midnight UTC', () => {
    const index = indexWith([{ type: 'change_from_prev_close_pct', percent: 2 }, { symbol: 'crypto:BTCUSDT$BA' }]);
    const state = newEngineState();
    state.symbols['crypto:BTCUSDT$BA'] = { ...newSymbolState(), prevClose: 97_000, lastAt: Date.UTC(2026, 11, 4, 23, 59) };
    expect(prevCloseRequests(index, state, [{ symbol: 'crypto:BTCUSDT$BA', points: at(Date.UTC(2026, 11, 5, 0, 1)) }])).toMatchObject([{ stale: true }]);
  });
});

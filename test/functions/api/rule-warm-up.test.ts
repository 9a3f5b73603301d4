/** Which bar intervals a rule reads, from the condition registry, and the warm-up it shows. */
import { describe, expect, it } from 'vitest';
import type { Condition } from '../../../core/rule-model';
import { barIntervalsOf, ruleWarmUp } from '../../../functions/api/rule-warm-up';

const T = '2026-03-02T14:30:00.000Z';
const rsi = (interval: string) => ({ type: 'rsi_above', period: 14, value: 70, interval }) as Condition;

describe('the bar intervals of a condition', () => {
  it('are none for price, window and feed previous-close conditions', () => {
    for (const condition of [
      { type: 'crosses_above', value: 200 },
      { type: 'moves_up_pct', percent: 2, windowSeconds: 60 },
      { type: 'volume_spike', multiple: 3, windowSeconds: 60 },
      { type: 'change_from_prev_close_pct', percent: 2 },
    ] as Condition[]) {
      expect(barIntervalsOf(condition, 'AAPL$US'), condition.type).toEqual([]);
    }
  });

  it('are the indicator intervals, and daily bars for a session previous close, also inside all / any, shortest first', () => {
    expect(barIntervalsOf(rsi('1h'), 'AAPL$US')).toEqual(['1h']);
    expect(barIntervalsOf({ type: 'change_from_prev_close_pct', percent: -3, session: 'regular' }, 'AAPL$US')).toEqual(['1d']);
    const composite = {
      type: 'any',
      conditions: [rsi('15m'), { type: 'macd_cross', fast: 12, slow: 26, signal: 9, interval: '1m', direction: 'up' }, rsi('15m'), { type: 'price_above', value: 1 }],
    } as Condition;
    expect(barIntervalsOf(composite, 'crypto:BTCUSDT$BA')).toEqual(['1m', '15m']);
  });
});

describe('the warm-up a rule shows', () => {
  it('is null while none of its intervals warms from live data', () => {
    expect(ruleWarmUp(rsi('5m'), 'AAPL$US', {})).toBeNull();
    expect(ruleWarmUp(rsi('5m'), 'AAPL$US', { '1m': { since: T, reason: 'budget' } })).toBeNull();
  });

  it('names the warming intervals, the earliest since and each reason once', () => {
    const composite = { type: 'all', conditions: [rsi('5m'), rsi('1d')] } as Condition;
    expect(
      ruleWarmUp(composite, 'forex:EURUSD$GB', {
        '1d': { since: '2026-03-02T14:31:00.000Z', reason: 'iTick answered 429' },
        '5m': { since: T, reason: 'iTick answered 429' },
      }),
    ).toEqual({ state: 'warming_from_live_data', intervals: ['5m', '1d'], since: T, reason: 'iTick answered 429' });
  });

  it('matches a record of a whole series only to that series, and gives a reason when none was recorded', () => {
    const regular = { ...rsi('1m'), session: 'regular' } as Condition;
    expect(ruleWarmUp(regular, 'AAPL$US', { '1m:extended': { since: T, reason: 'x' } })).toBeNull();
    expect(ruleWarmUp(regular, 'AAPL$US', { '1m:regular': { since: T, reason: '' } })).toMatchObject({ intervals: ['1m'], reason: "iTick's history could not be read" });
  });
});

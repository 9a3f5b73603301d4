/** `ma_cross`: the fast moving average (SMA or EMA) crossed the slow one (fast − slow crossed 0). An indicator edge. */
import * as z from 'zod';
import { closedAverage, emaKey, formingAverage, smaKey } from '../engine/indicators';
import type { IndicatorState } from '../engine/indicators';
import { defineCondition, noLevels } from './definition';
import { indicatorSeries } from './indicator-parts';
import { direction, fastBelowSlow, indicatorCommon, MAX_INDICATOR_PERIOD, oneOf, period } from './schema-parts';
import { barsFired, barsRule, formatNumber } from './word-parts';

interface Averages {
  kind: 'sma' | 'ema';
  fast: number;
  slow: number;
}

const keysOf = (c: Averages): [string, string] => (c.kind === 'ema' ? [emaKey(c.fast), emaKey(c.slow)] : [smaKey(c.fast), smaKey(c.slow)]);

const difference = (fast: number | null, slow: number | null) => (fast === null || slow === null ? null : fast - slow);

const averageOf = (c: Averages, state: IndicatorState | undefined) => (state?.kind === c.kind ? state : undefined);

export const maCross = defineCondition({
  type: 'ma_cross',
  schema: fastBelowSlow(
    z.strictObject({
      type: z.literal('ma_cross'),
      kind: oneOf(['sma', 'ema'] as const),
      fast: period(1, MAX_INDICATOR_PERIOD - 1),
      slow: period(2, MAX_INDICATOR_PERIOD),
      direction,
      ...indicatorCommon,
    }),
  ),
  judging: {
    kind: 'indicator',
    shape: 'edge',
    indicators: keysOf,
    quantity: (c) => `ma:${c.kind}:${c.fast}:${c.slow}`,
    read: (c, series, at, [fastState, slowState]) => {
      const fast = averageOf(c, fastState);
      const slow = averageOf(c, slowState);
      if (fast === undefined || slow === undefined) return null;
      const bar = series.bar;
      if (at === 'forming' && bar !== null) return difference(formingAverage(fast, bar.close), formingAverage(slow, bar.close));
      const back = at === 'previous' ? 1 : 0;
      return difference(closedAverage(fast, back), closedAverage(slow, back));
    },
    line: () => 0,
    direction: (c) => c.direction,
  },
  index: { group: 'indicator' },
  series: indicatorSeries,
  words: {
    value: (c) => `${c.kind.toUpperCase()}(${c.fast}/${c.slow})`,
    fired: (c) => {
      const kind = c.kind.toUpperCase();
      return `${kind}(${c.fast}) crossed ${c.direction === 'up' ? 'above' : 'below'} ${kind}(${c.slow}) on ${barsFired(c)}`;
    },
    rule: (c) => {
      const kind = c.kind.toUpperCase();
      return `${kind}(${formatNumber(c.fast)}) crosses ${c.direction === 'down' ? 'below' : 'above'} ${kind}(${formatNumber(c.slow)})${barsRule(c)}`;
    },
    levels: noLevels,
  },
  form: {
    label: 'MA cross',
    fields: { kind: 'Kind', fast: 'Fast', slow: 'Slow', direction: 'Direction', interval: 'Interval', session: 'Session', evaluate: 'Evaluate' },
  },
});

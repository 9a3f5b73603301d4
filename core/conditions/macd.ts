/** `macd_cross`: MACD(fast, slow, signal) crossed its signal line (the histogram crossed 0). An indicator edge. */
import * as z from 'zod';
import { formingHistogram, macdKey } from '../engine/indicators';
import { defineCondition, noLevels } from './definition';
import { indicatorSeries } from './indicator-parts';
import { direction, fastBelowSlow, indicatorCommon, MAX_INDICATOR_PERIOD, period } from './schema-parts';
import { barsFired, barsRule, formatNumber } from './word-parts';

const key = (c: { fast: number; slow: number; signal: number }) => macdKey(c.fast, c.slow, c.signal);

export const macdCross = defineCondition({
  type: 'macd_cross',
  schema: fastBelowSlow(
    z.strictObject({
      type: z.literal('macd_cross'),
      fast: period(1, 100),
      slow: period(2, MAX_INDICATOR_PERIOD),
      signal: period(1, 100),
      direction,
      ...indicatorCommon,
    }),
  ),
  judging: {
    kind: 'indicator',
    shape: 'edge',
    indicators: (c) => [key(c)],
    quantity: key,
    read: (_c, series, at, [state]) => {
      const ind = state?.kind === 'macd' ? state : undefined;
      if (ind === undefined) return null;
      if (at === 'previous') return ind.prevHist;
      return at === 'forming' && series.bar !== null ? formingHistogram(ind, series.bar.close) : ind.hist;
    },
    line: () => 0,
    direction: (c) => c.direction,
  },
  index: { group: 'indicator' },
  series: indicatorSeries,
  words: {
    value: (c) => `MACD(${c.fast},${c.slow},${c.signal})`,
    fired: (c) => `MACD(${c.fast},${c.slow},${c.signal}) of ${barsFired(c)} crossed ${c.direction === 'up' ? 'above' : 'below'} its signal line`,
    rule: (c) =>
      `MACD(${formatNumber(c.fast)}, ${formatNumber(c.slow)}, ${formatNumber(c.signal)}) crosses ${c.direction === 'down' ? 'below' : 'above'} its signal${barsRule(c)}`,
    levels: noLevels,
  },
  form: {
    label: 'MACD cross',
    fields: { fast: 'Fast', slow: 'Slow', signal: 'Signal', direction: 'Direction', interval: 'Interval', session: 'Session', evaluate: 'Evaluate' },
  },
});

/**
 * `bollinger_break`: the close broke above the upper (below the lower) Bollinger band (period,
 * stdDev). An indicator edge on the close's place in its band, in standard deviations from the
 * mean: the upper line is at +stdDev, the lower at −stdDev; a flat band (σ = 0) has none.
 */
import * as z from 'zod';
import { bollingerKey, closedBand, formingBand, type Band } from '../engine/indicators';
import { mustBe } from '../rule-model/validation';
import { defineCondition, noLevels } from './definition';
import { indicatorSeries } from './indicator-parts';
import { indicatorCommon, MAX_INDICATOR_PERIOD, oneOf, period } from './schema-parts';
import { barsFired, barsRule, formatNumber } from './word-parts';

/** Where a close lies in its band, in standard deviations from the mean (Bollinger's %b on the σ scale). */
function zOf(close: number | null, band: Band | null): number | null {
  return band === null || close === null || !(band.sd > 0) ? null : (close - band.mean) / band.sd;
}

export const bollingerBreak = defineCondition({
  type: 'bollinger_break',
  schema: z.strictObject({
    type: z.literal('bollinger_break'),
    period: period(2, MAX_INDICATOR_PERIOD),
    stdDev: z
      .number({ error: mustBe('a number') })
      .gt(0, { error: 'must be greater than 0' })
      .max(10, { error: 'must be at most 10' }),
    band: oneOf(['upper', 'lower'] as const),
    ...indicatorCommon,
  }),
  judging: {
    kind: 'indicator',
    shape: 'edge',
    indicators: (c) => [bollingerKey(c.period)],
    quantity: (c) => bollingerKey(c.period),
    read: (_c, series, at, [state]) => {
      const ind = state?.kind === 'bb' ? state : undefined;
      if (ind === undefined) return null;
      if (at === 'previous') return zOf(series.prevClose, closedBand(ind, 1));
      const bar = series.bar;
      return at === 'forming' && bar !== null ? zOf(bar.close, formingBand(ind, bar.close)) : zOf(series.lastClose, closedBand(ind, 0));
    },
    line: (c) => (c.band === 'upper' ? c.stdDev : -c.stdDev),
    direction: (c) => (c.band === 'upper' ? 'up' : 'down'),
  },
  index: { group: 'indicator' },
  series: indicatorSeries,
  words: {
    value: (c) => `BB(${c.period},${formatNumber(c.stdDev)})`,
    fired: (c) => `${barsFired(c)} broke ${c.band === 'upper' ? 'above the upper' : 'below the lower'} Bollinger band (${c.period}, ${formatNumber(c.stdDev)})`,
    rule: (c) => `breaks the ${c.band === 'lower' ? 'lower' : 'upper'} Bollinger band (${formatNumber(c.period)}, ${formatNumber(c.stdDev)})${barsRule(c)}`,
    levels: noLevels,
  },
  form: { label: 'Bollinger break', fields: { period: 'Period', stdDev: 'Std dev', band: 'Band', interval: 'Interval', session: 'Session', evaluate: 'Evaluate' } },
});

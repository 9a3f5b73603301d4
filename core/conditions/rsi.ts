/** `rsi_above` / `rsi_below`: RSI(period) of a bar series is above (below) a level. Indicator levels. */
import * as z from 'zod';
import { formingRsi, rsiKey } from '../engine/indicators';
import { mustBe } from '../rule-model/validation';
import { defineCondition, noLevels } from './definition';
import { indicatorSeries } from './indicator-parts';
import { indicatorCommon, period } from './schema-parts';
import { barsFired, barsRule, formatNumber } from './word-parts';

function rsiLevel<T extends string>(type: T, side: 'above' | 'below') {
  return defineCondition({
    type,
    schema: z.strictObject({
      type: z.literal(type),
      period: period(2, 100),
      value: z
        .number({ error: mustBe('a number') })
        .gt(0, { error: 'must be greater than 0' })
        .lt(100, { error: 'must be less than 100' }),
      ...indicatorCommon,
    }),
    judging: {
      kind: 'indicator',
      shape: 'level',
      indicators: (c) => [rsiKey(c.period)],
      quantity: (c) => rsiKey(c.period),
      read: (_c, series, at, [state]) => {
        const ind = state?.kind === 'rsi' ? state : undefined;
        if (ind === undefined || at === 'previous') return null;
        return at === 'forming' && series.bar !== null ? formingRsi(ind, series.bar.close) : ind.value;
      },
      line: (c) => c.value,
      direction: () => (side === 'above' ? 'up' : 'down'),
    },
    index: { group: 'indicator' },
    series: indicatorSeries,
    words: {
      value: (c) => formatNumber(c.value),
      fired: (c) => `RSI(${c.period}) of ${barsFired(c)} is ${side} ${formatNumber(c.value)}`,
      rule: (c) => `RSI(${formatNumber(c.period)}) ${side} ${formatNumber(c.value)}${barsRule(c)}`,
      levels: noLevels,
    },
    form: { label: `RSI ${side}`, fields: { period: 'Period', value: 'Level', interval: 'Interval', session: 'Session', evaluate: 'Evaluate' } },
  });
}

export const rsiAbove = rsiLevel('rsi_above', 'above');
export const rsiBelow = rsiLevel('rsi_below', 'below');

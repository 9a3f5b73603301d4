/** `price_above` / `price_below`: the last trade is above (below) a price. Levels. */
import * as z from 'zod';
import { defineCondition, noSeries } from './definition';
import { price } from './schema-parts';
import { formatNumber } from './word-parts';

function priceLevel<T extends string>(type: T, side: 'above' | 'below') {
  const above = side === 'above';
  return defineCondition({
    type,
    schema: z.strictObject({ type: z.literal(type), value: price }),
    judging: {
      kind: 'level',
      holds: (c, at) => (above ? at > c.value : at < c.value),
      bound: (c) => ({ side: above ? 'low' : 'high', at: c.value, open: true }),
    },
    index: { group: 'thresholds', keys: (c) => [c.value] },
    series: noSeries,
    words: {
      value: (c) => formatNumber(c.value),
      fired: (c) => `is ${side} ${formatNumber(c.value)}`,
      rule: (c) => `${side} ${formatNumber(c.value)}`,
      levels: (c) => [c.value],
    },
    form: { label: `price ${side}`, fields: { value: 'Level' } },
  });
}

export const priceAbove = priceLevel('price_above', 'above');
export const priceBelow = priceLevel('price_below', 'below');

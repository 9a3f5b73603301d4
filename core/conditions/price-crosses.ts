/**
 * `crosses_above` / `crosses_below` / `crosses`: the price moved through a level. Edges: the
 * market is taken to have traded every price between two trades, so 199 → 201 crosses 200; a
 * move that ends on the level crosses it, one that starts there does not.
 */
import * as z from 'zod';
import { defineCondition, noSeries } from './definition';
import { price } from './schema-parts';
import { formatNumber } from './word-parts';

const upThrough = (prev: number, value: number, at: number) => prev < value && value <= at;
const downThrough = (prev: number, value: number, at: number) => prev > value && value >= at;

const DIRECTIONS = {
  above: { through: upThrough, words: 'above ' },
  below: { through: downThrough, words: 'below ' },
  either: { through: (prev: number, value: number, at: number) => upThrough(prev, value, at) || downThrough(prev, value, at), words: '' },
} as const;

function priceCross<T extends string>(type: T, direction: keyof typeof DIRECTIONS) {
  const { through, words } = DIRECTIONS[direction];
  return defineCondition({
    type,
    schema: z.strictObject({ type: z.literal(type), value: price }),
    judging: { kind: 'price_edge', at: (c, prev, at) => (through(prev, c.value, at) ? c.value : null) },
    index: { group: 'thresholds', keys: (c) => [c.value] },
    series: noSeries,
    words: {
      value: (c) => formatNumber(c.value),
      fired: (c) => `crossed ${words}${formatNumber(c.value)}`,
      rule: (c) => `crosses ${words}${formatNumber(c.value)}`,
      levels: (c) => [c.value],
    },
    form: { label: type.replace(/_/g, ' '), fields: { value: 'Level' } },
  });
}

export const crossesAbove = priceCross('crosses_above', 'above');
export const crossesBelow = priceCross('crosses_below', 'below');
export const crosses = priceCross('crosses', 'either');

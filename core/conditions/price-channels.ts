/**
 * `enters_channel` / `exits_channel`: the price moved into (out of) the band [lower, upper].
 * Edges, at the bound crossed: 190 → 215 enters and exits [200, 210].
 */
import * as z from 'zod';
import { documented } from '../rule-model/schema-docs';
import { defineCondition, noSeries } from './definition';
import { price, whenFieldsValid } from './schema-parts';
import { formatNumber } from './word-parts';

interface Band {
  lower: number;
  upper: number;
}

const enters = (c: Band, prev: number, at: number): number | null => {
  if (prev < c.lower && c.lower <= at) return c.lower;
  if (prev > c.upper && c.upper >= at) return c.upper;
  return null;
};

const exits = (c: Band, prev: number, at: number): number | null => {
  if (prev <= c.upper && c.upper < at) return c.upper;
  if (prev >= c.lower && c.lower > at) return c.lower;
  return null;
};

const band = (c: Band) => `${formatNumber(c.lower)}–${formatNumber(c.upper)}`;

function priceChannel<T extends string>(type: T, edge: typeof enters, fired: string, rule: string) {
  return defineCondition({
    type,
    schema: documented(
      z.strictObject({ type: z.literal(type), lower: price, upper: price }).refine((c) => c.lower < c.upper, {
        path: ['upper'],
        message: 'must be greater than condition.lower',
        when: whenFieldsValid,
      }),
      { constraints: [{ kind: 'lessThan', field: 'lower', than: 'upper' }] },
    ),
    judging: { kind: 'price_edge', at: edge },
    index: { group: 'thresholds', keys: (c) => [c.lower, c.upper] },
    series: noSeries,
    words: {
      value: band,
      fired: (c) => `${fired} ${band(c)}`,
      rule: (c) => `${rule} ${band(c)}`,
      levels: (c) => [c.lower, c.upper],
    },
    form: { label: type.replace(/_/g, ' '), fields: { lower: 'Lower bound', upper: 'Upper bound' } },
  });
}

export const entersChannel = priceChannel('enters_channel', enters, 'entered', 'enters');
export const exitsChannel = priceChannel('exits_channel', exits, 'left', 'leaves');

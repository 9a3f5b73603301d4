/**
 * `moves_up_pct` / `moves_down_pct`: the price rose (fell) `percent` from the low (high) of a
 * rolling window of `windowSeconds`. Levels judged at the point, on the symbol's moves window.
 */
import * as z from 'zod';
import { windowHigh, windowLow } from '../engine/market-state';
import { defineCondition, noLevels, noSeries } from './definition';
import { positivePercent, windowSeconds } from './schema-parts';
import { formatNumber, shortDuration, spacedDuration } from './word-parts';

/** Price at or above which `moves_up_pct` holds, from the window's low. */
export function movesUpThreshold(low: number, percent: number): number {
  return low * (1 + percent / 100);
}

/** Price at or below which `moves_down_pct` holds, from the window's high. */
export function movesDownThreshold(high: number, percent: number): number {
  return high * (1 - percent / 100);
}

interface Move {
  percent: number;
  windowSeconds: number;
}

function move<T extends string>(type: T, up: boolean, percent: z.ZodNumber) {
  const [fired, rule] = up ? ['rose', 'rises'] : ['fell', 'falls'];
  return defineCondition({
    type,
    schema: z.strictObject({ type: z.literal(type), percent, windowSeconds }),
    judging: {
      kind: 'level',
      holds: (c: Move, price, market) =>
        up
          ? price >= movesUpThreshold(windowLow(market, c.windowSeconds), c.percent)
          : price <= movesDownThreshold(windowHigh(market, c.windowSeconds), c.percent),
    },
    index: { group: 'moves', up, windowSeconds: (c) => c.windowSeconds, key: (c) => c.percent },
    series: noSeries,
    words: {
      value: (c) => `${formatNumber(c.percent)}%`,
      fired: (c) => `${fired} ${formatNumber(c.percent)}% within ${shortDuration(c.windowSeconds)}`,
      rule: (c) => `${rule} ${formatNumber(c.percent)}% within ${spacedDuration(c.windowSeconds)}`,
      levels: noLevels,
    },
    form: { label: type.replace(/_/g, ' '), fields: { percent: 'Percent (%)', windowSeconds: 'Window (seconds)' } },
  });
}

export const movesUpPct = move('moves_up_pct', true, positivePercent.max(10_000, { error: 'must be at most 10000' }));
export const movesDownPct = move('moves_down_pct', false, positivePercent.lt(100, { error: 'must be less than 100' }));

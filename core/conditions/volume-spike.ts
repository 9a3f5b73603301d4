/**
 * `volume_spike`: the volume traded in the current window of `windowSeconds` is at least
 * `multiple` times the average of the complete windows before it. A level judged at the point.
 */
import * as z from 'zod';
import { windowVolume } from '../engine/market-state';
import { mustBe } from '../rule-model/validation';
import { defineCondition, noLevels, noSeries } from './definition';
import { windowSeconds } from './schema-parts';
import { formatNumber, shortDuration, spacedDuration } from './word-parts';

export const volumeSpike = defineCondition({
  type: 'volume_spike',
  schema: z.strictObject({
    type: z.literal('volume_spike'),
    multiple: z
      .number({ error: mustBe('a number') })
      .gt(1, { error: 'must be greater than 1' })
      .max(1_000, { error: 'must be at most 1000' }),
    windowSeconds,
  }),
  judging: {
    kind: 'level',
    holds: (c, _price, market) => {
      const { current, average } = windowVolume(market, c.windowSeconds);
      return average !== null && average > 0 && current >= c.multiple * average;
    },
  },
  index: { group: 'volume', windowSeconds: (c) => c.windowSeconds, key: (c) => c.multiple },
  series: noSeries,
  words: {
    value: (c) => `${formatNumber(c.multiple)}x`,
    fired: (c) => `traded ${formatNumber(c.multiple)}x its usual volume in ${shortDuration(c.windowSeconds)}`,
    rule: (c) => `volume ${formatNumber(c.multiple)}× usual within ${spacedDuration(c.windowSeconds)}`,
    levels: noLevels,
  },
  form: { label: 'volume spike', fields: { multiple: 'Multiple of average volume (×)', windowSeconds: 'Window (seconds)' } },
});

/**
 * `change_from_prev_close_pct`: the price is `percent` up (positive) or down (negative) on the
 * previous close — the feed's (iTick's quote `p`), or with `session` the close of the last
 * completed daily bar of that session, formed by the engine (docs/rules.md, "Sessions"). A level.
 */
import * as z from 'zod';
import { seriesKeyOf } from '../engine/bars';
import { resolveSession } from '../engine/sessions';
import type { SymbolState } from '../engine/types';
import { mustBe } from '../rule-model/validation';
import { defineCondition, noLevels } from './definition';
import { MIN_PERCENT, oneOf, SESSIONS } from './schema-parts';
import { formatNumber } from './word-parts';

/** Price at which `change_from_prev_close_pct` reaches `percent` (shared by every engine so thresholds agree bit for bit). */
export function changeThreshold(prevClose: number, percent: number): number {
  return prevClose * (1 + percent / 100);
}

const schema = z.strictObject({
  type: z.literal('change_from_prev_close_pct'),
  session: oneOf(SESSIONS).optional(),
  percent: z
    .number({ error: mustBe('a number') })
    .gt(-100, { error: 'must be greater than -100' })
    .max(10_000, { error: 'must be at most 10000' })
    .refine((p) => p !== 0, { message: 'must not be 0 (positive for up, negative for down)' })
    .refine((p) => p === 0 || Math.abs(p) >= MIN_PERCENT, { message: `must be at least ${MIN_PERCENT} in magnitude` }),
});

type PrevCloseChange = z.output<typeof schema>;

const dailySeries = (c: PrevCloseChange, calendar: string): string | null =>
  c.session === undefined ? null : seriesKeyOf('1d', resolveSession(c.session, calendar));

/** The previous close it compares with: the feed's, or the session's last daily close. */
export function prevCloseFor(c: PrevCloseChange, market: SymbolState, calendar: string): number | null {
  const key = dailySeries(c, calendar);
  if (key === null) return market.prevClose;
  return market.series.find((s) => s.key === key)?.lastClose ?? null;
}

export const changeFromPrevClosePct = defineCondition({
  type: 'change_from_prev_close_pct',
  schema,
  judging: {
    kind: 'level',
    holds: (c, price, market, calendar) => {
      const prevClose = prevCloseFor(c, market, calendar);
      if (prevClose === null) return false;
      const threshold = changeThreshold(prevClose, c.percent);
      return c.percent > 0 ? price >= threshold : price <= threshold;
    },
    bound: (c, market, calendar) => {
      const prevClose = prevCloseFor(c, market, calendar);
      if (prevClose === null) return null;
      return { side: c.percent > 0 ? 'low' : 'high', at: changeThreshold(prevClose, c.percent), open: false };
    },
  },
  index: { group: 'change', key: (c) => c.percent },
  series: dailySeries,
  words: {
    value: (c) => `${formatNumber(c.percent)}%`,
    fired: (c) => `is ${c.percent > 0 ? 'up' : 'down'} ${formatNumber(Math.abs(c.percent))}% on the previous ${c.session === undefined ? '' : `${c.session} `}close`,
    rule: (c) => `${c.percent > 0 ? 'up' : 'down'} ${formatNumber(Math.abs(c.percent))}% on the previous close`,
    levels: noLevels,
  },
  form: { label: 'change from previous close', fields: { session: 'Session', percent: 'Percent (%)' } },
});

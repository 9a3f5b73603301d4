/** What the indicator conditions (rsi, macd, bollinger, ma-cross) share: their bar series. */
import { seriesKeyOf } from '../engine/bars';
import { resolveSession } from '../engine/sessions';
import type { BarInterval, SessionKind } from './schema-parts';

interface OnBars {
  interval: BarInterval;
  session?: SessionKind | undefined;
}

/** The bar series an indicator condition reads: its interval, in its session (resolved for the symbol's calendar). */
export const indicatorSeries = (c: OnBars, calendar: string): string => seriesKeyOf(c.interval, resolveSession(c.session, calendar));

/** What the indicator conditions (rsi, macd, bollinger, ma-cross) share: their bar series and indicator look-ups. */
import { seriesKeyOf, type BarSeriesState } from '../engine/bars';
import type { IndicatorState } from '../engine/indicators';
import { resolveSession } from '../engine/sessions';
import type { BarInterval, SessionKind } from './schema-parts';

interface OnBars {
  interval: BarInterval;
  session?: SessionKind | undefined;
}

/** The bar series an indicator condition reads: its interval, in its session (resolved for the region). */
export const indicatorSeries = (c: OnBars, region: string): string => seriesKeyOf(c.interval, resolveSession(c.session, region));

/** The indicator state `key` of `series`, if it is of `kind`. */
export function indicatorOf<K extends IndicatorState['kind']>(series: BarSeriesState, key: string, kind: K): Extract<IndicatorState, { kind: K }> | undefined {
  for (const ind of series.indicators) if (ind.key === key) return ind.kind === kind ? (ind as Extract<IndicatorState, { kind: K }>) : undefined;
  return undefined;
}

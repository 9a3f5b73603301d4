/**
 * The `warmUp` a rule shows: which bar intervals its condition reads, and which of them the feed
 * side recorded as warming from live data (iTick's kline history could not be had: the REST
 * budget was spent, iTick answered 429 or failed; storage/symbols-repository.ts `setSymbolWarmUp`).
 *
 * The intervals come from the condition registry (`series` of each part, also inside `all` /
 * `any`): the same source the engine uses to decide which series to keep and warm
 * (core/engine/rule-index.ts), so indicator conditions and a session's previous close (daily
 * bars) are covered, and so is a condition type added later. Pure: no I/O.
 */
import { definitionOf, partsOf } from '../../core/conditions/registry';
import { calendarOf } from '../../core/engine/sessions';
import { BAR_INTERVALS, WARMING_FROM_LIVE_DATA, type BarInterval, type Condition, type RuleWarmUp } from '../../core/rule-model';
import type { SymbolWarmUp } from '../../storage/symbols-repository';

interface SeriesUse {
  /** `interval:session` (core/engine/bars.ts `seriesKeyOf`). */
  key: string;
  interval: BarInterval;
}

const isBarInterval = (text: string): text is BarInterval => (BAR_INTERVALS as readonly string[]).includes(text);

/** The bar series a condition reads on `symbol`, each once. */
function seriesOf(condition: Condition, symbol: string): SeriesUse[] {
  // The symbol's calendar decides a condition's default session, as in the engine (crypto: `regular`, not its region's).
  const calendar = calendarOf(symbol);
  const found = new Map<string, SeriesUse>();
  for (const part of partsOf(condition)) {
    const key = definitionOf(part).series(part, calendar);
    const interval = key?.split(':')[0] ?? '';
    if (key !== null && isBarInterval(interval)) found.set(key, { key, interval });
  }
  return [...found.values()];
}

/** The bar intervals a condition reads on `symbol`, shortest first (none for a price or window condition). */
export function barIntervalsOf(condition: Condition, symbol: string): BarInterval[] {
  const used = new Set(seriesOf(condition, symbol).map((series) => series.interval));
  return BAR_INTERVALS.filter((interval) => used.has(interval));
}

/**
 * The rule's `warmUp`, or null when none of its series warms from live data. `warming` is keyed
 * by bar interval, as the feed side records it; a key naming a whole series (`1m:regular`)
 * applies to that series only.
 */
export function ruleWarmUp(condition: Condition, symbol: string, warming: Readonly<Record<string, SymbolWarmUp>>): RuleWarmUp | null {
  const hits = seriesOf(condition, symbol)
    .flatMap((series) => {
      const state = warming[series.key] ?? warming[series.interval];
      return state === undefined ? [] : [{ interval: series.interval, state }];
    })
    .sort((a, b) => BAR_INTERVALS.indexOf(a.interval) - BAR_INTERVALS.indexOf(b.interval));
  if (hits.length === 0) return null;
  const intervals = [...new Set(hits.map((hit) => hit.interval))];
  // The spell began with the earliest of them (ISO times of one format compare as text); reasons shortest interval first.
  const since = hits.map((hit) => hit.state.since).reduce((earliest, at) => (at !== '' && (earliest === '' || at < earliest) ? at : earliest), '');
  const reason = [...new Set(hits.map((hit) => hit.state.reason).filter((text) => text !== ''))].join('; ');
  return { state: WARMING_FROM_LIVE_DATA, intervals, since, reason: reason === '' ? "iTick's history could not be read" : reason };
}

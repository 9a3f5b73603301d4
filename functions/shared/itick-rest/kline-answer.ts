/**
 * iTick's kline answers (`GET /<class>/kline`, `{"code":0,"msg":null,"data":[{t,o,h,l,c,v,tu}]}`)
 * as bars, and bars of the intervals iTick has no kType for built from smaller ones
 * (core/feed/kline-periods.ts: 15m is three 5m bars).
 */
import type { SeedBar } from '../../../core/engine/bars';
import { locateBar } from '../../../core/engine/bars';
import type { BarInterval } from '../../../core/rule-model';
import { dataOf, readNumber, toEpochMs } from './answer-values';
import { ItickRestError } from './rest-errors';

/**
 * The bars of a kline answer, oldest first, whatever order they came in; entries that are not
 * usable bars are skipped (the last of two with one start wins). Throws an `answer` error when
 * the answer holds no list of bars at all.
 */
export function parseKlines(body: unknown): SeedBar[] {
  const { data, message } = dataOf(body);
  const list = Array.isArray(data)
    ? data
    : [(data as { list?: unknown } | null)?.list, (data as { klines?: unknown } | null)?.klines].find(Array.isArray);
  if (!Array.isArray(list)) throw new ItickRestError('answer', `iTick's kline answer has no bars${message === undefined ? '' : `: ${message}`}`);
  const byStart = new Map<number, SeedBar>();
  for (const entry of list) {
    if (typeof entry !== 'object' || entry === null) continue;
    const e = entry as Record<string, unknown>;
    const t = readNumber(e.t);
    const close = readNumber(e.c);
    if (t === undefined || close === undefined || close <= 0) continue;
    const start = toEpochMs(t);
    const or = (value: unknown) => {
      const n = readNumber(value);
      return n !== undefined && n > 0 ? n : close;
    };
    const volume = readNumber(e.v);
    byStart.set(start, { start, open: or(e.o), high: or(e.h), low: or(e.l), close, volume: volume !== undefined && volume >= 0 ? volume : 0 });
  }
  return [...byStart.values()].sort((a, b) => a.start - b.start);
}

/**
 * Bars of `interval` built from smaller bars of `sourceMs` each (oldest first), for a symbol of
 * `calendar` (core/engine/sessions.ts `calendarOf`).
 *
 * Alignment: each small bar joins the `interval` bar of the calendar's wall clock that holds its
 * last moment — multiples of the interval from the start of the trading day (`locateBar` with the
 * `any` session, as core/engine/bars.ts aligns live bars), so 09:30, 09:35 and 09:40 New York
 * make the 09:30 bar. The engine's `seedBars` then clips it to the rule's session like any kline. The
 * oldest group is dropped when it lacks its first small bar: the answer's `limit` cut into it,
 * and a bar missing its open would mislead every indicator seeded from it. Groups with gaps
 * inside (no trade in a 5-minute slot) are kept: no trade, no bar, as live.
 */
export function aggregateBars(bars: readonly SeedBar[], calendar: string, interval: BarInterval, sourceMs: number): SeedBar[] {
  const groups: Array<{ start: number; bar: SeedBar; firstStart: number }> = [];
  for (const small of [...bars].sort((a, b) => a.start - b.start)) {
    const located = locateBar(calendar, interval, 'any', small.start + sourceMs - 1);
    if (located === null) continue;
    const last = groups[groups.length - 1];
    if (last !== undefined && last.start === located.start) {
      const bar = last.bar;
      last.bar = { ...bar, high: Math.max(bar.high, small.high), low: Math.min(bar.low, small.low), close: small.close, volume: bar.volume + small.volume };
    } else {
      groups.push({ start: located.start, firstStart: small.start, bar: { ...small, start: located.start } });
    }
  }
  const [oldest] = groups;
  if (oldest !== undefined && oldest.firstStart > oldest.start) groups.shift();
  return groups.map((group) => group.bar);
}

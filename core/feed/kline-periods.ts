/**
 * iTick's kline periods: the one table of `kType` values, as iTick's REST and WebSocket docs list
 * them (test/fixtures/itick/README.md, "kType table"; `rest-stock-kline-ktype3.json` shows kType 3
 * bars ten minutes apart). The shared spec's first table (3 = 15m) is wrong; there is no
 * 15-minute kType, so 15-minute bars are built from three 5-minute ones.
 */
import type { BarInterval } from '../rule-model';

export interface KlinePeriod {
  kType: number;
  /** iTick's name of the period. */
  period: '1m' | '5m' | '10m' | '30m' | '1h' | '2h' | '4h' | '1d' | '1w' | '1M';
  /** Its length; a month is variable (`undefined`). */
  ms: number | undefined;
}

const MINUTE = 60_000;

export const KLINE_PERIODS: readonly KlinePeriod[] = [
  { kType: 1, period: '1m', ms: MINUTE },
  { kType: 2, period: '5m', ms: 5 * MINUTE },
  { kType: 3, period: '10m', ms: 10 * MINUTE },
  { kType: 4, period: '30m', ms: 30 * MINUTE },
  { kType: 5, period: '1h', ms: 60 * MINUTE },
  { kType: 6, period: '2h', ms: 120 * MINUTE },
  { kType: 7, period: '4h', ms: 240 * MINUTE },
  { kType: 8, period: '1d', ms: 1_440 * MINUTE },
  { kType: 9, period: '1w', ms: 10_080 * MINUTE },
  { kType: 10, period: '1M', ms: undefined },
];

/** The period of a `kType`, or `undefined` for one iTick does not list. */
export function klinePeriodOf(kType: number): KlinePeriod | undefined {
  return KLINE_PERIODS.find((period) => period.kType === kType);
}

/** How the bars of one of the rules' intervals come from iTick: a `kType`, and how many of its bars make one. */
export interface KlineSourcePeriod {
  kType: number;
  /** Bars of `kType` per bar of the interval (1 = iTick's own). */
  factor: number;
}

/** Every bar interval a rule can use, by what iTick serves. 15m is three 5m bars. */
export const KLINE_SOURCES: Readonly<Record<BarInterval, KlineSourcePeriod>> = {
  '1m': { kType: 1, factor: 1 },
  '5m': { kType: 2, factor: 1 },
  '15m': { kType: 2, factor: 3 },
  '1h': { kType: 5, factor: 1 },
  '1d': { kType: 8, factor: 1 },
};

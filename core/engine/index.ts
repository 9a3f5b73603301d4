/** The rule engine: pure, no AWS, no clock. See docs/rules.md for the semantics it implements. */
export { BAR_CLOSE_GRACE_MS, INTERVAL_MS, locateBar, seedBars, seriesKeyOf } from './bars';
export type { Bar, BarSeriesState, SeedBar, SeriesSpec } from './bars';
export { changeThreshold, judge, movesDownThreshold, movesUpThreshold } from './conditions';
export { evaluateBatch } from './engine';
export { newEngineState } from './engine-state';
export { newSymbolState, VOLUME_HISTORY, VOLUME_MIN_HISTORY } from './market-state';
export { DEFAULT_MESSAGE, describeCondition, describeValue, formatNumber, renderMessage } from './message';
export { evaluateReference } from './reference-engine';
export { RuleIndex } from './rule-index';
export { calendarOf, countInRegularSession, hasSessions, isSessionOpen, nyseEarlyCloses, nyseHolidays, regionOf, resolveSession, sessionWindows, timeZoneOf, tradingDayOf } from './sessions';
export { forgetPrevClose, MAX_WARM_UP_BARS, prevCloseRequests, warmUpLimit, warmUpRequests } from './warm-up';
export type { PrevCloseRequest, WarmUpRequest } from './warm-up';
export { engineStateSchema, readEngineState } from './state-schema';
export type * from './types';

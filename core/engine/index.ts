/** The rule engine: pure, no AWS, no clock. See docs/rules.md for the semantics it implements. */
export { changeThreshold, judge, movesDownThreshold, movesUpThreshold } from './conditions';
export { evaluateBatch } from './engine';
export { newEngineState } from './engine-state';
export { newSymbolState, VOLUME_HISTORY, VOLUME_MIN_HISTORY } from './market-state';
export { DEFAULT_MESSAGE, describeCondition, describeValue, formatNumber, renderMessage } from './message';
export { evaluateReference } from './reference-engine';
export { RuleIndex } from './rule-index';
export { engineStateSchema, readEngineState } from './state-schema';
export type * from './types';

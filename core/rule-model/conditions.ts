/**
 * Alert conditions of the rule model (../shared/spec/api.md, "Condition types"). Each type is
 * defined once, in its module under core/conditions/, and registered in core/conditions/
 * registry.ts: the schemas are the single source of truth (the API validates with them, the
 * engine's types are inferred from them and the OpenAPI document is generated from them).
 */
export {
  allSchema,
  anySchema,
  CONDITION_TYPES,
  conditionSchema,
  INDICATOR_CONDITION_TYPES,
  isIndicatorType,
  SIMPLE_CONDITION_TYPES,
  simpleConditionSchema,
} from '../conditions/registry';
export type {
  CompositeCondition,
  Condition,
  ConditionType,
  IndicatorCondition,
  IndicatorConditionType,
  SimpleCondition,
} from '../conditions/registry';
export { BAR_INTERVALS, EVALUATE_MODES, MAX_INDICATOR_PERIOD, MIN_PERCENT, MIN_PRICE, SESSIONS } from '../conditions/schema-parts';
export type { BarInterval, EvaluateMode, SessionKind } from '../conditions/schema-parts';

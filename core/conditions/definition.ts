/**
 * What a condition type declares, in one module per type or family (core/conditions/*.ts), and
 * what every other part reads from the registry (core/conditions/registry.ts) instead of a
 * `switch` of its own: the rule schema and the OpenAPI document (`schema`), the engine
 * (`judging`), the rule index (`index`), the warm-up and the state kept per symbol (`series`,
 * the indicators of `judging`, the windows of `index`), the alert texts and the dashboard
 * (`words`), and the dashboard's rule form (`form`).
 *
 * Adding a condition type: one module that exports a `defineCondition({ … })`, its tests, and one
 * line in the registry. test/core/conditions/registry.test.ts fails when a part is missing.
 */
import type * as z from 'zod';
import type { BarSeriesState } from '../engine/bars';
import type { IndicatorState } from '../engine/indicators';
import type { SymbolState } from '../engine/types';

/** A condition as the model holds it: a plain object with a `type`. */
export interface ConditionShape {
  readonly type: string;
}

/** One end of the prices at which a level holds: above `at` (`low`) or below it (`high`). */
export interface PriceBound {
  side: 'low' | 'high';
  at: number;
  /** Whether `at` itself is excluded. */
  open: boolean;
}

/** A condition that holds or not at a point: a price level, a window or a previous-close change. */
export interface LevelJudging<C> {
  kind: 'level';
  /** Does it hold at `price`, with the symbol's market state after the point? */
  holds(c: C, price: number, market: SymbolState, calendar: string): boolean;
  /**
   * Inside `all`: the prices of the move at which it holds, as one bound; null when it cannot
   * hold now (no previous close yet). Absent: it depends on the point, not on a price of the
   * move (windows), so it holds for the whole move or not at all.
   */
  bound?(c: C, market: SymbolState, calendar: string): PriceBound | null;
}

/** A condition that happens on the move between two trades, at one price (crosses, channels). */
export interface PriceEdgeJudging<C> {
  kind: 'price_edge';
  /** The price at which it happens on the move from `prev` to `price`, or null. */
  at(c: C, prev: number, price: number): number | null;
}

/**
 * Which value of an indicator quantity: with the forming bar's price as its close (`forming`; the
 * closed value between bars), as of the last close (`last`), or as of the close before (`previous`).
 */
export type QuantityAt = 'forming' | 'last' | 'previous';

/**
 * A condition judged on a bar series' indicator: a level (the quantity beyond its line) or an edge
 * (the quantity crossed its line: upward `before ≤ line < after`, downward `before ≥ line > after`,
 * TradingView's crossover / crossunder). Judged at the series' closes (`evaluate: "close"`, the
 * default) or at trades on the forming bar (`"forming"`).
 */
export interface IndicatorJudging<C> {
  kind: 'indicator';
  shape: 'level' | 'edge';
  /** Keys of the indicator states it reads on its series (core/engine/indicators.ts). */
  indicators(c: C): readonly string[];
  /** Name of the compared quantity on a series, shared by every condition comparing the same one. */
  quantity(c: C): string;
  /**
   * The quantity on `series`, from the series' indicator states that `indicators(c)` names, in
   * that order (looked up by the engine, once per series for the index's groups); null while the
   * series lacks the values.
   */
  read(c: C, series: BarSeriesState, at: QuantityAt, states: readonly (IndicatorState | undefined)[]): number | null;
  /** The line the quantity is compared with. */
  line(c: C): number;
  /** `up`: above the line (a level) or crossing it upward (an edge); `down`: the other way. */
  direction(c: C): 'up' | 'down';
}

export type Judging<C> = LevelJudging<C> | PriceEdgeJudging<C> | IndicatorJudging<C>;

/**
 * Where the rule index files a condition, so that a price move finds it by binary search
 * (core/engine/rule-index.ts). Window groups also make the engine keep that window per symbol.
 */
export type IndexPlacement<C> =
  /** Fixed prices: a move from a to b can only change it when one lies in [a, b]. */
  | { group: 'thresholds'; keys(c: C): readonly number[] }
  /** By percent against the previous close (the feed's, or the daily close of `series`). */
  | { group: 'change'; key(c: C): number }
  /** By percent against a rolling window's low (`up`) or high. */
  | { group: 'moves'; up: boolean; windowSeconds(c: C): number; key(c: C): number }
  /** By multiple of a rolling window's average volume. */
  | { group: 'volume'; windowSeconds(c: C): number; key(c: C): number }
  /** By line on its indicator quantity (forming bar), or at its series' closes. */
  | { group: 'indicator' };

export interface ConditionWords<C> {
  /** The threshold as a short text (`{{value}}` in messages): `200`, `190–210`, `2.5%`, `3x`. */
  value(c: C): string;
  /** In an alert, past tense: `crossed above 200`. */
  fired(c: C): string;
  /** On a rule, present tense: `crosses above 200`. */
  rule(c: C): string;
  /** Prices to draw on a chart as lines (price levels; not an RSI level). */
  levels(c: C): readonly number[];
}

export interface ConditionForm {
  /** The type's name in the form's picker: `crosses above`. */
  label: string;
  /** A label per field of the schema (every field but `type`). */
  fields: Readonly<Record<string, string>>;
}

export interface ConditionDefinition<S extends z.ZodType<ConditionShape> = z.ZodType<ConditionShape>, J extends Judging<z.output<S>> = Judging<z.output<S>>> {
  type: z.output<S>['type'];
  schema: S;
  judging: J;
  index: IndexPlacement<z.output<S>>;
  /** The bar series it reads (`interval:session`), for the engine and the warm-up; null: none. */
  series(c: z.output<S>, calendar: string): string | null;
  words: ConditionWords<z.output<S>>;
  form: ConditionForm;
}

/** Declares a condition type (types are inferred from the schema and the judging). */
export function defineCondition<S extends z.ZodType<ConditionShape>, J extends Judging<z.output<S>>>(definition: ConditionDefinition<S, J>): ConditionDefinition<S, J> {
  return definition;
}

/** For conditions that read no bar series. */
export const noSeries = (): null => null;

/** For conditions that draw no line on a chart. */
export const noLevels = (): readonly number[] => [];

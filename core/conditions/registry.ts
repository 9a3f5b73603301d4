/**
 * The condition registry: every condition type, once. The rule schema, the engine, the rule index,
 * the alert texts, the OpenAPI document and the dashboard's form read it.
 *
 * To add a condition type: write core/conditions/<type>.ts with `defineCondition` (see
 * definition.ts), add one line to {@link CONDITIONS}, and its tests; test/core/conditions/
 * registry.test.ts checks that every part is there.
 */
import * as z from 'zod';
import { neverTogether, withJsonSchema } from '../rule-model/schema-docs';
import { mustBe } from '../rule-model/validation';
import { bollingerBreak } from './bollinger';
import type { ConditionDefinition, IndicatorJudging } from './definition';
import { macdCross } from './macd';
import { maCross } from './ma-cross';
import { movesDownPct, movesUpPct } from './moves';
import { changeFromPrevClosePct } from './prev-close-change';
import { entersChannel, exitsChannel } from './price-channels';
import { crosses, crossesAbove, crossesBelow } from './price-crosses';
import { priceAbove, priceBelow } from './price-levels';
import { rsiAbove, rsiBelow } from './rsi';
import { volumeSpike } from './volume-spike';

/** Every condition that can stand alone or inside `all` / `any`, in the order the form lists them. */
export const CONDITIONS = [
  priceAbove,
  priceBelow,
  crossesAbove,
  crossesBelow,
  crosses,
  entersChannel,
  exitsChannel,
  movesUpPct,
  movesDownPct,
  changeFromPrevClosePct,
  volumeSpike,
  rsiAbove,
  rsiBelow,
  macdCross,
  bollingerBreak,
  maCross,
] as const;

type Registered = (typeof CONDITIONS)[number];
type SchemasOf<T extends readonly unknown[]> = { -readonly [K in keyof T]: T[K] extends { schema: infer S } ? S : never };

export type SimpleCondition = z.output<Registered['schema']>;
export type SimpleConditionType = SimpleCondition['type'];
/** Conditions judged on a bar series' indicator. */
export type IndicatorCondition = z.output<Extract<Registered, { judging: { kind: 'indicator' } }>['schema']>;
export type IndicatorConditionType = IndicatorCondition['type'];

export const SIMPLE_CONDITION_TYPES = CONDITIONS.map((d) => d.type) as SimpleConditionType[];

/** By type: a plain object without a prototype, the fastest look-up for the engine's hot path. */
const byType: Readonly<Record<string, ConditionDefinition | undefined>> = Object.assign(
  Object.create(null) as Record<string, ConditionDefinition>,
  Object.fromEntries(CONDITIONS.map((d) => [d.type, d as unknown as ConditionDefinition])),
);


/**
 * The definition of a condition's type. Typed loosely on purpose: each definition is typed for
 * its own condition, and a condition always meets its own type's definition.
 */
export function definitionOf(c: SimpleCondition): ConditionDefinition<z.ZodType<SimpleCondition>> {
  const definition = byType[c.type];
  if (definition === undefined) throw new Error(`unregistered condition type: ${JSON.stringify(c.type)}`);
  return definition as unknown as ConditionDefinition<z.ZodType<SimpleCondition>>;
}

/** Is `type` a registered simple condition type? (For readers of data from elsewhere, e.g. the dashboard.) */
export function isSimpleConditionType(type: string): type is SimpleConditionType {
  return byType[type] !== undefined;
}

/** The form metadata of a registered type (label, field labels), or undefined. */
export function conditionForm(type: string): ConditionDefinition['form'] | undefined {
  return byType[type]?.form;
}

export const INDICATOR_CONDITION_TYPES = CONDITIONS.filter((d) => d.judging.kind === 'indicator').map((d) => d.type) as IndicatorConditionType[];

/** Is this one of the indicator condition types? */
export function isIndicatorType(type: string): type is IndicatorConditionType {
  return byType[type]?.judging.kind === 'indicator';
}

/** Is the condition judged on an indicator? */
export function isIndicatorCondition(c: SimpleCondition): c is IndicatorCondition {
  return definitionOf(c).judging.kind === 'indicator';
}

/** The indicator judging of an indicator condition. */
export function indicatorJudging(c: IndicatorCondition): IndicatorJudging<IndicatorCondition> {
  return definitionOf(c).judging as unknown as IndicatorJudging<IndicatorCondition>;
}

/** Price conditions that happen on a move between two trades (edges), as opposed to levels. */
const isPriceEdgeType = (type: string) => byType[type]?.judging.kind === 'price_edge';

export const simpleConditionSchema = z.discriminatedUnion('type', CONDITIONS.map((d) => d.schema) as unknown as SchemasOf<typeof CONDITIONS>, {
  error: (issue) => unknownTypeMessage(issue.input, SIMPLE_CONDITION_TYPES),
});

/**
 * A composite is judged at one kind of moment: at trades, or at bar closes (docs/rules.md). So its
 * indicator conditions must agree on `evaluate`, and one judged at bar closes cannot be combined
 * with a price edge, which happens between two trades and never at a bar close.
 */
function checkComposite(conditions: ReadonlyArray<{ type: string; evaluate?: string | undefined }>, ctx: z.RefinementCtx): void {
  const modes = new Set(conditions.filter((c) => isIndicatorType(c.type)).map((c) => c.evaluate ?? 'close'));
  if (modes.size > 1) {
    ctx.addIssue({ code: 'custom', path: ['conditions'], message: 'must use the same evaluate ("close" or "forming") for all their indicator conditions' });
  } else if (modes.has('close')) {
    const edge = conditions.findIndex((c) => isPriceEdgeType(c.type));
    if (edge >= 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['conditions', edge, 'type'],
        message: 'cannot be combined with indicator conditions judged at bar close (a price edge happens between trades): use a price level, or evaluate "forming"',
      });
    }
  }
}

/** {@link checkComposite} in JSON Schema: which conditions an `all` / `any` never holds together. */
function compositeJsonSchema() {
  const indicators = INDICATOR_CONDITION_TYPES;
  const priceEdges = CONDITIONS.filter((d) => d.judging.kind === 'price_edge').map((d) => d.type);
  const atClose = { properties: { type: { enum: indicators }, evaluate: { const: 'close' } }, required: ['type'] };
  const forming = { properties: { type: { enum: indicators }, evaluate: { const: 'forming' } }, required: ['type', 'evaluate'] };
  const priceEdge = { properties: { type: { enum: priceEdges } }, required: ['type'] };
  return {
    allOf: [neverTogether(atClose, forming), neverTogether(atClose, priceEdge)],
    description: 'indicator conditions share one evaluate; those judged at bar close (the default) cannot be combined with price edges',
  };
}

const compositeOf = <T extends string>(type: T) =>
  z
    .strictObject({
      type: z.literal(type),
      conditions: withJsonSchema(
        z
          .array(simpleConditionSchema, { error: mustBe('an array of conditions') })
          .min(2, { error: 'must hold at least 2 conditions' })
          .max(5, { error: 'must hold at most 5 conditions' }),
        compositeJsonSchema(),
      ),
    })
    .superRefine((c, ctx) => checkComposite(c.conditions, ctx));

export const allSchema = compositeOf('all');
export const anySchema = compositeOf('any');

export const CONDITION_TYPES = [...SIMPLE_CONDITION_TYPES, 'all', 'any'] as const;

export const conditionSchema = z.discriminatedUnion('type', [simpleConditionSchema, allSchema, anySchema], {
  error: (issue) => unknownTypeMessage(issue.input, CONDITION_TYPES),
});

function unknownTypeMessage(input: unknown, allowed: readonly string[]): string {
  if (input === undefined) return 'is required';
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'must be an object with a "type"';
  const type = (input as { type?: unknown }).type;
  if (type === 'all' || type === 'any') return 'all / any cannot be nested inside all / any';
  return `must be one of ${allowed.join(', ')}`;
}

export type CompositeCondition = z.infer<typeof allSchema> | z.infer<typeof anySchema>;
export type Condition = z.infer<typeof conditionSchema>;
export type ConditionType = Condition['type'];

/** The simple conditions of a condition: itself, or those of an `all` / `any`. */
export function partsOf(condition: Condition): readonly SimpleCondition[] {
  return condition.type === 'all' || condition.type === 'any' ? condition.conditions : [condition];
}

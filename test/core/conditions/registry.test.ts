/**
 * Every registered condition type has every part the rest of the system reads from the registry:
 * a schema for its type, a judging the engine knows, an index placement, its series and warm-up
 * needs, its words and its form labels. Examples are generated from each type's own JSON Schema,
 * so a new type needs no change here.
 */
import { JSONSchemaFaker } from 'json-schema-faker';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { ConditionDefinition } from '../../../core/conditions/definition';
import { CONDITIONS, conditionSchema, definitionOf, isIndicatorType, SIMPLE_CONDITION_TYPES, type SimpleCondition } from '../../../core/conditions/registry';
import { newIndicator } from '../../../core/engine/indicators';
import { newSymbolState } from '../../../core/engine/market-state';
import { describeCondition, describeRule, describeValue } from '../../../core/engine/message';

/** A few valid examples of a definition's condition, from its JSON Schema (refinements applied by parsing). */
function examplesOf(definition: ConditionDefinition, count = 5): SimpleCondition[] {
  let seed = 42;
  JSONSchemaFaker.option({ random: () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646, alwaysFakeOptionals: false, optionalsProbability: 0.5 });
  // json-schema-faker 0.5 reads exclusive bounds the draft-4 way.
  const json = z.toJSONSchema(definition.schema, { io: 'input', unrepresentable: 'any', target: 'draft-4' });
  const examples: SimpleCondition[] = [];
  for (let tries = 0; examples.length < count && tries < 500; tries++) {
    const parsed = definition.schema.safeParse(JSONSchemaFaker.generate(json as never));
    if (parsed.success) examples.push(parsed.data as SimpleCondition);
  }
  return examples;
}

const definitions = CONDITIONS.map((d) => d as unknown as ConditionDefinition);

describe('the condition registry', () => {
  it('registers each type once, under the type its schema declares', () => {
    expect(new Set(SIMPLE_CONDITION_TYPES).size).toBe(CONDITIONS.length);
    for (const definition of definitions) {
      const json = z.toJSONSchema(definition.schema) as { properties?: { type?: { const?: unknown } } };
      expect(json.properties?.type?.const, definition.type).toBe(definition.type);
    }
  });

  describe.each(definitions.map((d) => [d.type, d] as const))('%s', (type, definition) => {
    const examples = examplesOf(definition);
    const market = newSymbolState();

    it('has a schema that valid examples pass, through the rule model too', () => {
      expect(examples.length, `no valid example could be generated for ${type}`).toBeGreaterThan(0);
      for (const c of examples) expect(conditionSchema.safeParse(c).success).toBe(true);
      expect(definition.schema.safeParse({ type }).success).toBe(definition.schema.safeParse({ type }).success);
    });

    it('is judged in a way the engine knows, on any market state', () => {
      for (const c of examples) {
        expect(definitionOf(c)).toBe(definition);
        const { judging } = definition;
        switch (judging.kind) {
          case 'level':
            expect(typeof judging.holds(c, 100, market, 'US')).toBe('boolean');
            if (judging.bound !== undefined) {
              const bound = judging.bound(c, { ...market, prevClose: 100 }, 'US');
              expect(bound === null || ['low', 'high'].includes(bound.side)).toBe(true);
            }
            break;
          case 'price_edge': {
            const at = judging.at(c, 0.0000001, 2e9);
            expect(at === null || typeof at === 'number').toBe(true);
            break;
          }
          case 'indicator':
            expect(['level', 'edge']).toContain(judging.shape);
            expect(typeof judging.line(c)).toBe('number');
            expect(['up', 'down']).toContain(judging.direction(c));
            expect(judging.quantity(c)).toMatch(/\S/);
            break;
          default:
            throw new Error(`unknown judging of ${type}`);
        }
      }
    });

    it('says where the rule index files it, and which windows and bar series it needs warmed', () => {
      expect(['thresholds', 'change', 'moves', 'volume', 'indicator']).toContain(definition.index.group);
      for (const c of examples) {
        const { index } = definition;
        if (index.group === 'thresholds') expect(index.keys(c).length).toBeGreaterThan(0);
        if (index.group === 'moves' || index.group === 'volume') expect(index.windowSeconds(c)).toBeGreaterThan(0);
        const series = definition.series(c, 'US');
        if (isIndicatorType(type)) {
          expect(index.group).toBe('indicator');
          expect(series).toMatch(/^\w+:\w+$/);
          const judging = definition.judging;
          if (judging.kind !== 'indicator') throw new Error('indicator types are judged on an indicator');
          // Every indicator it reads is one the engine can keep and warm.
          for (const key of judging.indicators(c)) expect(newIndicator(key), key).not.toBeNull();
        } else {
          expect(index.group).not.toBe('indicator');
        }
      }
    });

    it('has its words: the value, the alert text, the rule text and its chart lines', () => {
      for (const c of examples) {
        for (const words of [describeValue(c), describeCondition(c), describeRule(c)]) {
          expect(words).toMatch(/\S/);
          expect(words).not.toMatch(/undefined|NaN|\[object/);
        }
        for (const level of definition.words.levels(c)) expect(Number.isFinite(level)).toBe(true);
      }
    });

    it('has form labels: its own and one for every field of its schema', () => {
      expect(definition.form.label).toMatch(/\S/);
      const json = z.toJSONSchema(definition.schema, { io: 'input' }) as { properties: Record<string, unknown> };
      const fields = Object.keys(json.properties).filter((name) => name !== 'type');
      expect(Object.keys(definition.form.fields).sort()).toEqual(fields.sort());
    });
  });
});

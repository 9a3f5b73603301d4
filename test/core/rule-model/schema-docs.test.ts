/** A zod schema carries into its JSON Schema what the server checks beyond zod's own output. */
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { normalizeSymbol, ruleCreateSchema, rulePatchSchema, symbolSchema } from '../../../core/rule-model';
import { describeConstraint, documented, neverTogether, withJsonSchema } from '../../../core/rule-model/schema-docs';

const jsonSchemaOf = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;

describe('documented', () => {
  const band = z.strictObject({ lower: z.number(), upper: z.number() }).refine((b) => b.lower < b.upper);

  it('emits x-constraints and their words in the description, leaving validation alone', () => {
    const schema = documented(band, { description: 'a price band', constraints: [{ kind: 'lessThan', field: 'lower', than: 'upper' }] });
    expect(jsonSchemaOf(schema)).toMatchObject({
      description: 'a price band; lower must be less than upper',
      'x-constraints': [{ kind: 'lessThan', field: 'lower', than: 'upper' }],
    });
    expect(schema.safeParse({ lower: 2, upper: 1 }).success).toBe(false);
    expect(schema.safeParse({ lower: 1, upper: 2 }).success).toBe(true);
  });

  it('accumulates constraints and descriptions when applied again', () => {
    const once = documented(z.string(), { description: 'when it ends.', constraints: [{ kind: 'futureTimestamp' }] });
    const twice = documented(once, { constraints: [{ kind: 'serverIssued', from: 'nextCursor' }] });
    expect(jsonSchemaOf(twice)).toMatchObject({
      description: 'when it ends; must be in the future when the request arrives; only a value the server returned as nextCursor of this operation, unchanged',
      'x-constraints': [{ kind: 'futureTimestamp' }, { kind: 'serverIssued', from: 'nextCursor' }],
    });
  });

  it('has words for every kind', () => {
    expect(describeConstraint({ kind: 'publicHost', blockedRanges: ['10.0.0.0/8'], resolveTimeoutMs: 3000 })).toContain('resolves within 3 s');
  });
});

describe('withJsonSchema', () => {
  it('adds raw keywords; allOf accumulates', () => {
    const schema = withJsonSchema(withJsonSchema(z.array(z.string()), { allOf: [{ minItems: 1 }] }), { allOf: [{ maxItems: 3 }], uniqueItems: true });
    expect(jsonSchemaOf(schema)).toMatchObject({ type: 'array', uniqueItems: true, allOf: [{ minItems: 1 }, { maxItems: 3 }] });
  });

  it('neverTogether refuses an array holding both kinds of item, and only that', () => {
    const validate = new Ajv2020().compile(neverTogether({ const: 'a' }, { const: 'b' }));
    expect([[], ['a'], ['b', 'b'], ['a', 'c']].map((items) => validate(items))).toEqual([true, true, true, true]);
    expect(validate(['c', 'b', 'a'])).toBe(false);
  });

  it('reaches every z.toJSONSchema caller, not only the OpenAPI generator', () => {
    const create = jsonSchemaOf(ruleCreateSchema) as { properties: Record<string, unknown> };
    expect(create.properties.symbol).toMatchObject({ type: 'string', pattern: expect.any(String) });
    expect(JSON.stringify(create.properties.expiresAt)).toContain('"x-constraints":[{"kind":"futureTimestamp"}]');
    expect(jsonSchemaOf(rulePatchSchema)).toMatchObject({ minProperties: 1 });
  });
});

describe('the symbol pattern of the document', () => {
  const pattern = new RegExp((jsonSchemaOf(symbolSchema) as { pattern: string }).pattern, 'u');
  /** Mostly `usual` characters, now and then an `odd` one. */
  const chars = (usual: string, odd: string, minLength: number, maxLength: number) =>
    fc.string({
      unit: fc.oneof({ arbitrary: fc.constantFrom(...usual.split('')), weight: 30 }, { arbitrary: fc.constantFrom(...odd.split('')), weight: 1 }),
      minLength,
      maxLength,
    });
  const space = fc.constantFrom('', ' ', '\t\n', '\u00a0', '\u2028', '\ufeff', '\u200b');
  /** A market prefix, sometimes odd (an unknown market, a space, a dotless ı). */
  const prefix = fc.option(fc.constantFrom('crypto:', 'Forex:', 'INDICES:', 'stock:', 'future:', 'fund:', 'bond:', 'crypto :', 'ındices:', ':'));
  /** Near-symbols: [MARKET:]CODE[$EXCHANGE]$REGION with odd characters (ſ and ı upper-case to S and I) and white space around. */
  const symbolish = fc
    .tuple(space, prefix, chars('aZ09._-', 'ſı é$:', 1, 21), fc.option(chars('aZ', 'ſ0', 2, 8)), chars('aZ', 'ı0', 2, 2), space)
    .map(([before, market, code, exchange, region, after]) => `${before}${market ?? ''}${code}${exchange === null ? '' : `$${exchange}`}$${region}${after}`);

  it('accepts exactly what the server accepts', () => {
    const accepted = { true: 0, false: 0 };
    fc.assert(
      fc.property(fc.oneof(symbolish, fc.string()), (input) => {
        const byServer = normalizeSymbol(input) !== null;
        accepted[`${byServer}`]++;
        expect(pattern.test(input)).toBe(byServer);
      }),
      { seed: 14, numRuns: 2000 },
    );
    // Both sides of the pattern were tried.
    expect(accepted.true).toBeGreaterThan(100);
    expect(accepted.false).toBeGreaterThan(100);
  });
});

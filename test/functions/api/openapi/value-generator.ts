/**
 * Values for requests, generated from docs/openapi.json's schemas alone: json-schema-faker
 * proposes, {@link DocumentValidator} disposes. Valid values are faker's output that the document
 * accepts; invalid ones are single mutations of a valid value, aimed at a keyword of the schema at
 * that spot (a pattern, a bound, a required field, an `x-constraints` entry …), that the document
 * rejects. Deterministic for a seed.
 */
import { JSONSchemaFaker } from 'json-schema-faker';
import type { DocumentValidator, JsonSchema } from './document-validator';

/** mulberry32: a small seeded PRNG, so every run generates the same requests. */
export function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Path = (string | number)[];

/** A spot in a value with the schema that describes it there (the branch of a union that matched). */
interface Spot {
  path: Path;
  value: unknown;
  schema: JsonSchema;
}

export interface Mutation {
  value: unknown;
  /** What was broken, e.g. `condition.lower: pattern`. */
  what: string;
}

/** Characters a mutation inserts into strings: no digits, so a number stays no number. */
const JUNK = [' ', '!', '#', '%', '/', 'é', '\u0000', '"', 'x', 'Z', '.', '$', '-'];
const WRONG_TYPES: unknown[] = ['text', 7, 2.5, true, null, [], {}];
const TRIES = 60;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const clone = <T>(value: T): T => structuredClone(value);
const constraintsOf = (schema: JsonSchema) => (Array.isArray(schema['x-constraints']) ? (schema['x-constraints'] as Record<string, unknown>[]) : []);
export const hasConstraint = (schema: JsonSchema, kind: string) => constraintsOf(schema).some((constraint) => constraint.kind === kind);
const pathText = (path: Path) => path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${key}`)).join('').replace(/^\./, '') || '(body)';

/** Whether `value` agrees with every `const` property of `schema` (the tag of a tagged union's branch). */
function taggedLike(schema: JsonSchema, value: unknown): boolean {
  const properties = isObject(schema.properties) ? (schema.properties as Record<string, JsonSchema>) : {};
  return Object.entries(properties).every(([name, property]) => !('const' in property) || (isObject(value) && value[name] === property.const));
}

function setAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = clone(root) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  parent[path[path.length - 1] as string | number] = value;
  return copy;
}

export class ValueGenerator {
  private readonly fakerSchemas = new WeakMap<object, unknown>();

  constructor(
    private readonly validator: DocumentValidator,
    private readonly random: () => number,
  ) {
    JSONSchemaFaker.option({
      random,
      alwaysFakeOptionals: false,
      optionalsProbability: 0.5,
      fillProperties: false,
      maxItems: 4,
      maxLength: 30,
      failOnInvalidFormat: true,
    });
  }

  /** An integer in [0, n). */
  index(n: number): number {
    return Math.floor(this.random() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.index(items.length)] as T;
  }

  /**
   * A value of `schema` the document calls valid (for `operationId`), or undefined when faker found
   * none. `everyOptional`: with every optional property (a base for mutations: more spots).
   */
  async valid(schema: JsonSchema, operationId: string, options: { everyOptional?: boolean } = {}): Promise<unknown> {
    for (let attempt = 0; attempt < TRIES; attempt++) {
      JSONSchemaFaker.option('alwaysFakeOptionals', options.everyOptional === true);
      const value = await this.trim(schema, JSONSchemaFaker.generate(this.forFaker(schema) as Parameters<typeof JSONSchemaFaker.generate>[0]), operationId);
      if ((await this.validator.check(schema, value, operationId)).valid) return value;
    }
    return undefined;
  }

  /**
   * Faker's value with what the document rejects left out where the document allows leaving it
   * out: optional properties and array items (down to `minItems`) that do not validate, and
   * items past `maxItems`. Whatever else is wrong stays, for the caller to reject.
   */
  private async trim(schema: JsonSchema, value: unknown, operationId: string): Promise<unknown> {
    const check = async (part: JsonSchema, candidate: unknown) => (await this.validator.check(part, candidate, operationId)).valid;
    if (await check(schema, value)) return value;
    const resolved = this.validator.resolve(schema);
    const union = (resolved.anyOf ?? resolved.oneOf) as JsonSchema[] | undefined;
    if (union !== undefined) {
      for (const branch of union.filter((candidate) => taggedLike(this.validator.resolve(candidate), value))) {
        const trimmed = await this.trim(branch, value, operationId);
        if (await check(schema, trimmed)) return trimmed;
      }
      return value;
    }
    if (isObject(value) && isObject(resolved.properties)) {
      const properties = resolved.properties as Record<string, JsonSchema>;
      const required = new Set((resolved.required as string[] | undefined) ?? []);
      const kept: Record<string, unknown> = {};
      for (const [name, item] of Object.entries(value)) {
        const part = properties[name];
        if (part === undefined) continue;
        const trimmed = await this.trim(part, item, operationId);
        if (required.has(name) || (await check(part, trimmed))) kept[name] = trimmed;
      }
      return kept;
    }
    if (Array.isArray(value) && isObject(resolved.items)) {
      const kept: unknown[] = [];
      for (const item of value.slice(0, typeof resolved.maxItems === 'number' ? resolved.maxItems : value.length)) {
        const trimmed = await this.trim(resolved.items, item, operationId);
        if (await check(resolved.items, trimmed)) kept.push(trimmed);
      }
      return kept.length >= ((resolved.minItems as number | undefined) ?? 0) ? kept : value;
    }
    return value;
  }

  /**
   * One mutation of the valid `value` that the document calls invalid, or undefined when none was
   * found. Mutations whose spot and keyword are not in `covered` yet come first (then it holds them),
   * so that a few dozen mutations reach every keyword the values exercise.
   */
  async invalid(schema: JsonSchema, value: unknown, operationId: string, covered = new Set<string>()): Promise<Mutation | undefined> {
    const candidates = this.spots(schema, value, []).flatMap((spot) =>
      this.mutationsAt(spot).map(([keyword, replacement]) => ({ spot, keyword, replacement, key: `${pathText(spot.path).replace(/\[\d+\]/g, '[]')}: ${keyword}` })),
    );
    for (let i = candidates.length - 1; i > 0; i--) {
      const j = this.index(i + 1);
      [candidates[i], candidates[j]] = [candidates[j] as (typeof candidates)[number], candidates[i] as (typeof candidates)[number]];
    }
    candidates.sort((a, b) => Number(covered.has(a.key)) - Number(covered.has(b.key)));
    for (const { spot, replacement, key } of candidates.slice(0, TRIES)) {
      const mutated = setAt(value, spot.path, replacement);
      if (!(await this.validator.check(schema, mutated, operationId)).valid) {
        covered.add(key);
        return { value: mutated, what: key };
      }
    }
    return undefined;
  }

  /**
   * The schema as faker should see it: references inlined, examples offered besides the schema,
   * what faker cannot generate from (`not`, `x-` keywords, a `pattern` beside a `format`) left to
   * the validator.
   */
  private forFaker(schema: unknown): unknown {
    if (Array.isArray(schema)) return schema.map((item) => this.forFaker(item));
    if (!isObject(schema)) return schema;
    const cached = this.fakerSchemas.get(schema);
    if (cached !== undefined) return cached;
    const resolved = this.validator.resolve(schema);
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(resolved)) {
      if (key.startsWith('x-') || key === 'not' || key === 'description' || key === 'examples') continue;
      if (key === 'pattern' && typeof resolved.format === 'string') continue; // faker's formats are better than its regexes
      if (key === 'exclusiveMinimum' && typeof value === 'number') out.minimum = value;
      else if (key === 'exclusiveMaximum' && typeof value === 'number') out.maximum = value;
      else out[key] = this.forFaker(value);
    }
    const result = Array.isArray(resolved.examples) ? { anyOf: [{ enum: resolved.examples }, out] } : out;
    this.fakerSchemas.set(schema, result);
    return result;
  }

  /** Every spot of `value`, with the (resolved, matching) schema there. */
  private spots(schema: JsonSchema, value: unknown, path: Path): Spot[] {
    const resolved = this.validator.resolve(schema);
    const union = (resolved.anyOf ?? resolved.oneOf) as JsonSchema[] | undefined;
    if (union !== undefined) {
      const branch = union.find((candidate) => this.validator.matches(candidate, value));
      const rest = Object.fromEntries(Object.entries(resolved).filter(([key]) => key !== 'anyOf' && key !== 'oneOf'));
      return [...(Object.keys(rest).length > 0 ? [{ path, value, schema: rest }] : []), ...(branch === undefined ? [] : this.spots(branch, value, path))];
    }
    const here: Spot = { path, value, schema: resolved };
    if (isObject(value) && isObject(resolved.properties)) {
      const properties = resolved.properties as Record<string, JsonSchema>;
      return [here, ...Object.entries(value).flatMap(([key, item]) => (properties[key] === undefined ? [] : this.spots(properties[key], item, [...path, key])))];
    }
    if (Array.isArray(value) && isObject(resolved.items)) {
      return [here, ...value.flatMap((item, i) => this.spots(resolved.items as JsonSchema, item, [...path, i]))];
    }
    return [here];
  }

  /** Replacements at a spot, each named for the keyword it breaks. */
  private mutationsAt({ value, schema }: Spot): [string, unknown][] {
    const out: [string, unknown][] = [['type', this.pick(WRONG_TYPES.filter((wrong) => typeof wrong !== typeof value))]];
    if (isObject(value)) {
      if (schema.additionalProperties === false) out.push(['additionalProperties', { ...value, zzUnknownField: 1 }]);
      for (const name of (schema.required as string[] | undefined) ?? []) {
        const { [name]: _, ...rest } = value;
        out.push([`required ${name}`, rest]);
      }
      if (typeof schema.minProperties === 'number') out.push(['minProperties', {}]);
      for (const constraint of constraintsOf(schema)) {
        if (constraint.kind === 'lessThan') out.push([`x-constraints lessThan`, { ...value, [constraint.field as string]: value[constraint.than as string] }]);
      }
    }
    if (typeof value === 'string') {
      const at = this.index(value.length + 1);
      out.push(['pattern/format', `${value.slice(0, at)}${this.pick(JUNK)}${value.slice(at)}`]);
      if (typeof schema.maxLength === 'number') out.push(['maxLength', 'x'.repeat(schema.maxLength + 1)]);
      if (typeof schema.minLength === 'number' && schema.minLength > 0) out.push(['minLength', '']);
      if (hasConstraint(schema, 'futureTimestamp')) out.push(['x-constraints futureTimestamp', new Date(Date.now() - 86_400_000 * (1 + this.index(3000))).toISOString()]);
      if (hasConstraint(schema, 'serverIssued')) out.push(['x-constraints serverIssued', `${value}x`]);
      for (const constraint of constraintsOf(schema).filter((c) => c.kind === 'publicHost')) {
        const [network = ''] = this.pick(constraint.blockedRanges as string[]).split('/');
        if (URL.canParse(value)) {
          const url = new URL(value);
          url.hostname = network.includes(':') ? `[${network.replace(/::$/, '::1')}]` : network.replace(/\.0$/, '.1');
          out.push(['x-constraints publicHost', url.href]);
        }
      }
    }
    if (typeof value === 'number') {
      if (typeof schema.minimum === 'number') out.push(['minimum', schema.minimum - 1]);
      if (typeof schema.maximum === 'number') out.push(['maximum', schema.maximum + 1]);
      if (typeof schema.exclusiveMinimum === 'number') out.push(['exclusiveMinimum', schema.exclusiveMinimum]);
      if (typeof schema.exclusiveMaximum === 'number') out.push(['exclusiveMaximum', schema.exclusiveMaximum]);
      if (schema.type === 'integer') out.push(['integer', value + 0.5]);
    }
    if (Array.isArray(value)) {
      if (isObject(schema.items) && value.length > 0) {
        const at = this.index(value.length);
        const item = JSONSchemaFaker.generate(this.forFaker(schema.items) as Parameters<typeof JSONSchemaFaker.generate>[0]);
        out.push(['items (another item)', [...value.slice(0, at), item, ...value.slice(at + 1)]]);
      }
      if (typeof schema.maxItems === 'number' && value.length > 0) out.push(['maxItems', Array.from({ length: schema.maxItems + 1 }, (_, i) => value[i % value.length])]);
      if (typeof schema.minItems === 'number' && schema.minItems > 0) out.push(['minItems', value.slice(0, schema.minItems - 1)]);
    }
    if (Array.isArray(schema.enum) || 'const' in schema) out.push(['enum/const', typeof value === 'string' ? `${value}_other` : 'other']);
    return out;
  }
}

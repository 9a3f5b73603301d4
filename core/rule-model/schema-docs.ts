/**
 * How a zod schema carries into its JSON Schema (docs/openapi.json, the dashboard build) what
 * the server checks beyond zod's own JSON Schema output. Both helpers attach zod metadata
 * (`.meta()`, the global registry), which every `z.toJSONSchema` call copies into the schema it
 * emits, so no generator needs to know about them.
 *
 * 1. Where JSON Schema can say it, say it in JSON Schema: {@link withJsonSchema} adds raw
 *    keywords (`pattern`, `minProperties`, `not`, `allOf`, …) to the emitted schema.
 *    ```ts
 *    withJsonSchema(patchSchema, { minProperties: 1 })
 *    withJsonSchema(percent, { not: { const: 0 } })
 *    // an array of conditions that never holds both kinds of item:
 *    withJsonSchema(conditionsArray, { allOf: [neverTogether(closeIndicator, formingIndicator), neverTogether(closeIndicator, priceEdge)] })
 *    ```
 * 2. Where it cannot, {@link documented} records the rule machine-readably in `x-constraints`
 *    (an array; validators ignore `x-` keywords, test/functions/api/openapi-conformance.test.ts
 *    interprets them) and appends its plain-English phrase to `description` (joined with `; `):
 *    ```ts
 *    documented(channelObject, { constraints: [{ kind: 'lessThan', field: 'lower', than: 'upper' }] })
 *    // → { …, "description": "lower must be less than upper",
 *    //     "x-constraints": [{ "kind": "lessThan", "field": "lower", "than": "upper" }] }
 *    documented(isoTimestampSchema, { description: 'when the rule stops firing', constraints: [{ kind: 'futureTimestamp' }] })
 *    ```
 *
 * The constraint vocabulary ({@link SchemaConstraint}; a new kind is added here, to
 * {@link describeConstraint}, and to the conformance test's interpreter):
 * | kind | on | means |
 * |---|---|---|
 * | `lessThan` `{ field, than }` | object | when both are numbers, `field` < `than` (`lower` < `upper`, `fast` < `slow`) |
 * | `futureTimestamp` | date-time string | after the server's clock when the request arrives |
 * | `publicHost` `{ blockedRanges, resolveTimeoutMs }` | URL string | the host is an IP address, or a name resolving within `resolveTimeoutMs`, and no address of it is in `blockedRanges` (CIDR) |
 * | `serverIssued` `{ from }` | string | a value the server returned, unchanged, in a `from` field (e.g. `nextCursor`) of an answer to the same operation |
 *
 * Both helpers return a new schema (zod's `.meta()`): export and use the returned one. Applied
 * again, `x-constraints` and `allOf` accumulate, descriptions are joined, other keywords are
 * replaced. Checks added afterwards (`.min()`, `.refine()`) and wrappers (`.optional()`,
 * `.nullable()`) keep the metadata; a new object built from the schema (`.extend()`, `.pick()`)
 * does not, so document the final object.
 */
import * as z from 'zod';
import { assertNever } from '../assert-never';

/** A JSON Schema fragment: keywords and their values as they appear in the emitted schema. */
export type JsonSchemaFragment = Record<string, unknown>;

/** The JSON Schema keyword that holds the constraints JSON Schema cannot state. */
export const CONSTRAINTS_KEYWORD = 'x-constraints';

/** A rule the server checks that JSON Schema cannot state; the table in the module header says what each means. */
export type SchemaConstraint =
  | { kind: 'lessThan'; field: string; than: string }
  | { kind: 'futureTimestamp' }
  | { kind: 'publicHost'; blockedRanges: readonly string[]; resolveTimeoutMs: number }
  | { kind: 'serverIssued'; from: string };

export interface SchemaDocs {
  /** Plain-English description of the value; each constraint's phrase is appended to it. */
  description?: string;
  constraints?: readonly SchemaConstraint[];
}

/** The phrase that describes a constraint in `description`: `lower must be less than upper`. */
export function describeConstraint(constraint: SchemaConstraint): string {
  switch (constraint.kind) {
    case 'lessThan':
      return `${constraint.field} must be less than ${constraint.than}`;
    case 'futureTimestamp':
      return 'must be in the future when the request arrives';
    case 'publicHost':
      return `the host must be an IP address or a name that resolves within ${constraint.resolveTimeoutMs / 1000} s, and none of its addresses may be private, loopback, link-local or otherwise internal (${constraint.blockedRanges.join(', ')})`;
    case 'serverIssued':
      return `only a value the server returned as ${constraint.from} of this operation, unchanged`;
    default:
      return assertNever(constraint, 'schema constraint kind');
  }
}

const metaOf = (schema: z.ZodType): JsonSchemaFragment => ({ ...(z.globalRegistry.get(schema) ?? {}) });

/** Joins phrases with `; ` (a trailing full stop of a phrase is dropped). */
const joinDescriptions = (...parts: (string | undefined)[]) => {
  const phrases = parts.flatMap((part) => (part === undefined ? [] : [part.trim().replace(/\.$/, '')])).filter((part) => part !== '');
  const text = phrases.join('; ');
  return text === '' ? {} : { description: text };
};

/**
 * Adds raw JSON Schema keywords to the schema zod emits for `schema` (keywords JSON Schema has:
 * `pattern`, `minProperties`, `not`, `allOf`, `format`, `examples`, …). `allOf` accumulates.
 * @example withJsonSchema(rulePatchObject, { minProperties: 1 })
 */
export function withJsonSchema<T extends z.ZodType>(schema: T, fragment: JsonSchemaFragment): T {
  const existing = metaOf(schema);
  const allOf = [...asArray(existing.allOf), ...asArray(fragment.allOf)];
  return schema.meta({ ...existing, ...fragment, ...(allOf.length === 0 ? {} : { allOf }) });
}

/**
 * Records what JSON Schema cannot say about `schema`: `x-constraints` for tools, and the same in
 * words appended to `description`.
 * @example documented(expiresAt, { description: 'when the rule stops firing', constraints: [{ kind: 'futureTimestamp' }] })
 */
export function documented<T extends z.ZodType>(schema: T, docs: SchemaDocs): T {
  const existing = metaOf(schema);
  const constraints = [...asArray(existing[CONSTRAINTS_KEYWORD]), ...(docs.constraints ?? [])];
  const { description: _, ...rest } = existing;
  return schema.meta({
    ...rest,
    ...joinDescriptions(existing.description as string | undefined, docs.description, ...(docs.constraints ?? []).map(describeConstraint)),
    ...(constraints.length === 0 ? {} : { [CONSTRAINTS_KEYWORD]: constraints }),
  });
}

/**
 * JSON Schema for an array that never holds an item matching `a` together with one matching `b`
 * (either alone, or neither, is fine). Combine several with `allOf`.
 * @example neverTogether({ properties: { evaluate: { const: 'forming' } }, required: ['evaluate'] }, { properties: { type: { enum: ['crosses'] } }, required: ['type'] })
 */
export function neverTogether(a: JsonSchemaFragment, b: JsonSchemaFragment): JsonSchemaFragment {
  return { not: { allOf: [{ contains: a }, { contains: b }] } };
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

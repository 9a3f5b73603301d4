/**
 * The OpenAPI 3.1 document of the HTTP API, built from the route table and the same zod schemas
 * that validate requests, so it cannot drift from the code. `npm run openapi` writes it to
 * docs/openapi.json; a test checks that the checked-in file is current.
 */
import * as z from 'zod';
import {
  alertSchema,
  channelSchema,
  conditionSchema,
  isoTimestampSchema,
  ruleCreateSchema,
  rulePatchSchema,
  ruleSchema,
  symbolSchema,
} from '../../core/rule-model';
import { healthSchema } from '../health/feed-health';
import { errorBodySchema } from '../shared/http-errors';
import { MAX_BODY_BYTES } from '../shared/json-body';
import { ROUTES, type RouteDefinition } from './routes';

type JsonSchema = Record<string, unknown>;

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'validation_error (bad body, unknown field, bad query parameter) or invalid_json',
  401: 'unauthorized: missing, unknown or revoked API key',
  404: 'not_found: no such rule for this owner (another owner’s rule included)',
  413: `payload_too_large: body over ${MAX_BODY_BYTES / 1024} KiB`,
  415: 'unsupported_media_type: body that is not JSON',
  429: 'quota_exceeded: the owner has reached its rule quota',
  500: 'internal_error (never carries details)',
};

/** Names of the reusable schemas in components.schemas. */
const NAMED_SCHEMAS: [z.ZodType, string][] = [
  [conditionSchema, 'Condition'],
  [channelSchema, 'Channel'],
  [ruleSchema, 'Rule'],
  [ruleCreateSchema, 'RuleCreate'],
  [rulePatchSchema, 'RulePatch'],
  [alertSchema, 'Alert'],
  [healthSchema, 'Health'],
  [errorBodySchema, 'Error'],
];

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Transforms have no JSON Schema of their own: describe what they accept. */
const describeTransforms = (ctx: { zodSchema: unknown; jsonSchema: JsonSchema }) => {
  if (ctx.zodSchema === symbolSchema) {
    // No `pattern`: SYMBOL_PATTERN is the canonical upper-case form, input may be any case.
    Object.assign(ctx.jsonSchema, {
      type: 'string',
      description: 'iTick symbol CODE$REGION (e.g. AAPL$US, 700$HK); case-insensitive and trimmed on input, upper-case on output',
      examples: ['AAPL$US'],
    });
  }
  if (ctx.zodSchema === isoTimestampSchema) Object.assign(ctx.jsonSchema, { type: 'string', format: 'date-time' });
};

function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { io, unrepresentable: 'any', override: describeTransforms }) as JsonSchema;
  return json;
}

/** components.schemas: request schemas as accepted (io input), response schemas as sent (io output). */
function componentSchemas(routes: readonly RouteDefinition[]): { schemas: Record<string, JsonSchema>; idOf: Map<z.ZodType, string> } {
  const idOf = new Map<z.ZodType, string>(NAMED_SCHEMAS);
  for (const route of routes) {
    if (route.body !== undefined && !idOf.has(route.body)) idOf.set(route.body, `${capitalize(route.operationId)}Request`);
    const { schema } = route.success;
    if (schema !== undefined && !idOf.has(schema)) idOf.set(schema, `${capitalize(route.operationId)}Response`);
  }
  const requestSchemas = new Set(routes.flatMap((route) => (route.body === undefined ? [] : [route.body])));
  const registries = { input: z.registry<{ id: string }>(), output: z.registry<{ id: string }>() };
  for (const [schema, id] of idOf) {
    registries[requestSchemas.has(schema) ? 'input' : 'output'].add(schema, { id });
  }
  // Shared parts (conditions, channels) appear in both directions; their two forms must agree.
  for (const shared of [conditionSchema, channelSchema]) registries.input.add(shared, { id: idOf.get(shared) as string });

  const schemas: Record<string, JsonSchema> = {};
  for (const io of ['output', 'input'] as const) {
    const generated = z.toJSONSchema(registries[io], {
      io,
      unrepresentable: 'any',
      override: describeTransforms,
      uri: (id) => `#/components/schemas/${id}`,
    }).schemas;
    for (const [id, generatedSchema] of Object.entries(generated)) {
      const { $schema: _, $id: __, ...json } = generatedSchema as JsonSchema;
      if (schemas[id] !== undefined && JSON.stringify(schemas[id]) !== JSON.stringify(json)) {
        throw new Error(`schema ${id} differs between requests and responses: give each form its own name`);
      }
      schemas[id] = json;
    }
  }
  return { schemas, idOf };
}

function operation(route: RouteDefinition, idOf: Map<z.ZodType, string>): JsonSchema {
  const pathParameters = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
    description: 'rule id',
  }));
  const queryParameters = Object.entries(route.query?.shape ?? {}).map(([name, schema]) => {
    const { description, ...json } = toJsonSchema(schema as z.ZodType, 'output');
    return { name, in: 'query', required: false, ...(description === undefined ? {} : { description }), schema: json };
  });
  const errorResponses = Object.fromEntries(
    [...route.errors, 500].map((status) => [
      String(status),
      { description: ERROR_DESCRIPTIONS[status], content: { 'application/json': { schema: ref('Error') } } },
    ]),
  );
  const { success } = route;
  return {
    operationId: route.operationId,
    summary: route.summary,
    security: route.authorized ? [{ apiKey: [] }] : [],
    ...(pathParameters.length + queryParameters.length === 0 ? {} : { parameters: [...pathParameters, ...queryParameters] }),
    ...(route.body === undefined
      ? {}
      : { requestBody: { required: true, content: { 'application/json': { schema: ref(idOf.get(route.body) as string) } } } }),
    responses: {
      [String(success.status)]: {
        description: success.description,
        ...(success.schema === undefined ? {} : { content: { 'application/json': { schema: ref(idOf.get(success.schema) as string) } } }),
      },
      ...errorResponses,
    },
  };
}

export function buildOpenApiDocument(routes: readonly RouteDefinition[] = ROUTES): JsonSchema {
  const { schemas, idOf } = componentSchemas(routes);
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation(route, idOf) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'stock-alerts HTTP API',
      version: '1',
      description: `Rules and alerts of stock-alerts. JSON bodies of at most ${MAX_BODY_BYTES / 1024} KiB; unknown fields are refused. See docs/api.md.`,
    },
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <api key> (npm run keys -- create --owner NAME)' } },
      schemas,
    },
    paths,
  };
}

/**
 * The OpenAPI 3.1 document of the HTTP API, built from the route table and the same zod schemas
 * that validate requests, so it cannot drift from the code. `npm run openapi` writes it to
 * docs/openapi.json; a test checks that the checked-in file is current.
 */
import * as z from 'zod';
import { alertSchema, channelSchema, conditionSchema, ruleCreateSchema, rulePatchSchema, ruleSchema } from '../../core/rule-model';
import { healthSchema } from '../health/feed-health';
import { errorBodySchema } from '../shared/http-errors';
import { MAX_BODY_BYTES } from '../shared/json-body';
import { ROUTE_TAGS, ROUTES, type RouteDefinition } from './routes';

type JsonSchema = Record<string, unknown>;

/** Where the API is served: `npm start`'s local server unless `apiUrl` says otherwise. */
export const LOCAL_API_URL = 'http://127.0.0.1:3000';

/** The methods of an OpenAPI path item; those a path does not list answer {@link UNMATCHED_ROUTE_STATUS}. */
export const OPENAPI_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** What API Gateway's HTTP API (and the local server) answer for a method or path without a route: 404, never 405. */
export const UNMATCHED_ROUTE_STATUS = 404;

/**
 * API Gateway's own error body, deployed only: `{"message":"Not Found"}` for a request no route
 * matches, `{"message":"Unauthorized"}` for one without an Authorization header. The local server
 * answers both in the Error shape.
 */
const gatewayErrorSchema = z.strictObject({ message: z.string() });

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'validation_error (bad body, unknown field, bad query parameter) or invalid_json',
  401: 'unauthorized: missing, unknown or revoked API key (deployed, a request without an Authorization header gets API Gateway’s own {"message":"Unauthorized"})',
  404: 'not_found: no such rule for this owner (another owner’s rule included)',
  413: `payload_too_large: body over ${MAX_BODY_BYTES / 1024} KiB`,
  415: 'unsupported_media_type: body that is not JSON',
  429: 'quota_exceeded: the owner has reached its rule quota; limit_exceeded: another per-owner limit (named in the message and details), e.g. distinct symbols',
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
  [gatewayErrorSchema, 'GatewayError'],
];

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * Transforms (symbols, timestamps) have no JSON Schema of their own: they state what they accept
 * with core/rule-model/schema-docs.ts, which z.toJSONSchema emits from their metadata.
 */
function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
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

const EMPTY_MEANS_ABSENT = 'an empty value counts as absent (also among repeats)';

/**
 * A query parameter as the wire carries it. Its schema is the parsed form (`limit` an integer);
 * the server treats an empty value as no value, which `allowEmptyValue` says.
 */
function queryParameter(name: string, schema: z.ZodType): JsonSchema {
  const { description, ...json } = toJsonSchema(schema, 'output');
  const text = [description, EMPTY_MEANS_ABSENT].filter((part) => part !== undefined).join('; ');
  return { name, in: 'query', required: false, allowEmptyValue: true, description: text, schema: json };
}

function operation(route: RouteDefinition, idOf: Map<z.ZodType, string>): JsonSchema {
  const pathParameters = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
    description: 'rule id (an unknown or malformed id answers 404, like another owner’s rule)',
  }));
  const queryParameters = Object.entries(route.query?.shape ?? {}).map(([name, schema]) => queryParameter(name, schema as z.ZodType));
  const errorResponses = Object.fromEntries(
    [...route.errors, 500].map((status) => [
      String(status),
      { description: ERROR_DESCRIPTIONS[status], content: { 'application/json': { schema: status === 401 ? errorOrGateway : ref('Error') } } },
    ]),
  );
  const { success } = route;
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: route.tag === undefined ? [] : [route.tag],
    // A public route that can answer 401 (GET /health) takes a key optionally: none, or the bearer key.
    security: route.authorized ? [{ [SECURITY_SCHEME]: [] }] : route.errors.includes(401) ? [{}, { [SECURITY_SCHEME]: [] }] : [],
    ...(pathParameters.length + queryParameters.length === 0 ? {} : { parameters: [...pathParameters, ...queryParameters] }),
    ...(queryParameters.length === 0 ? {} : { [ADDITIONAL_QUERY_PARAMETERS_KEYWORD]: false }),
    ...(route.body === undefined
      ? {}
      : {
          requestBody: {
            required: true,
            description: `JSON of at most ${MAX_BODY_BYTES} bytes (UTF-8)`,
            [MAX_BODY_BYTES_KEYWORD]: MAX_BODY_BYTES,
            content: { 'application/json': { schema: ref(idOf.get(route.body) as string) } },
          },
        }),
    responses: {
      [String(success.status)]: {
        description: success.description,
        ...(success.schema === undefined ? {} : { content: { 'application/json': { schema: ref(idOf.get(success.schema) as string) } } }),
      },
      ...errorResponses,
    },
  };
}

/** The name of the bearer security scheme. */
export const SECURITY_SCHEME = 'bearerAuth';

/** Operation extension, like `additionalProperties`: `false` when query parameters it does not list are refused (400). */
export const ADDITIONAL_QUERY_PARAMETERS_KEYWORD = 'x-additional-query-parameters';

/** Request body extension: the largest body, in bytes, the API accepts (larger: 413). */
export const MAX_BODY_BYTES_KEYWORD = 'x-max-body-bytes';

/**
 * Document extension: what a request no route matches gets (a method a path does not list, or
 * another path): `status` and the `content` of the answer, as in a Response object.
 */
export const UNMATCHED_ROUTES_KEYWORD = 'x-unmatched-routes';

const errorOrGateway = { anyOf: [ref('Error'), ref('GatewayError')] };

const methodsOf = (routes: readonly RouteDefinition[], path: string) =>
  new Set(routes.filter((route) => route.path === path).map((route) => route.method.toLowerCase()));

export function buildOpenApiDocument(routes: readonly RouteDefinition[] = ROUTES): JsonSchema {
  const { schemas, idOf } = componentSchemas(routes);
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation(route, idOf) };
  }
  const unlisted = Object.keys(paths).map((path) => `${path}: ${OPENAPI_METHODS.filter((method) => !methodsOf(routes, path).has(method)).join(', ')}`);
  return {
    openapi: '3.1.0',
    info: {
      title: 'stock-alerts HTTP API',
      version: '1',
      description: [
        `Rules and alerts of stock-alerts. JSON bodies of at most ${MAX_BODY_BYTES / 1024} KiB; unknown fields are refused; an empty query value counts as absent.`,
        `What JSON Schema cannot state is in \`x-constraints\` (vocabulary: core/rule-model/schema-docs.ts) and in words in \`description\`.`,
        `A method a path does not list answers ${UNMATCHED_ROUTE_STATUS}, not 405 (\`${UNMATCHED_ROUTES_KEYWORD}\`), except CORS preflights. See docs/api.md.`,
      ].join(' '),
    },
    servers: [
      {
        url: '{apiUrl}',
        description: 'the API: locally `npm start`; deployed, the stack output ApiUrl without its trailing slash',
        variables: {
          apiUrl: { default: LOCAL_API_URL, description: 'e.g. https://{api-id}.execute-api.{region}.amazonaws.com' },
        },
      },
    ],
    tags: Object.entries(ROUTE_TAGS).map(([name, description]) => ({ name, description })),
    components: {
      securitySchemes: {
        [SECURITY_SCHEME]: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <api key> (npm run keys -- create --owner NAME)' },
      },
      schemas,
    },
    paths,
    [UNMATCHED_ROUTES_KEYWORD]: {
      status: UNMATCHED_ROUTE_STATUS,
      description: `no such route: any other path, and these methods (a CORS preflight OPTIONS excepted): ${unlisted.join('; ')}. Locally the Error shape (not_found); deployed, API Gateway’s own {"message":"Not Found"}`,
      content: { 'application/json': { schema: errorOrGateway } },
    },
  };
}

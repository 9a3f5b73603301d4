/**
 * The route table of the HTTP API, defined once: which handler serves each route, whether it sits
 * behind the API-key authorizer, what it needs from the table, and its contract (schemas and
 * statuses). The CDK construct, the local HTTP server and the OpenAPI generator all read it.
 * It imports no handler, so reading it starts nothing.
 */
import * as z from 'zod';
import { alertSchema, ruleCreateSchema, rulePatchSchema, ruleSchema } from '../../core/rule-model';
import { healthSchema } from '../health/feed-health';
import { listAlertsQuerySchema, listRulesQuerySchema } from './query-schemas';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface RouteDefinition {
  method: HttpMethod;
  /** API Gateway path, parameters in braces: `/rules/{id}`. */
  path: string;
  /** The handler module, relative to the repository root; it exports {@link HANDLER_EXPORT}. */
  entry: string;
  /** Behind the API-key authorizer. */
  authorized: boolean;
  /** What the function needs from the table (for least-privilege grants). */
  tableAccess: 'read' | 'readWrite';
  operationId: string;
  summary: string;
  /** The OpenAPI tag that groups the operation (see {@link ROUTE_TAGS}); every route of {@link ROUTES} has one. */
  tag?: RouteTag;
  query?: z.ZodObject;
  body?: z.ZodType;
  success: { status: 200 | 201 | 204; description: string; schema?: z.ZodType };
  /** Error statuses the route can answer besides 500. */
  errors: readonly (400 | 401 | 404 | 413 | 415 | 429)[];
}

/** OpenAPI tags of the operations, with what each groups. */
export const ROUTE_TAGS = {
  rules: 'alert rules: create, list, read, change, pause, resume, delete',
  alerts: 'the history of fired alerts and their deliveries',
  health: "whether the market feed is live (no API key needed; with one, the caller's own symbols and limits)",
} as const;

export type RouteTag = keyof typeof ROUTE_TAGS;

export const HANDLER_EXPORT = 'handler';

/** The Lambda authorizer: HTTP API, payload 2.0, simple responses, cacheable by this identity source. */
export const AUTHORIZER = {
  entry: 'functions/authorizer/handler.ts',
  identitySource: '$request.header.Authorization',
  tableAccess: 'read',
} as const;

const pageOf = <T extends z.ZodType>(item: T) =>
  z.strictObject({
    items: z.array(item),
    nextCursor: z.string().nullable().meta({ description: 'pass as cursor to get the next page; null on the last page' }),
  });

const JSON_BODY_ERRORS = [400, 401, 413, 415] as const;

export const ROUTES = [
  {
    method: 'POST',
    path: '/rules',
    entry: 'functions/api/create-rule.ts',
    authorized: true,
    tableAccess: 'readWrite',
    operationId: 'createRule',
    tag: 'rules',
    summary: 'Create a rule',
    body: ruleCreateSchema,
    success: { status: 201, description: 'the new rule', schema: ruleSchema },
    errors: [...JSON_BODY_ERRORS, 429],
  },
  {
    method: 'GET',
    path: '/rules',
    entry: 'functions/api/list-rules.ts',
    authorized: true,
    tableAccess: 'read',
    operationId: 'listRules',
    tag: 'rules',
    summary: "List the caller's rules",
    query: listRulesQuerySchema,
    success: { status: 200, description: 'a page of rules, in id order', schema: pageOf(ruleSchema) },
    errors: [400, 401],
  },
  {
    method: 'GET',
    path: '/rules/{id}',
    entry: 'functions/api/get-rule.ts',
    authorized: true,
    tableAccess: 'read',
    operationId: 'getRule',
    tag: 'rules',
    summary: 'Get a rule',
    success: { status: 200, description: 'the rule', schema: ruleSchema },
    errors: [401, 404],
  },
  {
    method: 'PATCH',
    path: '/rules/{id}',
    entry: 'functions/api/update-rule.ts',
    authorized: true,
    tableAccess: 'readWrite',
    operationId: 'updateRule',
    tag: 'rules',
    summary: 'Change, pause or resume a rule',
    body: rulePatchSchema,
    success: { status: 200, description: 'the changed rule', schema: ruleSchema },
    errors: [...JSON_BODY_ERRORS, 404],
  },
  {
    method: 'DELETE',
    path: '/rules/{id}',
    entry: 'functions/api/delete-rule.ts',
    authorized: true,
    tableAccess: 'readWrite',
    operationId: 'deleteRule',
    tag: 'rules',
    summary: 'Delete a rule',
    success: { status: 204, description: 'deleted' },
    errors: [401, 404],
  },
  {
    method: 'GET',
    path: '/alerts',
    entry: 'functions/api/list-alerts.ts',
    authorized: true,
    tableAccess: 'read',
    operationId: 'listAlerts',
    tag: 'alerts',
    summary: "List the caller's alerts, newest first",
    query: listAlertsQuerySchema,
    success: { status: 200, description: 'a page of alerts, newest first', schema: pageOf(alertSchema) },
    errors: [400, 401],
  },
  {
    method: 'GET',
    path: '/health',
    entry: 'functions/health/handler.ts',
    authorized: false,
    tableAccess: 'read',
    operationId: 'getHealth',
    tag: 'health',
    summary: "Whether the feed is live and when the last tick arrived; with an API key also the caller's own symbols and limits",
    success: { status: 200, description: 'feed health: counts only without a key; with a valid key also `owner`, that owner’s own data', schema: healthSchema },
    // 401: an Authorization header with an unknown, revoked or malformed key (no header is fine).
    errors: [401],
  },
] as const satisfies readonly (RouteDefinition & { tag: RouteTag })[];

/** API Gateway's route key: `GET /rules/{id}`. */
export const routeKey = (route: Pick<RouteDefinition, 'method' | 'path'>) => `${route.method} ${route.path}`;

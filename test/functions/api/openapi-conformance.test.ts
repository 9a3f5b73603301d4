/**
 * docs/openapi.json against the API it describes (issue 14, "Proof"): requests generated from the
 * document alone (json-schema-faker, seeded), judged by the document alone (ajv, ajv-formats and
 * an interpreter of its `x-constraints`), sent over HTTP to the local API server (real authorizer,
 * real handlers, DynamoDB Local). Every request the document calls valid must be accepted, every
 * single-mutation of one that it calls invalid must be refused with a documented 4xx, and every
 * answer must match the document's response for its status.
 */
import { describe, expect, it } from 'vitest';
import { useApiServer, type ApiResponse } from '../../support/api-server';
import { DocumentValidator, loadOpenApiDocument, type JsonSchema, type OpenApiDocument, type OpenApiOperation } from './openapi/document-validator';
import { hasConstraint, seededRandom, ValueGenerator } from './openapi/value-generator';

const SEED = 14_2026;
/** Valid requests per operation (creates run first, so that item routes have rules to address). */
const VALID_PER_OPERATION = 30;
/** Invalid requests per operation that takes a body (more spots to break) or query parameters. */
const INVALID_PER_BODY = 80;
const INVALID_PER_QUERY = 30;

const api = useApiServer();

interface Operation {
  method: string;
  path: string;
  spec: OpenApiOperation;
}

interface Request {
  path: Record<string, string>;
  query: [string, string][];
  body?: unknown;
  /** Sent as is instead of `body`, with this Content-Type. */
  raw?: { text: string; contentType: string };
  key: string | null;
}

type Expectation = { status: number } | { invalid: string };

/** Counts for the summary line, and the first failures with their requests. */
class Tally {
  readonly counts = new Map<string, number>();
  readonly failures: string[] = [];
  add(label: string): void {
    this.counts.set(label, (this.counts.get(label) ?? 0) + 1);
  }
  get(label: string): number {
    return this.counts.get(label) ?? 0;
  }
}

function operationsOf(document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, spec]) => ({ method: method.toUpperCase(), path, spec })));
}

const bodySchemaOf = (operation: Operation) => operation.spec.requestBody?.content['application/json']?.schema;
const queryParametersOf = (operation: Operation) => (operation.spec.parameters ?? []).filter((p) => p.in === 'query');
const pathParametersOf = (operation: Operation) => (operation.spec.parameters ?? []).filter((p) => p.in === 'path');
const successStatusOf = (operation: Operation) => Number(Object.keys(operation.spec.responses).find((status) => status.startsWith('2')));
/** The collection an item path belongs to: `/rules` for `/rules/{id}`. */
const collectionOf = (path: string) => path.replace(/\/\{[^}]+\}$/, '');

/** A query value as the typed value its schema describes (OpenAPI form style: integers in decimal). */
function fromWire(schema: JsonSchema, text: string): unknown {
  const numeric = schema.type === 'integer' || schema.type === 'number';
  return numeric && /^-?(0|[1-9]\d*)(\.\d+)?$/.test(text) ? Number(text) : text;
}

const invalidCountOf = (operation: Operation) =>
  bodySchemaOf(operation) !== undefined ? INVALID_PER_BODY : queryParametersOf(operation).length > 0 ? INVALID_PER_QUERY : 0;

const toWire = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

describe('docs/openapi.json against the local API', () => {
  it('accepts what it calls valid, refuses what it calls invalid, and every answer matches it', async () => {
    const document = await loadOpenApiDocument();
    const issued = new Map<string, Map<string, Set<string>>>();
    const validator = new DocumentValidator(document, {
      now: () => Date.now(),
      issued: (operationId, field) => issued.get(operationId)?.get(field) ?? new Set(),
    });
    const generate = new ValueGenerator(validator, seededRandom(SEED));
    const tally = new Tally();
    const { key } = await api.newOwner('openapi');
    const operations = operationsOf(document);
    /** Spots and keywords each operation's mutations have broken so far. */
    const covered = new Map<string, Set<string>>();
    const coveredBy = (operation: Operation) => {
      const keys = covered.get(operation.spec.operationId) ?? new Set<string>();
      covered.set(operation.spec.operationId, keys);
      return keys;
    };
    /** Ids of rules that exist: created by a collection's POST, not yet deleted. */
    const live = new Map<string, Set<string>>();

    const remember = (operation: Operation, body: unknown) => {
      const fields = issued.get(operation.spec.operationId) ?? new Map<string, Set<string>>();
      issued.set(operation.spec.operationId, fields);
      const walk = (value: unknown): void => {
        if (Array.isArray(value)) value.forEach(walk);
        else if (typeof value === 'object' && value !== null) {
          for (const [name, item] of Object.entries(value)) {
            if (typeof item === 'string') fields.set(name, (fields.get(name) ?? new Set()).add(item));
            walk(item);
          }
        }
      };
      walk(body);
    };

    async function exchange(operation: Operation, request: Request): Promise<ApiResponse> {
      const path = operation.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(request.path[name] ?? ''));
      const query = request.query.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&');
      return api.request(operation.method, query === '' ? path : `${path}?${query}`, {
        key: request.key,
        ...(request.raw !== undefined
          ? { rawBody: request.raw.text, headers: { 'content-type': request.raw.contentType } }
          : request.body !== undefined
            ? { json: request.body }
            : {}),
      });
    }

    /** Checks the answer against the document and the expectation; records what it issued. */
    async function judge(operation: Operation, request: Request, answer: ApiResponse, expected: Expectation, label: string) {
      tally.add(label);
      const problems: string[] = [];
      const documented = operation.spec.responses[String(answer.status)];
      if ('status' in expected && answer.status !== expected.status) problems.push(`expected ${expected.status}`);
      if ('invalid' in expected && (answer.status < 400 || answer.status >= 500)) problems.push(`expected a 4xx for ${expected.invalid}`);
      if (documented === undefined) problems.push(`status ${answer.status} is not documented for ${operation.spec.operationId}`);
      const schema = documented?.content?.['application/json']?.schema;
      if (schema !== undefined) {
        if (!(answer.headers.get('content-type') ?? '').startsWith('application/json')) problems.push('answer is not application/json');
        const verdict = await validator.check(schema, answer.body, operation.spec.operationId);
        if (!verdict.valid) problems.push(`answer does not match the document: ${verdict.why}`);
      } else if (documented !== undefined && answer.body !== undefined) {
        problems.push('answer has a body the document does not describe');
      }
      if (problems.length > 0) {
        tally.add(`${label}: failed`);
        if (tally.failures.length < 10) {
          tally.failures.push(`${operation.method} ${operation.path} ${JSON.stringify({ ...request, key: request.key === null ? null : '<key>' })} → ${answer.status} ${JSON.stringify(answer.body)}: ${problems.join('; ')}`);
        }
      } else if (answer.status < 300) {
        remember(operation, answer.body);
      }
    }

    /** Path parameters: an id of a rule that exists (mostly), or one that does not. */
    function pathParameters(operation: Operation): { values: Record<string, string>; exists: boolean } {
      const ids = [...(live.get(collectionOf(operation.path)) ?? [])];
      const exists = ids.length > 0 && generate.index(5) > 0;
      const values = Object.fromEntries(
        pathParametersOf(operation).map((parameter) => [parameter.name, exists ? generate.pick(ids) : `no${String(generate.index(1e9)).padStart(20, '0')}`]),
      );
      return { values, exists };
    }

    /** A query the document calls valid: each parameter absent, empty (where allowed) or a valid value. */
    async function validQuery(operation: Operation): Promise<[string, string][] | undefined> {
      const query: [string, string][] = [];
      for (const parameter of queryParametersOf(operation)) {
        const roll = generate.index(10);
        if (roll < 3) continue;
        if (roll < 4 && parameter.allowEmptyValue === true) {
          query.push([parameter.name, '']);
          continue;
        }
        if (hasConstraint(validator.resolve(parameter.schema), 'serverIssued')) {
          const from = (validator.resolve(parameter.schema)['x-constraints'] as { kind: string; from?: string }[]).find((c) => c.kind === 'serverIssued')?.from ?? '';
          const values = [...(issued.get(operation.spec.operationId)?.get(from) ?? [])];
          if (values.length > 0) query.push([parameter.name, generate.pick(values)]);
          continue;
        }
        const value = await generate.valid(parameter.schema, operation.spec.operationId);
        if (value === undefined) return undefined;
        query.push([parameter.name, toWire(value)]);
      }
      return query;
    }

    async function sendValid(operation: Operation): Promise<void> {
      const bodySchema = bodySchemaOf(operation);
      const body = bodySchema === undefined ? undefined : await generate.valid(bodySchema, operation.spec.operationId);
      const query = await validQuery(operation);
      const maxBytes = operation.spec.requestBody?.['x-max-body-bytes'] ?? Infinity;
      if ((bodySchema !== undefined && body === undefined) || query === undefined || Buffer.byteLength(JSON.stringify(body ?? '')) > maxBytes) {
        tally.add(`valid ${operation.spec.operationId}: none generated`);
        return;
      }
      const { values, exists } = pathParameters(operation);
      const request: Request = { path: values, query, body, key };
      const answer = await exchange(operation, request);
      const itemRoute = pathParametersOf(operation).length > 0;
      await judge(operation, request, answer, { status: !itemRoute || exists ? successStatusOf(operation) : 404 }, `valid ${operation.spec.operationId}`);
      if (answer.status === 201 && typeof (answer.body as { id?: unknown }).id === 'string') {
        live.set(operation.path, (live.get(operation.path) ?? new Set()).add((answer.body as { id: string }).id));
      }
      if (operation.method === 'DELETE' && answer.status < 300) live.get(collectionOf(operation.path))?.delete(values.id ?? '');
    }

    /** One mutation the document rejects: of the body, of a query value, or an unknown query parameter. */
    async function sendInvalid(operation: Operation): Promise<void> {
      const bodySchema = bodySchemaOf(operation);
      const { values } = pathParameters(operation);
      const query = (await validQuery(operation)) ?? [];
      const parameters = queryParametersOf(operation);
      let request: Request | undefined;
      let what = '';
      if (bodySchema !== undefined) {
        const body = await generate.valid(bodySchema, operation.spec.operationId, { everyOptional: true });
        const mutation = body === undefined ? undefined : await generate.invalid(bodySchema, body, operation.spec.operationId, coveredBy(operation));
        if (mutation !== undefined) [request, what] = [{ path: values, query, body: mutation.value, key }, `body ${mutation.what}`];
      } else if (parameters.length > 0 && operation.spec['x-additional-query-parameters'] === false && generate.index(4) === 0) {
        [request, what] = [{ path: values, query: [...query, ['zzUnknown', '1']], key }, 'unknown query parameter'];
      } else if (parameters.length > 0) {
        const parameter = generate.pick(parameters);
        const value = await generate.valid(parameter.schema, operation.spec.operationId);
        const mutation = await generate.invalid(parameter.schema, value ?? 'x', operation.spec.operationId, coveredBy(operation));
        const wire = mutation === undefined ? undefined : toWire(mutation.value);
        if (wire !== undefined && wire !== '' && !(await validator.check(parameter.schema, fromWire(parameter.schema, wire), operation.spec.operationId)).valid) {
          [request, what] = [{ path: values, query: [...query.filter(([name]) => name !== parameter.name), [parameter.name, wire]], key }, `query ${parameter.name} ${mutation?.what ?? ''}`];
        }
      }
      if (request === undefined) {
        tally.add(`invalid ${operation.spec.operationId}: none generated`);
        return;
      }
      await judge(operation, request, await exchange(operation, request), { invalid: what }, `invalid ${operation.spec.operationId}`);
    }

    /** Requests the document rejects as a whole: no key, a body that is not JSON or too large, a method no path lists. */
    async function sendRejectedAsWhole(): Promise<void> {
      for (const operation of operations) {
        // `{}` among the requirements: the key is optional (GET /health), so no key is not a 401.
        if (operation.spec.security.length > 0 && !operation.spec.security.some((requirement) => Object.keys(requirement).length === 0)) {
          const request: Request = { path: pathParameters(operation).values, query: [], key: null };
          await judge(operation, request, await exchange(operation, request), { status: 401 }, 'no key');
        }
        const requestBody = operation.spec.requestBody;
        if (requestBody !== undefined) {
          const { values } = pathParameters(operation);
          const text = JSON.stringify({ note: 'x'.repeat(requestBody['x-max-body-bytes'] ?? 0) });
          const tooLarge: Request = { path: values, query: [], raw: { text, contentType: 'application/json' }, key };
          await judge(operation, tooLarge, await exchange(operation, tooLarge), { status: 413 }, 'body too large');
          const notJson: Request = { path: values, query: [], raw: { text: 'symbol=AAPL$US', contentType: 'text/plain' }, key };
          await judge(operation, notJson, await exchange(operation, notJson), { status: 415 }, 'body not JSON');
        }
      }
      const unmatched = document['x-unmatched-routes'];
      for (const path of Object.keys(document.paths)) {
        // fetch cannot send TRACE; HEAD answers carry no body to check.
        for (const method of ['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'].filter((m) => document.paths[path]?.[m.toLowerCase()] === undefined)) {
          const operation: Operation = { method, path, spec: { operationId: `${method} ${path}`, security: [], responses: { [String(unmatched.status)]: method === 'HEAD' ? {} : unmatched } } };
          const request: Request = { path: { id: 'x' }, query: [], key };
          await judge(operation, request, await exchange(operation, request), { status: unmatched.status }, 'unmatched route');
        }
      }
    }

    const creates = operations.filter((operation) => operation.method === 'POST' && pathParametersOf(operation).length === 0);
    for (const operation of creates) for (let i = 0; i < VALID_PER_OPERATION; i++) await sendValid(operation);
    const tasks = operations.flatMap((operation) => [
      ...Array.from({ length: creates.includes(operation) ? 0 : VALID_PER_OPERATION }, () => () => sendValid(operation)),
      ...Array.from({ length: invalidCountOf(operation) }, () => () => sendInvalid(operation)),
    ]);
    for (let i = tasks.length - 1; i > 0; i--) {
      const j = generate.index(i + 1);
      [tasks[i], tasks[j]] = [tasks[j] as (typeof tasks)[number], tasks[i] as (typeof tasks)[number]];
    }
    for (const task of tasks) await task();
    await sendRejectedAsWhole();

    const summary = [...tally.counts].map(([label, count]) => `${label}: ${count}`).join(', ');
    const mutations = [...covered].map(([operationId, keys]) => `${operationId} ${keys.size}`).join(', ');
    console.log(`openapi conformance (seed ${SEED}): ${summary}`);
    console.log(`distinct mutations: ${mutations}; x-constraints decided: ${JSON.stringify(Object.fromEntries(validator.kindsSeen))}`);
    expect(tally.failures).toEqual([]);
    for (const operation of operations) {
      // A generator that finds nothing proves nothing: most attempts must have produced a request.
      expect(tally.get(`valid ${operation.spec.operationId}`), `valid ${operation.spec.operationId}`).toBeGreaterThanOrEqual(VALID_PER_OPERATION * 0.8);
      expect(tally.get(`invalid ${operation.spec.operationId}`), `invalid ${operation.spec.operationId}`).toBeGreaterThanOrEqual(invalidCountOf(operation) * 0.8);
    }
  }, 180_000);
});

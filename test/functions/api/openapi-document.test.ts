import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../../functions/api/openapi-document';
import { ROUTES } from '../../../functions/api/routes';

interface Operation {
  summary: string;
  tags: string[];
  security: unknown[];
  parameters?: { name: string; in: string; allowEmptyValue?: boolean; schema: Record<string, unknown> }[];
  requestBody?: { content: { 'application/json': { schema: { $ref: string } } } };
  responses: Record<string, { content?: { 'application/json': { schema: { $ref: string } } } }>;
}

interface Document {
  servers: { url: string; variables: Record<string, { default: string }> }[];
  tags: { name: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, { properties: Record<string, Record<string, unknown>> } & Record<string, unknown>> };
  'x-unmatched-routes': { status: number };
}

const document = buildOpenApiDocument() as unknown as Document;
const schemas = document.components.schemas;
const propertiesOf = (name: string) => schemas[name]?.properties ?? {};

describe('OpenAPI document', () => {
  it('is checked in as docs/openapi.json and current (npm run openapi regenerates it)', async () => {
    const checkedIn = await readFile(new URL('../../../docs/openapi.json', import.meta.url), 'utf8');
    expect(checkedIn).toBe(`${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
  });

  it('documents every route with its success and error responses', () => {
    for (const route of ROUTES) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      expect(Object.keys(operation?.responses ?? {}).sort()).toEqual([String(route.success.status), ...route.errors.map(String), '500'].sort());
      // GET /health takes a key optionally (none, or the bearer key: then also the caller's own data).
      expect(operation?.security).toEqual(route.authorized ? [{ bearerAuth: [] }] : route.path === '/health' ? [{}, { bearerAuth: [] }] : []);
    }
  });

  it('describes request bodies with the schemas that validate them, refusing unknown fields', () => {
    const create = document.paths['/rules']?.post;
    expect(create?.requestBody?.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/RuleCreate' });
    expect(schemas.RuleCreate).toMatchObject({ type: 'object', additionalProperties: false, required: ['symbol', 'condition'] });
    expect(schemas.Rule).toMatchObject({ additionalProperties: false });
  });

  it('names the server, the bearer scheme, and a summary and tag for each operation', () => {
    expect(document.servers).toEqual([expect.objectContaining({ url: '{apiUrl}', variables: { apiUrl: expect.objectContaining({ default: 'http://127.0.0.1:3000' }) } })]);
    expect(document.components.securitySchemes).toEqual({ bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer' }) });
    const tags = new Set(document.tags.map((tag) => tag.name));
    for (const route of ROUTES) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation?.summary, route.operationId).not.toBe('');
      expect(operation?.tags, route.operationId).toHaveLength(1);
      expect(tags.has(operation?.tags[0] ?? ''), route.operationId).toBe(true);
    }
  });

  it('states what the validators check: symbol patterns, a future expiresAt, a non-empty patch', () => {
    const symbol = new RegExp(propertiesOf('RuleCreate').symbol?.pattern as string, 'u');
    for (const accepted of ['AAPL$US', ' aapl$us\n', '700$HK', 'reliance$nse$in', 'crypto:BTCUSDT$BA', 'Forex:eurusd$gb', 'stock:AAPL$US']) expect(symbol.test(accepted), accepted).toBe(true);
    for (const refused of ['AAPL', '$US', 'AA PL$US', 'aapſ$us', '', 'bond:X$US', 'crypto:BTCUSDT']) expect(symbol.test(refused), refused).toBe(false);
    const query = document.paths['/rules']?.get?.parameters?.find((parameter) => parameter.name === 'symbol');
    expect(query?.schema.pattern).toBe(propertiesOf('RuleCreate').symbol?.pattern);
    expect(propertiesOf('Rule').symbol).toMatchObject({ pattern: '^((forex|indices|crypto|future|fund):)?[A-Z0-9][A-Z0-9._-]{0,19}(\\$[A-Z]{2,8})?\\$[A-Z]{2}$' });
    expect(JSON.stringify(propertiesOf('RuleCreate').expiresAt)).toContain('{"kind":"futureTimestamp"}');
    expect(schemas.RulePatch).toMatchObject({ minProperties: 1 });
  });

  it("describes the feed's verdict on a rule: invalid_symbol with its message, and warming from live data", () => {
    const rule = propertiesOf('Rule');
    expect(rule.status?.enum).toContain('invalid_symbol');
    expect(schemas.Rule?.required).toEqual(expect.arrayContaining(['status', 'statusMessage', 'warmUp']));
    expect(JSON.stringify(rule.warmUp)).toContain('"const":"warming_from_live_data"');
    const status = document.paths['/rules']?.get?.parameters?.find((parameter) => parameter.name === 'status');
    expect(status?.schema.enum).toEqual(['active', 'paused', 'triggered', 'expired', 'invalid_symbol']);
    // Not settable: a create or patch takes only active and paused.
    expect(propertiesOf('RuleCreate').status?.enum).toEqual(['active', 'paused']);
  });

  it('says that empty query values count as absent, unknown ones are refused, and other methods answer 404', () => {
    for (const route of ROUTES.filter((r) => 'query' in r)) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()] as Operation & { 'x-additional-query-parameters'?: boolean };
      expect(operation.parameters?.filter((p) => p.in === 'query').every((p) => p.allowEmptyValue === true)).toBe(true);
      expect(operation['x-additional-query-parameters']).toBe(false);
    }
    expect(document['x-unmatched-routes']).toMatchObject({ status: 404 });
  });
});

import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../../functions/api/openapi-document';
import { ROUTES } from '../../../functions/api/routes';

interface Operation {
  security: unknown[];
  requestBody?: { content: { 'application/json': { schema: { $ref: string } } } };
  responses: Record<string, { content?: { 'application/json': { schema: { $ref: string } } } }>;
}

const document = buildOpenApiDocument() as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

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
      expect(operation?.security).toEqual(route.authorized ? [{ apiKey: [] }] : []);
    }
  });

  it('describes request bodies with the schemas that validate them, refusing unknown fields', () => {
    const create = document.paths['/rules']?.post;
    expect(create?.requestBody?.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/RuleCreate' });
    expect(document.components.schemas.RuleCreate).toMatchObject({ type: 'object', additionalProperties: false, required: ['symbol', 'condition'] });
    expect(document.components.schemas.Rule).toMatchObject({ additionalProperties: false });
  });
});

import { access } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { AUTHORIZER, ROUTES, routeKey } from '../../../functions/api/routes';

describe('route table', () => {
  it('holds exactly the routes of api.md, once each', () => {
    expect(ROUTES.map(routeKey)).toEqual([
      'POST /rules',
      'GET /rules',
      'GET /rules/{id}',
      'PATCH /rules/{id}',
      'DELETE /rules/{id}',
      'GET /alerts',
      'GET /health',
    ]);
  });

  it('puts every route but GET /health behind the authorizer', () => {
    expect(ROUTES.filter((route) => !route.authorized).map(routeKey)).toEqual(['GET /health']);
  });

  it('names handler files that exist, one per route', async () => {
    for (const entry of [...ROUTES.map((route) => route.entry), AUTHORIZER.entry]) {
      await expect(access(new URL(`../../../${entry}`, import.meta.url))).resolves.toBeUndefined();
    }
    expect(new Set(ROUTES.map((route) => route.entry)).size).toBe(ROUTES.length);
  });
});

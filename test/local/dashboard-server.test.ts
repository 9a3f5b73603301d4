/**
 * The local stand-ins that serve the dashboard as AWS does: the static server (CloudFront's part:
 * the build, config.json, the security headers) and the HTTP API server's CORS (API Gateway's).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_CORS } from '../../dashboard/api-cors';
import { ASSET_CACHE_CONTROL, ENTRY_CACHE_CONTROL, SECURITY_HEADERS } from '../../dashboard/security-headers';
import type { RouteDefinition } from '../../functions/api/routes';
import { startDashboardServer, type DashboardServer } from '../../local/dashboard-server';
import { startHttpApiServer, type HttpApiServer, type LambdaHandler } from '../../local/http-api-server';

const config = { apiUrl: 'http://127.0.0.1:3000', webSocketUrl: 'ws://127.0.0.1:4000' };

describe('local dashboard server', () => {
  let server: DashboardServer;
  beforeAll(async () => {
    const dist = mkdtempSync(path.join(tmpdir(), 'dashboard-dist-'));
    mkdirSync(path.join(dist, 'assets'));
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(path.join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(path.join(dist, '.build-fingerprint'), 'secret-ish');
    server = await startDashboardServer({ distDir: dist, config: () => config });
  });
  afterAll(() => server.close());

  it('serves the build with the security headers, index.html revalidated and hashed assets cached for good', async () => {
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe(ENTRY_CACHE_CONTROL);
    expect(page.headers.get('content-security-policy')).toContain("connect-src 'self' http://127.0.0.1:3000 ws://127.0.0.1:4000");
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(page.headers.get(name)).toBe(value);
    const asset = await fetch(`${server.url}/assets/index-abc123.js`);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toBe(ASSET_CACHE_CONTROL);
  });

  it('answers config.json from the stack’s URLs', async () => {
    const response = await fetch(`${server.url}/config.json`);
    expect(await response.json()).toEqual(config);
    expect(response.headers.get('cache-control')).toBe(ENTRY_CACHE_CONTROL);
  });

  it('serves nothing outside the build, no dotfiles, and only GET and HEAD', async () => {
    for (const bad of ['/.build-fingerprint', '/%2e%2e/%2e%2e/etc/passwd', '/missing.js', '/assets']) expect((await fetch(`${server.url}${bad}`)).status, bad).toBe(404);
    expect((await fetch(`${server.url}/`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${server.url}/`, { method: 'HEAD' })).status).toBe(200);
  });
});

describe('local HTTP API server CORS', () => {
  const route: RouteDefinition = { method: 'POST', path: '/things', entry: 'echo', authorized: true, tableAccess: 'readWrite', operationId: 'createThing', summary: '', success: { status: 201, description: '' }, errors: [] };
  const handlers: Record<string, LambdaHandler> = {
    echo: async () => ({ statusCode: 201, headers: { 'content-type': 'application/json' }, body: '{}' }),
    authorizer: async (event) => ((event as { identitySource: string[] }).identitySource[0] === 'Bearer good' ? { isAuthorized: true, context: { owner: 'alice' } } : { isAuthorized: false }),
  };
  const dashboard = 'http://127.0.0.1:3001';
  let api: HttpApiServer;
  beforeAll(async () => {
    api = await startHttpApiServer({ routes: [route], authorizerEntry: 'authorizer', loadHandler: async (entry) => handlers[entry] as LambdaHandler, cors: { ...API_CORS, allowOrigins: () => [dashboard] } });
  });
  afterAll(() => api.close());

  it('answers a preflight from the dashboard’s origin itself, before any route or authorizer', async () => {
    const preflight = await fetch(`${api.url}/things`, { method: 'OPTIONS', headers: { Origin: dashboard, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(dashboard);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET,POST,PATCH,DELETE,OPTIONS');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
    expect(preflight.headers.get('access-control-max-age')).toBe('3600');
    const stranger = await fetch(`${api.url}/things`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('adds the allowed origin to the integrations’ answers only, as API Gateway does', async () => {
    const ok = await fetch(`${api.url}/things`, { method: 'POST', headers: { Origin: dashboard, Authorization: 'Bearer good', 'Content-Type': 'application/json' }, body: '{}' });
    expect(ok.status).toBe(201);
    expect(ok.headers.get('access-control-allow-origin')).toBe(dashboard);
    // The gateway's own refusal of a key carries no CORS headers (the page sees a network error).
    const refused = await fetch(`${api.url}/things`, { method: 'POST', headers: { Origin: dashboard, Authorization: 'Bearer bad' }, body: '{}' });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });
});

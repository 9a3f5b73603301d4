/**
 * What the dashboard, a page on another origin than the HTTP API, needs from the API's CORS
 * configuration: defined once for the CDK stack's HTTP API (lib/constructs/rules-api.ts) and the
 * local HTTP API server (local/http-api-server.ts), so the local stack exercises the same rules.
 */
export const API_CORS = {
  allowMethods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
  /** The key travels in `Authorization`; bodies are JSON. */
  allowHeaders: ['authorization', 'content-type'],
  maxAgeSeconds: 3600,
} as const;

/**
 * A local stand-in for the API Gateway HTTP API: a node:http server on loopback that matches the
 * route table (functions/api/routes.ts), runs the real Lambda authorizer (simple responses) for
 * authorized routes, turns each request into a payload 2.0 event for the real handler and writes
 * its result back. The one liberty taken: a denied key answers 401 in the api.md error shape
 * (API Gateway's own deny body is `{"message":"Forbidden"}`).
 *
 * CORS, when configured, as API Gateway's HTTP API does it: a preflight (`OPTIONS` with `Origin`
 * and `Access-Control-Request-Method`) is answered by the server itself, before any route or
 * authorizer, with the allow headers when the origin is allowed; the configured headers are added
 * to the responses of the route handlers (the integrations) only, not to the gateway's own errors
 * (a refused key, no such route), which a browser then sees as a network error.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { AUTHORIZER, HANDLER_EXPORT, ROUTES, routeKey, type RouteDefinition } from '../functions/api/routes';
import { errorBody, type ErrorCode } from '../functions/shared/http-errors';
import { lambdaContext } from './lambda-context';

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface HttpApiServerOptions {
  /** 0 or unset: a free port. */
  port?: number;
  host?: string;
  routes?: readonly RouteDefinition[];
  authorizerEntry?: string;
  /** Loads the handler of an entry file (default: imports it from the repository). */
  loadHandler?: (entry: string) => Promise<LambdaHandler>;
  /** CORS for browser pages on other origins (the dashboard); unset: none. */
  cors?: CorsOptions;
}

export interface CorsOptions {
  /** `['*']` or exact origins; a function is asked per request (origins known only after start). */
  allowOrigins: readonly string[] | (() => readonly string[]);
  allowMethods: readonly string[];
  allowHeaders: readonly string[];
  maxAgeSeconds: number;
}

export interface HttpApiServer {
  /** e.g. `http://127.0.0.1:3000` */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** API Gateway HTTP APIs refuse larger payloads before any Lambda runs. */
const GATEWAY_PAYLOAD_LIMIT = 10 * 1024 * 1024;
const REPOSITORY_ROOT = fileURLToPath(new URL('..', import.meta.url));
const TEXT_MEDIA_TYPE = /^(text\/|application\/([\w.+-]+\+)?(json|xml)|application\/(javascript|x-www-form-urlencoded))/i;

export async function importHandler(entry: string): Promise<LambdaHandler> {
  const module = (await import(pathToFileURL(join(REPOSITORY_ROOT, entry)).href)) as Record<string, unknown>;
  const handler = module[HANDLER_EXPORT];
  if (typeof handler !== 'function') throw new Error(`${entry} does not export a function named ${HANDLER_EXPORT}`);
  return handler as LambdaHandler;
}

interface CompiledRoute {
  route: RouteDefinition;
  pattern: RegExp;
  parameterNames: string[];
  handler: LambdaHandler;
}

function compile(route: RouteDefinition, handler: LambdaHandler): CompiledRoute {
  const parameterNames: string[] = [];
  const segments = route.path.split('/').map((segment) => {
    const parameter = /^\{(\w+)\}$/.exec(segment)?.[1];
    if (parameter === undefined) return segment.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&');
    parameterNames.push(parameter);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${segments.join('/')}$`), parameterNames, handler };
}

/**
 * Starts the server, importing every handler first (so a configuration error stops the start).
 * Set the handlers' environment (TABLE_NAME, DYNAMODB_ENDPOINT, …) before calling it.
 */
export async function startHttpApiServer(options: HttpApiServerOptions = {}): Promise<HttpApiServer> {
  const load = options.loadHandler ?? importHandler;
  const routes = await Promise.all((options.routes ?? ROUTES).map(async (route) => compile(route, await load(route.entry))));
  const authorizer = await load(options.authorizerEntry ?? AUTHORIZER.entry);
  const host = options.host ?? '127.0.0.1';

  const server = createServer((request, response) => {
    serve(request, response).catch(() => writeError(response, 500, 'internal_error', 'the local API server failed'));
  });

  /** The Access-Control-Allow-Origin value for the request's origin, or undefined when CORS does not allow it. */
  function allowedOrigin(request: IncomingMessage): string | undefined {
    const origin = request.headers.origin;
    if (options.cors === undefined || origin === undefined) return undefined;
    const allowed = typeof options.cors.allowOrigins === 'function' ? options.cors.allowOrigins() : options.cors.allowOrigins;
    if (allowed.includes('*')) return '*';
    return allowed.includes(origin) ? origin : undefined;
  }

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = (request.method ?? 'GET').toUpperCase();
    if (options.cors !== undefined && method === 'OPTIONS' && request.headers.origin !== undefined && request.headers['access-control-request-method'] !== undefined) {
      const origin = allowedOrigin(request);
      request.resume();
      response.writeHead(204, {
        ...(origin === undefined
          ? {}
          : {
              'access-control-allow-origin': origin,
              'access-control-allow-methods': options.cors.allowMethods.join(','),
              'access-control-allow-headers': options.cors.allowHeaders.join(','),
              'access-control-max-age': String(options.cors.maxAgeSeconds),
            }),
        vary: 'Origin',
      });
      response.end();
      return;
    }
    const match = findRoute(routes, method, url.pathname);
    const body = await readBody(request);
    if (body === null) return writeError(response, 413, 'payload_too_large', 'payload larger than API Gateway accepts');
    if (match === null) return writeError(response, 404, 'not_found', 'no such route');

    const event = toEvent(request, url, match, body, { host, port: boundPort() });
    if (match.compiled.route.authorized) {
      const identity = event.headers.authorization;
      // Like API Gateway: a missing identity source is refused without calling the authorizer.
      if (identity === undefined || identity === '') return writeError(response, 401, 'unauthorized', 'missing API key: send Authorization: Bearer <api key>');
      let decision: { isAuthorized?: unknown; context?: unknown };
      try {
        decision = (await authorizer(toAuthorizerEvent(event, identity), lambdaContext('local-authorizer', { memoryMb: 256 }))) as typeof decision;
      } catch {
        return writeError(response, 500, 'internal_error', 'the authorizer failed');
      }
      if (decision.isAuthorized !== true) return writeError(response, 401, 'unauthorized', 'unknown or revoked API key');
      event.requestContext.authorizer = { lambda: decision.context ?? {} };
    }
    let result: unknown;
    try {
      result = await match.compiled.handler(event, lambdaContext(`local-${match.compiled.route.operationId}`, { memoryMb: 256 }));
    } catch {
      return writeError(response, 500, 'internal_error', 'the handler failed');
    }
    const origin = allowedOrigin(request);
    if (origin !== undefined) {
      response.setHeader('access-control-allow-origin', origin);
      response.setHeader('vary', 'Origin');
    }
    writeResult(response, result, event.requestContext.requestId);
  }

  const boundPort = () => {
    const address = server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  };

  await new Promise<void>((resolve, reject) => {
    const refuse = (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${options.port} on ${host} is in use: stop what holds it or set API_PORT to another port`) : error);
    server.once('error', refuse);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', refuse);
      resolve();
    });
  });
  const port = boundPort();
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function findRoute(routes: CompiledRoute[], method: string, path: string): { compiled: CompiledRoute; pathParameters: Record<string, string> } | null {
  for (const compiled of routes) {
    if (compiled.route.method !== method) continue;
    const found = compiled.pattern.exec(path);
    if (found === null) continue;
    const pathParameters: Record<string, string> = {};
    compiled.parameterNames.forEach((name, i) => {
      const raw = found[i + 1] ?? '';
      try {
        pathParameters[name] = decodeURIComponent(raw);
      } catch {
        pathParameters[name] = raw;
      }
    });
    return { compiled, pathParameters };
  }
  return null;
}

/**
 * The request's body, or null when it is larger than API Gateway accepts. An oversized body is
 * still read to its end (and dropped), so the 413 leaves a kept-alive connection usable: closing
 * a socket with unread data resets it, and the client would see ECONNRESET instead of the answer.
 */
async function readBody(request: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > GATEWAY_PAYLOAD_LIMIT) chunks.length = 0;
    else chunks.push(chunk as Buffer);
  }
  return size > GATEWAY_PAYLOAD_LIMIT ? null : Buffer.concat(chunks);
}

interface HttpEvent {
  version: '2.0';
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  pathParameters?: Record<string, string>;
  requestContext: Record<string, unknown> & { requestId: string; authorizer?: unknown };
  body?: string;
  isBase64Encoded: boolean;
}

/** Payload 2.0: lower-case headers, repeated headers and query parameters joined with commas. */
function toEvent(
  request: IncomingMessage,
  url: URL,
  match: { compiled: CompiledRoute; pathParameters: Record<string, string> },
  body: Buffer,
  server: { host: string; port: number },
): HttpEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && name !== 'cookie') headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query = new Map<string, string>();
  for (const [name, value] of url.searchParams) query.set(name, query.has(name) ? `${query.get(name)},${value}` : value);
  const cookies = request.headers.cookie?.split(';').map((c) => c.trim()).filter(Boolean);
  const { route } = match.compiled;
  const requestId = randomUUID();
  const now = new Date();
  const text = body.length > 0 && TEXT_MEDIA_TYPE.test(headers['content-type'] ?? '') ? decodeUtf8(body) : null;
  return {
    version: '2.0',
    routeKey: routeKey(route),
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    ...(cookies === undefined || cookies.length === 0 ? {} : { cookies }),
    headers,
    // Object.fromEntries: a parameter named __proto__ stays a plain key.
    ...(query.size === 0 ? {} : { queryStringParameters: Object.fromEntries(query) }),
    ...(match.compiled.parameterNames.length === 0 ? {} : { pathParameters: match.pathParameters }),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: `${server.host}:${server.port}`,
      domainPrefix: server.host,
      http: {
        method: route.method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: routeKey(route),
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length === 0 ? {} : text === null ? { body: body.toString('base64') } : { body: text }),
    isBase64Encoded: body.length > 0 && text === null,
  };
}

function decodeUtf8(bytes: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

function toAuthorizerEvent(event: HttpEvent, identity: string) {
  const { method } = event.requestContext.http as { method: string };
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:local:000000000000:local/$default/${method}${event.rawPath}`,
    identitySource: [identity],
    routeKey: event.routeKey,
    rawPath: event.rawPath,
    rawQueryString: event.rawQueryString,
    cookies: event.cookies ?? [],
    headers: event.headers,
    queryStringParameters: event.queryStringParameters,
    pathParameters: event.pathParameters,
    requestContext: event.requestContext,
  };
}


/** Payload 2.0 results: a structured `{ statusCode, headers, body }`, or any JSON value meaning 200. */
function writeResult(response: ServerResponse, result: unknown, requestId: string): void {
  response.setHeader('apigw-requestid', requestId);
  if (typeof result === 'object' && result !== null && 'statusCode' in result) {
    const structured = result as { statusCode: number; headers?: Record<string, string | number | boolean>; body?: string; isBase64Encoded?: boolean; cookies?: string[] };
    for (const [name, value] of Object.entries(structured.headers ?? {})) response.setHeader(name, String(value));
    if (structured.cookies !== undefined) response.setHeader('set-cookie', structured.cookies);
    response.statusCode = structured.statusCode;
    const body = structured.body ?? '';
    response.end(structured.isBase64Encoded ? Buffer.from(body, 'base64') : body);
    return;
  }
  response.statusCode = 200;
  response.setHeader('content-type', 'application/json');
  response.end(typeof result === 'string' ? result : JSON.stringify(result));
}

function writeError(response: ServerResponse, status: number, code: ErrorCode, message: string): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.statusCode = status;
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify(errorBody(code, message)));
}

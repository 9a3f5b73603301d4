/**
 * A local stand-in for an API Gateway WebSocket API and its management API, on one loopback port
 * (as in AWS, where both live at `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`).
 *
 * WebSocket side (`ws://127.0.0.1:<port>/?key=...`), in API Gateway's order:
 * 1. identity sources: the upgrade must carry each of `identitySources` (default: the query string
 *    parameter `key`), else 401 without running the authorizer;
 * 2. the injected REQUEST authorizer runs with an APIGatewayRequestAuthorizerEvent-like event and
 *    answers an IAM policy (`principalId`, `policyDocument`, `context`), as WebSocket authorizers
 *    must. Throwing `Unauthorized` is 401, a Deny is 403, any other throw 500;
 * 3. `$connect` runs with an APIGatewayProxyWebsocketEventV2-like event whose
 *    `requestContext.authorizer` holds `principalId` and the authorizer's context; a non-2xx
 *    status (or a throw) refuses the upgrade with that status. A `Sec-WebSocket-Protocol` header
 *    in its answer selects the subprotocol, as API Gateway requires for clients that ask for one;
 * 4. each client message runs `$default` when given; otherwise the client gets API Gateway's
 *    "Forbidden" answer;
 * 5. a close runs `$disconnect` (with the same authorizer context).
 *
 * Why the query string: browsers cannot set headers on a WebSocket, and a subprotocol-borne key
 * would need the `$connect` answer to echo it back. `identitySources` takes API Gateway's syntax
 * (`route.request.querystring.key`, `route.request.header.Sec-WebSocket-Protocol`) for other setups.
 *
 * Management side, what @aws-sdk/client-apigatewaymanagementapi calls with `endpoint` set to
 * `managementEndpoint` (a stage prefix in the path is accepted and ignored):
 * `POST /@connections/{id}` sends the body as one message, `GET` describes the connection,
 * `DELETE` closes it; an unknown id answers 410 GoneException.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { APIGatewayAuthorizerResult, APIGatewayProxyWebsocketEventV2, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { listenOnLoopback } from './loopback-server';

/** What `$connect`, `$disconnect` and `$default` return (statusCode and, for `$connect`, headers). */
export interface WebSocketRouteResult {
  statusCode?: number;
  headers?: Record<string, string>;
  body?: string;
}

/** The route event: API Gateway's WebSocket event, with the authorizer's output and the headers of the upgrade. */
export type WebSocketRouteEvent = APIGatewayProxyWebsocketEventV2 & {
  requestContext: APIGatewayProxyWebsocketEventV2['requestContext'] & {
    authorizer?: Record<string, string | number | boolean | undefined>;
    identity: { sourceIp: string; userAgent: string | undefined };
    disconnectStatusCode?: number;
    disconnectReason?: string;
  };
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
};

export type WebSocketRouteHandler = (event: WebSocketRouteEvent) => Promise<WebSocketRouteResult | void>;
export type WebSocketAuthorizer = (event: APIGatewayRequestAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;

export interface WebSocketApiServerOptions {
  routes: { $connect?: WebSocketRouteHandler; $disconnect?: WebSocketRouteHandler; $default?: WebSocketRouteHandler };
  /** Runs before `$connect`; unset: every upgrade is let through (no authorizer configured). */
  authorizer?: WebSocketAuthorizer;
  /** Default `['route.request.querystring.key']` (only consulted when an authorizer is set). */
  identitySources?: string[];
  host?: string;
  /** 0 or unset: a free port. */
  port?: number;
  stage?: string;
  apiId?: string;
  /** Told about handler failures that have no caller to answer ($disconnect, $default). */
  onError?: (error: unknown) => void;
}

export interface WebSocketApiServer {
  /** Where clients connect, e.g. `ws://127.0.0.1:41234`. */
  readonly url: string;
  /** The management API's `endpoint` for ApiGatewayManagementApiClient, e.g. `http://127.0.0.1:41234`. */
  readonly managementEndpoint: string;
  readonly port: number;
  /** Ids of the open connections. */
  connectionIds(): string[];
  /** Closes every connection (running `$disconnect` for each), then the server. Safe to call twice. */
  close(): Promise<void>;
}

interface Connection {
  id: string;
  socket: WebSocket;
  connectedAt: number;
  lastActiveAt: number;
  sourceIp: string;
  userAgent: string | undefined;
  authorizer: Record<string, string | number | boolean | undefined> | undefined;
  query: Record<string, string> | undefined;
  headers: Record<string, string>;
}

/** API Gateway's limit for one message, in either direction. */
const MAX_MESSAGE_BYTES = 128 * 1024;
const CONNECTIONS_PATH = /^(?:\/[^/]+)?\/@connections\/([^/?]+)\/?$/;

/**
 * @example
 * const api = await startWebSocketApiServer({ routes: { $connect, $disconnect }, authorizer });
 * const management = new ApiGatewayManagementApiClient({ endpoint: api.managementEndpoint, region, credentials });
 */
export async function startWebSocketApiServer(options: WebSocketApiServerOptions): Promise<WebSocketApiServer> {
  const host = options.host ?? '127.0.0.1';
  const stage = options.stage ?? 'local';
  const apiId = options.apiId ?? 'local';
  const identitySources = options.identitySources ?? ['route.request.querystring.key'];
  const connections = new Map<string, Connection>();
  const pendingDisconnects = new Set<Promise<void>>();
  /** What the `$connect` answer chose as subprotocol, per upgrade request. */
  const chosenProtocol = new WeakMap<IncomingMessage, string>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (_protocols, request) => chosenProtocol.get(request) ?? false,
  });
  let domainName = host;

  const server = createServer((request, response) => {
    manage(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { message: `the local WebSocket API failed: ${String(error)}` }, 'InternalServerErrorException');
    });
  });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgrade(request, socket, head).catch(() => refuse(socket, 500, 'Internal server error'));
  });

  function requestContext(connectionId: string, routeKey: string, eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT', connectedAt: number, identity: { sourceIp: string; userAgent: string | undefined }) {
    const now = Date.now();
    return {
      routeKey,
      eventType,
      messageId: eventType === 'MESSAGE' ? randomBytes(8).toString('base64') : undefined,
      extendedRequestId: randomUUID(),
      requestTime: new Date(now).toUTCString(),
      messageDirection: 'IN' as const,
      stage,
      connectedAt,
      requestTimeEpoch: now,
      requestId: randomUUID(),
      domainName,
      connectionId,
      apiId,
      identity,
    };
  }

  async function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // The client may give up while the authorizer runs; its socket errors must not crash the server.
    socket.on('error', () => socket.destroy());
    const url = new URL(request.url ?? '/', 'http://local');
    const query = url.searchParams.size === 0 ? undefined : Object.fromEntries(url.searchParams);
    const multiQuery = url.searchParams.size === 0 ? undefined : groupEntries([...url.searchParams]);
    const headers = singleHeaders(request.headers);
    const identity = { sourceIp: request.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] };
    const connectionId = newConnectionId();
    const connectedAt = Date.now();
    const context = requestContext(connectionId, '$connect', 'CONNECT', connectedAt, identity);

    let authorizer: Record<string, string | number | boolean | undefined> | undefined;
    if (options.authorizer !== undefined) {
      if (!identitySources.every((source) => identityValue(source, query, headers) !== undefined)) return refuse(socket, 401, 'Unauthorized');
      const event = {
        type: 'REQUEST',
        methodArn: `arn:aws:execute-api:local:000000000000:${apiId}/${stage}/$connect`,
        headers,
        multiValueHeaders: groupEntries(Object.entries(headers)),
        queryStringParameters: query ?? null,
        multiValueQueryStringParameters: multiQuery ?? null,
        stageVariables: null,
        requestContext: context,
      } as unknown as APIGatewayRequestAuthorizerEvent; // the WebSocket flavour of the REQUEST event: same fields, WebSocket requestContext
      let result: APIGatewayAuthorizerResult;
      try {
        result = await options.authorizer(event);
      } catch (error) {
        return error instanceof Error && error.message === 'Unauthorized' ? refuse(socket, 401, 'Unauthorized') : refuse(socket, 500, 'Internal server error');
      }
      if (!allows(result)) return refuse(socket, 403, 'Forbidden');
      authorizer = { ...result.context, principalId: result.principalId, integrationLatency: 0 };
    }

    const connectEvent = routeEvent({ ...context, ...(authorizer === undefined ? {} : { authorizer }) }, query, multiQuery, headers);
    let connectResult: WebSocketRouteResult | void;
    try {
      connectResult = await options.routes.$connect?.(connectEvent);
    } catch (error) {
      options.onError?.(error);
      return refuse(socket, 500, 'Internal server error');
    }
    const status = connectResult?.statusCode ?? 200;
    if (status < 200 || status >= 300) return refuse(socket, status, connectResult?.body ?? 'Forbidden');
    const protocol = Object.entries(connectResult?.headers ?? {}).find(([name]) => name.toLowerCase() === 'sec-websocket-protocol')?.[1];
    if (protocol !== undefined) chosenProtocol.set(request, protocol);

    if (socket.destroyed) return;
    wss.handleUpgrade(request, socket, head, (ws) => {
      const connection: Connection = { id: connectionId, socket: ws, connectedAt, lastActiveAt: connectedAt, ...identity, authorizer, query, headers };
      connections.set(connectionId, connection);
      ws.on('message', (data, isBinary) => onMessage(connection, data, isBinary));
      ws.on('close', (code, reason) => onClose(connection, code, reason.toString('utf8'), multiQuery));
    });
  }

  function routeEvent(
    context: ReturnType<typeof requestContext> & { authorizer?: Connection['authorizer']; disconnectStatusCode?: number; disconnectReason?: string },
    query: Record<string, string> | undefined,
    multiQuery: Record<string, string[]> | undefined,
    headers: Record<string, string> | undefined,
    body?: string,
  ): WebSocketRouteEvent {
    return {
      requestContext: context,
      isBase64Encoded: false,
      ...(body === undefined ? {} : { body }),
      ...(headers === undefined ? {} : { headers, multiValueHeaders: groupEntries(Object.entries(headers)) }),
      ...(query === undefined ? {} : { queryStringParameters: query, multiValueQueryStringParameters: multiQuery }),
    } as WebSocketRouteEvent;
  }

  function onMessage(connection: Connection, data: RawData, isBinary: boolean): void {
    connection.lastActiveAt = Date.now();
    const handler = options.routes.$default;
    if (handler === undefined) {
      const context = requestContext(connection.id, '$default', 'MESSAGE', connection.connectedAt, identityOf(connection));
      connection.socket.send(JSON.stringify({ message: 'Forbidden', connectionId: connection.id, requestId: context.requestId }));
      return;
    }
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    const context = { ...requestContext(connection.id, '$default', 'MESSAGE', connection.connectedAt, identityOf(connection)), ...(connection.authorizer === undefined ? {} : { authorizer: connection.authorizer }) };
    const event = { ...routeEvent(context, undefined, undefined, undefined, isBinary ? buffer.toString('base64') : buffer.toString('utf8')), isBase64Encoded: isBinary };
    handler(event).catch((error: unknown) => options.onError?.(error));
  }

  function onClose(connection: Connection, code: number, reason: string, multiQuery: Record<string, string[]> | undefined): void {
    connections.delete(connection.id);
    const handler = options.routes.$disconnect;
    if (handler === undefined) return;
    const context = {
      ...requestContext(connection.id, '$disconnect', 'DISCONNECT', connection.connectedAt, identityOf(connection)),
      ...(connection.authorizer === undefined ? {} : { authorizer: connection.authorizer }),
      disconnectStatusCode: code,
      disconnectReason: reason,
    };
    const running = handler(routeEvent(context, connection.query, multiQuery, connection.headers))
      .then(() => undefined)
      .catch((error: unknown) => options.onError?.(error));
    pendingDisconnects.add(running);
    void running.finally(() => pendingDisconnects.delete(running));
  }

  async function manage(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const match = CONNECTIONS_PATH.exec(path);
    const body = await readBody(request);
    if (match === null) return sendJson(response, 404, { message: 'Not Found' }, 'NotFoundException');
    const connection = connections.get(decodeURIComponent(match[1] ?? ''));
    if (connection === undefined || connection.socket.readyState !== connection.socket.OPEN) {
      return sendJson(response, 410, { message: null }, 'GoneException');
    }
    switch (request.method) {
      case 'POST':
        if (body.length > MAX_MESSAGE_BYTES) return sendJson(response, 413, { message: 'Message too long' }, 'PayloadTooLargeException');
        // API Gateway delivers management posts as text frames when they are text.
        connection.socket.send(body, { binary: !isUtf8(body) });
        connection.lastActiveAt = Date.now();
        response.writeHead(200).end();
        return;
      case 'GET':
        return sendJson(response, 200, {
          connectedAt: new Date(connection.connectedAt).toISOString(),
          identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
          lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
        });
      case 'DELETE':
        connection.socket.close(1000, 'Goodbye');
        response.writeHead(204).end();
        return;
      default:
        return sendJson(response, 404, { message: 'Not Found' }, 'NotFoundException');
    }
  }

  const listening = await listenOnLoopback(server, host, options.port ?? 0);
  const port = listening.port;
  domainName = `${host}:${port}`;
  let closing: Promise<void> | undefined;

  return {
    url: `ws://${host}:${port}`,
    managementEndpoint: `http://${host}:${port}`,
    port,
    connectionIds: () => [...connections.keys()],
    close: () => {
      closing ??= (async () => {
        const open = [...connections.values()];
        await Promise.all(
          open.map(
            (connection) =>
              new Promise<void>((resolve) => {
                connection.socket.once('close', () => resolve());
                connection.socket.close(1001, 'Going away');
                // A client that does not answer the close handshake is cut off.
                setTimeout(() => {
                  connection.socket.terminate();
                  resolve();
                }, 1_000).unref();
              }),
          ),
        );
        await Promise.all([...pendingDisconnects]);
        wss.close();
        await listening.close();
      })();
      return closing;
    },
  };
}

/** API Gateway-style connection ids: 16 characters of base64 (`L0SM9cOFvHcCIhw=`), so `=`, `+` and `/` get URL-encoded. */
function newConnectionId(): string {
  return randomBytes(10).toString('base64');
}

function identityOf(connection: Connection): { sourceIp: string; userAgent: string | undefined } {
  return { sourceIp: connection.sourceIp, userAgent: connection.userAgent };
}

function allows(result: APIGatewayAuthorizerResult): boolean {
  const statements = result.policyDocument?.Statement ?? [];
  return statements.length > 0 && statements.every((statement) => statement.Effect === 'Allow');
}

/** The value of an identity source such as `route.request.querystring.key` or `route.request.header.Sec-WebSocket-Protocol`. */
function identityValue(source: string, query: Record<string, string> | undefined, headers: Record<string, string>): string | undefined {
  const [, kind, name = ''] = /^route\.request\.(querystring|header)\.(.+)$/.exec(source) ?? [];
  const value = kind === 'querystring' ? query?.[name] : kind === 'header' ? headers[name.toLowerCase()] : undefined;
  return value === undefined || value === '' ? undefined : value;
}

function singleHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return out;
}

function groupEntries(entries: Array<[string, string]>): Record<string, string[]> {
  const grouped: Record<string, string[]> = {};
  for (const [name, value] of entries) (grouped[name] ??= []).push(value);
  return grouped;
}

function refuse(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ message });
  const reason = { 401: 'Unauthorized', 403: 'Forbidden', 429: 'Too Many Requests', 500: 'Internal Server Error' }[status] ?? 'Error';
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, () => socket.destroy());
}

function sendJson(response: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const text = JSON.stringify(body);
  response
    .writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
      ...(errorType === undefined ? {} : { 'x-amzn-errortype': errorType }),
    })
    .end(text);
}

function isUtf8(buffer: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buffer);
    return true;
  } catch {
    return false;
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

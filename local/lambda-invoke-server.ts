/**
 * A local server that speaks the Lambda Invoke API, so that the real @aws-sdk/client-lambda can be
 * pointed at it with `endpoint` and run an in-process handler (the local stack runs the real
 * evaluator this way; tests run recording fakes).
 *
 * `POST /2015-03-31/functions/{name}/invocations`:
 * - RequestResponse (the default): runs the handler and answers 200 with its JSON result; when
 *   the handler throws, 200 with `X-Amz-Function-Error: Unhandled` and Lambda's error payload
 *   `{"errorType","errorMessage","trace"}`, as Lambda does.
 * - Event: answers 202 and runs the handler afterwards; DryRun: 204.
 * - An unknown function is 404 ResourceNotFoundException; a body that is not JSON is 400
 *   InvalidRequestContentException.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';
import { lambdaContext } from './lambda-context';

export type InvokeHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface LambdaInvokeServerOptions {
  /** Handlers by function name (a function ARN or `name:qualifier` resolves to its name). */
  functions: Record<string, InvokeHandler>;
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The function's timeout: a handler still running after it fails as Lambda's would. */
  timeoutMs?: number;
  /** Called with an Event invocation's failure, which has no caller to answer. */
  onAsyncError?: (functionName: string, error: unknown) => void;
}

export interface LambdaInvokeServer {
  /** The `endpoint` to give the Lambda client (LAMBDA_ENDPOINT). */
  url: string;
  port: number;
  close(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;

/** `arn:aws:lambda:region:account:function:name[:qualifier]`, `account:function:name` or `name[:qualifier]` → `name`. */
function functionNameOf(raw: string): string {
  const parts = decodeURIComponent(raw).split(':');
  const at = parts.indexOf('function');
  return (at >= 0 ? parts[at + 1] : parts[0]) ?? '';
}

/**
 * Starts the server on a free loopback port.
 * @example
 * const server = await startLambdaInvokeServer({ functions: { evaluator: handler } });
 * const lambda = new LambdaClient({ endpoint: server.url, region: 'us-east-1', credentials });
 */
export async function startLambdaInvokeServer(options: LambdaInvokeServerOptions): Promise<LambdaInvokeServer> {
  const host = options.host ?? '127.0.0.1';
  const timeoutMs = options.timeoutMs ?? 30_000;
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { Type: 'Service', message: String(error) }, { 'x-amzn-ErrorType': 'ServiceException' });
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '').split('?')[0] ?? '';
    const match = INVOKE_PATH.exec(path);
    if (request.method !== 'POST' || match === null) {
      sendJson(response, 404, { message: `unknown operation ${request.method} ${path}` }, { 'x-amzn-ErrorType': 'UnknownOperationException' });
      return;
    }
    const functionName = functionNameOf(match[1] ?? '');
    const handler = options.functions[functionName];
    const body = await readBody(request);
    if (handler === undefined) {
      sendJson(response, 404, { Type: 'User', message: `Function not found: ${functionName}` }, { 'x-amzn-ErrorType': 'ResourceNotFoundException' });
      return;
    }
    let event: unknown;
    try {
      event = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      sendJson(response, 400, { Type: 'User', message: 'Could not parse request body into json' }, { 'x-amzn-ErrorType': 'InvalidRequestContentException' });
      return;
    }
    const invocationType = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (invocationType === 'DryRun') {
      response.writeHead(204).end();
      return;
    }
    const run = () => runHandler(handler, functionName, event, timeoutMs, host, server.address() as AddressInfo);
    if (invocationType === 'Event') {
      response.writeHead(202).end();
      const outcome = await run();
      if (!outcome.ok) options.onAsyncError?.(functionName, outcome.error);
      return;
    }
    const outcome = await run();
    const headers = { 'X-Amz-Executed-Version': '$LATEST' };
    if (outcome.ok) {
      // JSON.stringify(undefined) is undefined; Lambda answers `null` for a handler that returns nothing.
      response.writeHead(200, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify(outcome.value) ?? 'null');
    } else {
      sendJson(response, 200, lambdaErrorPayload(outcome.error), { ...headers, 'X-Amz-Function-Error': 'Unhandled' });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

async function runHandler(handler: InvokeHandler, functionName: string, event: unknown, timeoutMs: number, host: string, address: AddressInfo): Promise<Outcome> {
  const context = lambdaContext(functionName, { timeoutMs, memoryMb: 1024, logStream: `local/${host}:${address.port}` });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`), { name: 'Sandbox.Timedout' })), timeoutMs);
  });
  try {
    return { ok: true, value: await Promise.race([handler(event, context), timeout]) };
  } catch (error) {
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}

/** The payload Lambda sends back for an unhandled error in a Node.js function. */
function lambdaErrorPayload(error: unknown): { errorType: string; errorMessage: string; trace: string[] } {
  if (error instanceof Error) {
    return { errorType: error.name, errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
  }
  return { errorType: 'Error', errorMessage: String(error), trace: [] };
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

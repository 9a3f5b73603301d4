/**
 * The HTTP API as clients see it, for integration tests: the local API Gateway stand-in running
 * the real authorizer and handlers against a DynamoDB Local table, called with real fetch.
 */
import { afterAll, beforeAll } from 'vitest';
import { startHttpApiServer, type HttpApiServer } from '../../local/http-api-server';
import { createApiKey } from '../../storage/api-keys-repository';
import { uniqueOwner, useDynamoDbTable, type TestTable } from './dynamodb';

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** The parsed JSON body, or undefined when there is none. */
  body: unknown;
}

export interface RequestOptions {
  key?: string | null;
  /** Sent as JSON with Content-Type: application/json unless `rawBody` is given. */
  json?: unknown;
  rawBody?: string | Uint8Array;
  headers?: Record<string, string>;
}

export interface TestApi {
  readonly table: TestTable;
  readonly url: string;
  request(method: string, path: string, options?: RequestOptions): Promise<ApiResponse>;
  /** A new owner with a fresh API key. */
  newOwner(label?: string): Promise<{ owner: string; key: string; keyId: string }>;
}

/** Starts the API for the test file; `env` adds settings (e.g. `{ RULE_QUOTA: '3' }`). */
export function useApiServer(env: Record<string, string> = {}): TestApi {
  const table = useDynamoDbTable();
  let server: HttpApiServer | undefined;

  beforeAll(async () => {
    Object.assign(process.env, {
      TABLE_NAME: table.tableName,
      DYNAMODB_ENDPOINT: table.endpoint,
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT',
      ...env,
    });
    server = await startHttpApiServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  const url = () => {
    if (server === undefined) throw new Error('the API server runs only once beforeAll has run');
    return server.url;
  };

  return {
    table,
    get url() {
      return url();
    },
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.key !== undefined && options.key !== null) headers.authorization = `Bearer ${options.key}`;
      let body: string | Uint8Array | undefined = options.rawBody;
      if (body === undefined && options.json !== undefined) {
        body = JSON.stringify(options.json);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(`${url()}${path}`, { method, headers, body });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
    },
    async newOwner(label) {
      const owner = uniqueOwner(label);
      const { key, keyId } = await createApiKey(table.db, { owner, now: new Date() });
      return { owner, key, keyId };
    },
  };
}

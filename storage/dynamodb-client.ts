/**
 * The DynamoDB adapter every repository is handed: a Document client plus the table name. It
 * reads no environment itself; callers pass the endpoint (DynamoDB Local) and region they parsed
 * from their own configuration.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS } from '../core/local-credentials';

/** What repository functions take as their first argument. */
export interface Db {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
}

export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface DocumentClientOptions {
  /** e.g. `http://127.0.0.1:8000` for DynamoDB Local; unset in AWS. */
  endpoint?: string;
  region?: string;
  /** Defaults to the SDK's credential chain in AWS, to LOCAL_CREDENTIALS with a custom endpoint (DynamoDB Local). */
  credentials?: StaticCredentials;
}

/**
 * @example
 * const db = { doc: createDocumentClient({ endpoint: 'http://127.0.0.1:8000' }), tableName: 'stock-alerts' };
 */
export function createDocumentClient({ endpoint, region = 'us-east-1', credentials }: DocumentClientOptions = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region,
    endpoint,
    credentials: credentials ?? (endpoint === undefined ? undefined : LOCAL_CREDENTIALS),
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/** The Db for `tableName`, on a new Document client. Create it once per process and reuse it. */
export function createDb(options: DocumentClientOptions & { tableName: string }): Db {
  const { tableName, ...clientOptions } = options;
  return { doc: createDocumentClient(clientOptions), tableName };
}

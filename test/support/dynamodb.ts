/**
 * DynamoDB Local for integration tests: one emulator per test file (or the one a vitest
 * globalSetup started, see integration-global-setup.ts), and a fresh table per file created from
 * the one table definition. Tests isolate further by owner (see {@link uniqueOwner}).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb-local';
import { createDb, type Db } from '../../storage/dynamodb-client';
import { ensureTable } from '../../storage/table-setup';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set when integration-global-setup.ts is a vitest globalSetup. */
    dynamodbEndpoint?: string;
  }
}

export interface TestTable {
  readonly endpoint: string;
  readonly tableName: string;
  readonly db: Db;
}

/** A table name no other test file uses. */
export const uniqueTableName = () => `test-${randomUUID()}`;

/** An owner id no other test uses: isolation within a shared table. */
export const uniqueOwner = (label = 'owner') => `${label}-${randomUUID().slice(0, 8)}`;

/**
 * Registers beforeAll/afterAll hooks that give the test file its own table on DynamoDB Local.
 * Read the result's properties inside tests or hooks, not at module level.
 */
export function useDynamoDbTable(): TestTable {
  let emulator: DynamoDbLocal | undefined;
  let table: TestTable | undefined;

  beforeAll(async () => {
    let endpoint = inject('dynamodbEndpoint');
    if (endpoint === undefined) {
      emulator = await startDynamoDbLocal();
      endpoint = emulator.endpoint;
    }
    const tableName = uniqueTableName();
    const db = createDb({ endpoint, tableName });
    await ensureTable(db);
    table = { endpoint, tableName, db };
  });

  afterAll(async () => {
    table?.db.doc.destroy();
    await emulator?.stop();
  });

  const current = (): TestTable => {
    if (table === undefined) throw new Error('the test table exists only once beforeAll has run');
    return table;
  };
  return {
    get endpoint() {
      return current().endpoint;
    },
    get tableName() {
      return current().tableName;
    },
    get db() {
      return current().db;
    },
  };
}

/**
 * Creates the table from table-definition.ts where no CDK stack does it: DynamoDB Local for the
 * local stack and the integration tests. A table kept from an older version (`.local/` between
 * runs) gains the indexes added to the definition since; items written before carry no keys of
 * a new index (docs/storage.md says which tool backfills which).
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import type { Db } from './dynamodb-client';
import { TABLE, toCreateTableInput, toTimeToLiveInput, type TableDefinition } from './table-definition';

const WAIT_MS = 500;
/** A new table is active at once on DynamoDB Local; a new index on a table with items is built in the background, slowly on a busy machine. */
const TABLE_WAIT_MS = 60_000;
const INDEX_WAIT_MS = 180_000;

/** Describes the table until `ready` holds for it (at most `limitMs`). */
async function waitFor(db: Db, what: string, limitMs: number, ready: (table: TableDescription) => boolean): Promise<TableDescription> {
  for (let attempt = 0; ; attempt++) {
    const { Table } = await db.doc.send(new DescribeTableCommand({ TableName: db.tableName }));
    if (Table !== undefined && ready(Table)) return Table;
    if (attempt * WAIT_MS >= limitMs) throw new Error(`table ${db.tableName}: ${what} is not active after ${limitMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, WAIT_MS));
  }
}

/** Adds the definition's indexes the table lacks, one at a time (DynamoDB creates one per UpdateTable). */
async function addMissingIndexes(db: Db, definition: TableDefinition, table: TableDescription): Promise<void> {
  const create = toCreateTableInput(db.tableName, definition);
  const existing = new Set((table.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  for (const index of create.GlobalSecondaryIndexes ?? []) {
    if (existing.has(index.IndexName)) continue;
    const keyNames = new Set((index.KeySchema ?? []).map((k) => k.AttributeName));
    await db.doc.send(
      new UpdateTableCommand({
        TableName: db.tableName,
        AttributeDefinitions: (create.AttributeDefinitions ?? []).filter((a) => keyNames.has(a.AttributeName)),
        GlobalSecondaryIndexUpdates: [{ Create: { IndexName: index.IndexName, KeySchema: index.KeySchema, Projection: index.Projection } }],
      }),
    );
    await waitFor(db, `index ${String(index.IndexName)}`, INDEX_WAIT_MS, (t) =>
      t.TableStatus === 'ACTIVE' && (t.GlobalSecondaryIndexes ?? []).some((i) => i.IndexName === index.IndexName && i.IndexStatus === 'ACTIVE'),
    );
  }
}

/** Creates `db.tableName` unless it exists (else adds the indexes it lacks), waits until it is active and switches on TTL. */
export async function ensureTable(db: Db, definition: TableDefinition = TABLE): Promise<void> {
  try {
    await db.doc.send(new CreateTableCommand(toCreateTableInput(db.tableName, definition)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const table = await waitFor(db, 'the table', TABLE_WAIT_MS, (t) => t.TableStatus === 'ACTIVE');
  await addMissingIndexes(db, definition, table);
  await db.doc.send(new UpdateTimeToLiveCommand(toTimeToLiveInput(db.tableName, definition))).catch((error: unknown) => {
    // Asking again for the TTL that is already on is an error; it changes nothing.
    if (!(error instanceof Error && /already enabled/i.test(error.message))) throw error;
  });
}

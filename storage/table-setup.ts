/**
 * Creates the table from table-definition.ts where no CDK stack does it: DynamoDB Local for the
 * local stack and the integration tests.
 */
import { CreateTableCommand, DescribeTableCommand, ResourceInUseException, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import type { Db } from './dynamodb-client';
import { TABLE, toCreateTableInput, toTimeToLiveInput, type TableDefinition } from './table-definition';

/** Creates `db.tableName` unless it exists, waits until it is active and switches on TTL. */
export async function ensureTable(db: Db, definition: TableDefinition = TABLE): Promise<void> {
  try {
    await db.doc.send(new CreateTableCommand(toCreateTableInput(db.tableName, definition)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  for (let attempt = 0; ; attempt++) {
    const { Table } = await db.doc.send(new DescribeTableCommand({ TableName: db.tableName }));
    if (Table?.TableStatus === 'ACTIVE') break;
    if (attempt >= 120) throw new Error(`table ${db.tableName} is still ${Table?.TableStatus} after a minute`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await db.doc.send(new UpdateTimeToLiveCommand(toTimeToLiveInput(db.tableName, definition))).catch((error: unknown) => {
    // Asking again for the TTL that is already on is an error; it changes nothing.
    if (!(error instanceof Error && /already enabled/i.test(error.message))) throw error;
  });
}

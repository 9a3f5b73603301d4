import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbLocalError, emulatorDirectory, startDynamoDbLocal } from '../../local/dynamodb-local';
import { createDb } from '../../storage/dynamodb-client';
import { ensureTable } from '../../storage/table-setup';

const tableNames = async (endpoint: string) => {
  const db = createDb({ endpoint, tableName: 'unused' });
  try {
    return (await db.doc.send(new ListTablesCommand({}))).TableNames ?? [];
  } finally {
    db.doc.destroy();
  }
};

const answers = async (endpoint: string) =>
  fetch(endpoint, { signal: AbortSignal.timeout(1000) }).then(
    () => true,
    () => false,
  );

describe('DynamoDB Local', () => {
  it('finds the emulator shipped in amplify-dynamodb-simulator', () => {
    expect(emulatorDirectory()).toMatch(/amplify-dynamodb-simulator[/\\]emulator$/);
  });

  it('starts on a free loopback port, serves the table definition, and is gone after stop', async () => {
    const emulator = await startDynamoDbLocal();
    expect(emulator.endpoint).toBe(`http://127.0.0.1:${emulator.port}`);

    const db = createDb({ endpoint: emulator.endpoint, tableName: 'stock-alerts' });
    await ensureTable(db);
    await ensureTable(db);
    expect(await tableNames(emulator.endpoint)).toEqual(['stock-alerts']);
    db.doc.destroy();

    await emulator.stop();
    expect(await answers(emulator.endpoint)).toBe(false);
    await emulator.stop();
  });

  it('keeps data in a folder across restarts with dbPath', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'ddb-local-'));
    try {
      const first = await startDynamoDbLocal({ dbPath: folder });
      const db = createDb({ endpoint: first.endpoint, tableName: 'kept' });
      await ensureTable(db);
      db.doc.destroy();
      await first.stop();

      const second = await startDynamoDbLocal({ dbPath: folder });
      expect(await tableNames(second.endpoint)).toEqual(['kept']);
      await second.stop();
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('says in one line that Java is missing', async () => {
    const attempt = startDynamoDbLocal({ java: '/nonexistent/java' });
    await expect(attempt).rejects.toBeInstanceOf(DynamoDbLocalError);
    await expect(attempt).rejects.toThrow(/^DynamoDB Local needs Java 17 or later.*DYNAMODB_ENDPOINT/);
    await expect(attempt).rejects.toThrow(/^[^\n]+$/);
  });
});

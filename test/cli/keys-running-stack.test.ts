/**
 * `npm run keys` while a local stack runs: with no DYNAMODB_ENDPOINT and no TABLE_NAME the CLI
 * finds the running stack's DynamoDB through the runtime file in its data dir (here: a stack in
 * embedded mode, its own DynamoDB Local), and the key it creates works against that stack's API.
 * A file left by a stack that is gone gives one clear line; explicit settings win over the file.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRuntimeFile, runtimeFilePath, writeRuntimeFile } from '../../local/runtime-file';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { DASHBOARD_SUBPROTOCOL } from '../../functions/dashboard-socket/subprotocol';
import { openClient } from '../support/delivery-dashboard';
import { uniqueOwner, useDynamoDbTable } from '../support/dynamodb';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const table = useDynamoDbTable();

/** The CLI as a child process, with the storage settings of this process's environment removed. */
const runCli = (args: string[], env: Record<string, string>) => {
  const base: Record<string, string | undefined> = { ...process.env };
  for (const name of ['DYNAMODB_ENDPOINT', 'TABLE_NAME', 'LOCAL_DATA_DIR']) delete base[name];
  return promisify(execFile)(process.execPath, ['--import', 'tsx', 'cli/keys.ts', ...args], { cwd: REPO_ROOT, env: { ...base, ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
};

describe('keys CLI against a running local stack', () => {
  let dataDir: string;
  let stack: LocalStack | undefined;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'stock-alerts-keys-'));
    stack = await startLocalStack({
      apiPort: 0,
      dataDir,
      runtimeFile: runtimeFilePath(dataDir),
      feed: false,
      alertFromEmail: 'alerts@stock-alerts.test',
      batchWindowMs: 250,
      simulatorTicksPerSecond: 0,
      print: () => undefined,
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates a key in the running stack’s embedded DynamoDB with no setting, and the API accepts it', async () => {
    const running = stack as LocalStack;
    expect(readRuntimeFile(runtimeFilePath(dataDir))).toEqual({
      dynamodbEndpoint: running.storage.endpoint,
      tableName: 'stock-alerts',
      region: running.storage.region,
      apiUrl: running.apiUrl,
      websocketManagementEndpoint: running.services.webSocketApi.managementEndpoint,
      pid: process.pid,
    });

    const owner = uniqueOwner('bob');
    const created = await runCli(['create', '--owner', owner], { LOCAL_DATA_DIR: dataDir });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const key = /^sa_\w{10}_\w{43}$/m.exec(created.stdout)?.[0];
    expect(key).toBeDefined();

    const rules = await fetch(`${running.apiUrl}/rules`, { headers: { Authorization: `Bearer ${key}` } });
    expect(rules.status).toBe(200);
    expect(await rules.json()).toEqual({ items: [], nextCursor: null });
    const unknown = await fetch(`${running.apiUrl}/rules`, { headers: { Authorization: `Bearer sa_AAAAAAAAAA_${'A'.repeat(43)}` } });
    expect(unknown.status).toBe(401);
  });

  it('revokes a key with no setting and closes its open dashboard through the running stack’s WebSocket API', async () => {
    const running = stack as LocalStack;
    const created = await runCli(['create', '--owner', uniqueOwner('carol')], { LOCAL_DATA_DIR: dataDir });
    const key = /^sa_\w{10}_\w{43}$/m.exec(created.stdout)?.[0] ?? '';
    const keyId = key.split('_')[1] ?? '';
    const dashboard = await openClient(running.webSocketUrl, [DASHBOARD_SUBPROTOCOL, key]);
    const closed = new Promise<void>((resolve) => dashboard.socket.once('close', () => resolve()));

    const revoked = await runCli(['revoke', keyId], { LOCAL_DATA_DIR: dataDir });
    expect(revoked).toEqual({ code: 0, stdout: `revoked key ${keyId}\nclosed 1 open dashboard connection(s) of key ${keyId}\n`, stderr: '' });
    await closed;
    expect((await fetch(`${running.apiUrl}/rules`, { headers: { Authorization: `Bearer ${key}` } })).status).toBe(401);
  });

  it('removes the runtime file when the stack stops', async () => {
    const file = runtimeFilePath(dataDir);
    expect(existsSync(file)).toBe(true);
    await stack?.stop();
    stack = undefined;
    expect(existsSync(file)).toBe(false);
  });

  it('says in one line that a left-over file names a stack that is not running, and lets explicit settings win', async () => {
    const staleDir = mkdtempSync(path.join(tmpdir(), 'stock-alerts-stale-'));
    try {
      writeRuntimeFile(runtimeFilePath(staleDir), { dynamodbEndpoint: 'http://127.0.0.1:9', tableName: 'stock-alerts', region: 'us-east-1', apiUrl: 'http://127.0.0.1:9', pid: 999_999 });

      const stale = await runCli(['list'], { LOCAL_DATA_DIR: staleDir });
      expect(stale.code).toBe(1);
      expect(stale.stdout).toBe('');
      expect(stale.stderr).toBe(
        `keys: ${runtimeFilePath(staleDir)} names a local stack that is not running (its DynamoDB at http://127.0.0.1:9 does not answer): start it (npm start), set DYNAMODB_ENDPOINT, or delete the file\n`,
      );

      const explicit = await runCli(['create', '--owner', uniqueOwner()], { LOCAL_DATA_DIR: staleDir, DYNAMODB_ENDPOINT: table.endpoint, TABLE_NAME: table.tableName });
      expect(explicit.code).toBe(0);
      expect(explicit.stdout).toMatch(/^sa_\w{10}_\w{43}$/m);
    } finally {
      rmSync(staleDir, { recursive: true, force: true });
    }
  });
});

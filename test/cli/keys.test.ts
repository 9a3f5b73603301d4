/** `npm run keys` against DynamoDB Local: in-process for the commands, as a child process for exit codes and output. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runKeysCommand, UsageError } from '../../cli/keys-command';
import { authorize } from '../../functions/authorizer/authorize';
import { findApiKey } from '../../storage/api-keys-repository';
import { T0 } from '../support/api-fixtures';
import { uniqueOwner, useDynamoDbTable } from '../support/dynamodb';

const table = useDynamoDbTable();

async function run(...argv: string[]): Promise<string[]> {
  const lines: string[] = [];
  await runKeysCommand(argv, { db: table.db, now: () => T0, print: (line) => lines.push(line) });
  return lines;
}

const runCli = (args: string[], env: Record<string, string>) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'cli/keys.ts', ...args], { env: { ...process.env, ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );

describe('keys CLI', () => {
  it('creates a working key for an owner and prints it, with the new owner’s webhook secret, once', async () => {
    const owner = uniqueOwner();
    const [intro, key, secretIntro, secret] = await run('create', '--owner', owner);

    expect(intro).toMatch(new RegExp(`^API key \\w{10} for ${owner} \\(shown only now`));
    expect(await authorize(`Bearer ${key}`, (k) => findApiKey(table.db, k))).toEqual({ owner, keyId: expect.any(String) as unknown });
    expect(secretIntro).toMatch(/^Webhook signing secret/);
    expect(secret).toMatch(/^[\w-]{43}$/);
    expect(await run('create', '--owner', owner)).toHaveLength(2);
  });

  it('lists keys without showing them, and revokes one', async () => {
    const owner = uniqueOwner();
    const [, key = ''] = await run('create', '--owner', owner);
    const keyId = key.split('_')[1] ?? '';

    const listed = await run('list', '--owner', owner);
    expect(listed).toEqual([`${keyId}  ${owner}  created ${T0.toISOString()}  active`]);
    expect(listed.join('\n')).not.toContain(key);

    expect(await run('revoke', keyId)).toEqual([`revoked key ${keyId}`]);
    expect(await run('revoke', keyId)).toEqual([`key ${keyId} was already revoked`]);
    expect(await run('list', '--owner', owner)).toEqual([`${keyId}  ${owner}  created ${T0.toISOString()}  revoked ${T0.toISOString()}`]);
    expect(await authorize(`Bearer ${key}`, (k) => findApiKey(table.db, k))).toBeNull();
  });

  it.each([
    [[], 'no command given'],
    [['create'], 'create needs --owner NAME'],
    [['create', '--owner', 'a#b'], 'owner "a#b" must be'],
    [['create', '--owner', 'x', '--colour', 'red'], "Unknown option '--colour'"],
    [['revoke'], 'revoke takes one KEYID'],
    [['revoke', 'NoSuchKey1'], 'no key with id NoSuchKey1'],
    [['rotate'], 'unknown command "rotate"'],
  ])('refuses %j: %s', async (argv, message) => {
    await expect(run(...argv)).rejects.toThrow(UsageError);
    await expect(run(...argv)).rejects.toThrow(message);
  });

  it('runs as npm run keys: prints the key on stdout, exits 0, and fails with one line and no stack', async () => {
    const env = { DYNAMODB_ENDPOINT: table.endpoint, TABLE_NAME: table.tableName };
    const created = await runCli(['create', '--owner', uniqueOwner()], env);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^sa_\w{10}_\w{43}$/m);
    expect(created.stderr).toBe('');

    const usage = await runCli(['nonsense'], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe('keys: unknown command "nonsense"\nusage: npm run keys -- create --owner NAME | list [--owner NAME] | revoke KEYID\n');

    const missingTable = await runCli(['list'], { ...env, TABLE_NAME: 'no-such-table' });
    expect(missingTable.code).toBe(1);
    expect(missingTable.stderr).toMatch(/^keys: the table does not exist at http:\/\/127\.0\.0\.1:\d+ \(table no-such-table\)[^\n]*\n$/);

    const unreachable = await runCli(['list'], { ...env, DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^keys: cannot reach DynamoDB at http:\/\/127\.0\.0\.1:9[^\n]*\n$/);

    const badConfig = await runCli(['list'], { ...env, TABLE_NAME: 'x' });
    expect(badConfig.stderr).toMatch(/^keys: TABLE_NAME must be a DynamoDB table name[^\n]*\n$/);
  });
});

/** `npm run keys` against DynamoDB Local: in-process for the commands, as a child process for exit codes and output. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { IncompleteCommandError, runKeysCommand, UsageError } from '../../cli/keys-command';
import { authorize } from '../../functions/authorizer/authorize';
import { findApiKey } from '../../storage/api-keys-repository';
import { listConnectionsByOwner, putConnection } from '../../storage/connections-repository';
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

  it('rotates the webhook secret of one owner, or of every owner with a key, printing each new secret once', async () => {
    const [one, two] = [uniqueOwner(), uniqueOwner()];
    await run('create', '--owner', one);
    await run('create', '--owner', two);

    const [intro, secret] = await run('rotate-secret', '--owner', one, '--grace-hours', '0');
    expect(intro).toBe(`New webhook signing secret for ${one} (shown only now); the old one no longer signs:`);
    expect(secret).toMatch(/^[\w-]{43}$/);

    const all = await run('rotate-secret');
    const until = new Date(T0.getTime() + 24 * 3_600_000).toISOString();
    expect(all).toContain(`New webhook signing secret for ${one} (shown only now); webhooks carry both signatures until ${until}:`);
    expect(all).toContain(`New webhook signing secret for ${two} (shown only now); webhooks carry both signatures until ${until}:`);
  });

  it('revokes a key with no open dashboard without needing the WebSocket API, and says when one could not be closed', async () => {
    const owner = uniqueOwner();
    const [, key = ''] = await run('create', '--owner', owner);
    const keyId = key.split('_')[1] ?? '';
    await putConnection(table.db, { owner, connectionId: 'open-dashboard', now: T0, keyId });
    await putConnection(table.db, { owner, connectionId: 'other-key', now: T0, keyId: 'OtherKey01' });

    // No management endpoint: the key is revoked, the open dashboard is reported, exit code 1.
    await expect(run('revoke', keyId)).rejects.toThrow(IncompleteCommandError);
    expect(await authorize(`Bearer ${key}`, (k) => findApiKey(table.db, k))).toBeNull();
    await expect(run('revoke', keyId)).rejects.toThrow(`1 open dashboard connection(s) of key ${keyId} not closed: set WEBSOCKET_MANAGEMENT_ENDPOINT`);

    // A management API that fails leaves the connection stored, so a later revoke tries again.
    const failing = async () => {
      throw new Error('LimitExceededException');
    };
    await expect(runKeysCommand(['revoke', keyId], { db: table.db, now: () => T0, print: () => undefined, closeConnection: failing })).rejects.toThrow(
      `1 dashboard connection(s) of key ${keyId} could not be closed (Error: LimitExceededException): run revoke again`,
    );
    const lines: string[] = [];
    const closed: string[] = [];
    const closer = async (id: string) => {
      closed.push(id);
      return 'gone' as const;
    };
    await runKeysCommand(['revoke', keyId], { db: table.db, now: () => T0, print: (line) => lines.push(line), closeConnection: closer });
    expect(closed).toEqual(['open-dashboard']);
    expect(lines).toEqual([`key ${keyId} was already revoked`, `closed 0 open dashboard connection(s) of key ${keyId} (1 already gone)`]);
    expect((await listConnectionsByOwner(table.db, owner, T0)).map((c) => c.connectionId)).toEqual(['other-key']);
  });

  it.each([
    [[], 'no command given'],
    [['create'], 'create needs --owner NAME'],
    [['create', '--owner', 'a#b'], 'owner "a#b" must be'],
    [['create', '--owner', 'x', '--colour', 'red'], "Unknown option '--colour'"],
    [['revoke'], 'revoke takes one KEYID'],
    [['revoke', 'NoSuchKey1'], 'no key with id NoSuchKey1'],
    [['rotate'], 'unknown command "rotate"'],
    [['rotate-secret', 'extra'], 'rotate-secret takes no extra'],
    [['rotate-secret', '--grace-hours=-1'], '--grace-hours must be a number of hours from 0 to 720, not "-1"'],
    [['rotate-secret', '--grace-hours', '721'], '--grace-hours must be a number of hours from 0 to 720'],
    [['rotate-secret', '--grace-hours', 'a day'], '--grace-hours must be a number of hours'],
    [['rotate-secret', '--owner', 'nobody-has-this-owner'], 'owner nobody-has-this-owner has no webhook secret to rotate'],
    [['list', '--grace-hours', '1'], 'only rotate-secret takes --grace-hours'],
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
    expect(usage.stderr).toBe(
      'keys: unknown command "nonsense"\nusage: npm run keys -- create --owner NAME | list [--owner NAME] | revoke KEYID | rotate-secret [--owner NAME] [--grace-hours H] | migrate-secrets [--keep-profile-copy]\n',
    );

    const badEndpoint = await runCli(['list'], { ...env, WEBSOCKET_MANAGEMENT_ENDPOINT: 'ftp://example.com/live' });
    expect(badEndpoint.code).toBe(1);
    expect(badEndpoint.stderr).toBe('keys: WEBSOCKET_MANAGEMENT_ENDPOINT: WEBSOCKET_MANAGEMENT_ENDPOINT must be an https or wss URL, not ftp:\n');

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

/**
 * `npm run keys -- <command>`: API keys of the table the environment points at (DynamoDB Local
 * through DYNAMODB_ENDPOINT, or AWS), or, with neither DYNAMODB_ENDPOINT nor TABLE_NAME set, of
 * the local stack that is running (storage-target.ts). A new key is printed once and never again.
 *
 *   create --owner NAME    issue a key (and, for a new owner, its webhook signing secret)
 *   list [--owner NAME]    key ids, owners, creation and revocation times (never the keys)
 *   revoke KEYID           refuse that key from now on and close its open dashboards
 *   rotate-secret [--owner NAME] [--grace-hours H]
 *                          a new webhook signing secret (for every owner with a key, without
 *                          --owner); the old one still signs for H hours (default 24, 0 to 720)
 *   migrate-secrets [--keep-profile-copy]
 *                          move webhook secrets of an older deployment off the owners' profiles
 *                          onto their own items (docs/deploy.md "Upgrading"); idempotent
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../functions/shared/config';
import { RuntimeFileError } from '../local/runtime-file';
import { createApiKey, findApiKeyById, listApiKeys, revokeApiKey } from '../storage/api-keys-repository';
import type { Db } from '../storage/dynamodb-client';
import { isValidOwnerId } from '../storage/owners-repository';
import { DEFAULT_WEBHOOK_SECRET_GRACE_HOURS, MAX_WEBHOOK_SECRET_GRACE_HOURS, migrateWebhookSecrets, rotateWebhookSecret } from '../storage/webhook-secrets-repository';
import { closeDashboards, keyConnections, type CloseConnection } from './dashboard-closer';
import { StackNotRunningError } from './storage-target';

export const USAGE =
  'usage: npm run keys -- create --owner NAME | list [--owner NAME] | revoke KEYID | rotate-secret [--owner NAME] [--grace-hours H] | migrate-secrets [--keep-profile-copy]';

export interface KeysCommandIo {
  db: Db;
  now: () => Date;
  print: (line: string) => void;
  /**
   * Closes a dashboard connection through the WebSocket API's management API; null when no
   * endpoint is known (WEBSOCKET_MANAGEMENT_ENDPOINT unset and no running local stack).
   */
  closeConnection?: CloseConnection | null;
}

/** A mistake of the caller, reported as one line with the usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The command did its main work but not all of it (a dashboard left open): exit code 1, its message. */
export class IncompleteCommandError extends Error {
  override readonly name = 'IncompleteCommandError';
}

function graceHoursOption(value: string | undefined): number {
  if (value === undefined) return DEFAULT_WEBHOOK_SECRET_GRACE_HOURS;
  const hours = Number(value);
  if (value.trim() === '' || !Number.isFinite(hours) || hours < 0 || hours > MAX_WEBHOOK_SECRET_GRACE_HOURS) {
    throw new UsageError(`--grace-hours must be a number of hours from 0 to ${MAX_WEBHOOK_SECRET_GRACE_HOURS}, not "${value}"`);
  }
  return hours;
}

/** Closes the revoked key's open dashboards; throws IncompleteCommandError when some stay open. */
async function closeKeyDashboards(io: KeysCommandIo, owner: string, keyId: string): Promise<void> {
  const open = await keyConnections(io.db, owner, keyId, io.now());
  if (open.length === 0) return;
  if (io.closeConnection === undefined || io.closeConnection === null) {
    throw new IncompleteCommandError(
      `${open.length} open dashboard connection(s) of key ${keyId} not closed: set WEBSOCKET_MANAGEMENT_ENDPOINT (the stack's WebSocketUrl output) and run revoke again`,
    );
  }
  const { closed, gone, failed } = await closeDashboards(io.db, io.closeConnection, open);
  io.print(`closed ${closed} open dashboard connection(s) of key ${keyId}${gone === 0 ? '' : ` (${gone} already gone)`}`);
  if (failed.length > 0) {
    throw new IncompleteCommandError(`${failed.length} dashboard connection(s) of key ${keyId} could not be closed (${failed[0]?.error ?? ''}): run revoke again`);
  }
}

function ownerOption(values: { owner?: string | undefined }, required: boolean): string | undefined {
  const { owner } = values;
  if (owner === undefined) {
    if (required) throw new UsageError('create needs --owner NAME');
    return undefined;
  }
  if (!isValidOwnerId(owner)) throw new UsageError(`owner "${owner}" must be 1-64 of A-Z a-z 0-9 . _ @ - (starting with a letter or digit)`);
  return owner;
}

/** Runs one command; throws UsageError for bad arguments and lets storage errors through. */
export async function runKeysCommand(argv: readonly string[], io: KeysCommandIo): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { owner: { type: 'string' }, 'grace-hours': { type: 'string' }, 'keep-profile-copy': { type: 'boolean' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const [command, ...rest] = parsed.positionals;
  if (command !== 'rotate-secret' && parsed.values['grace-hours'] !== undefined) throw new UsageError('only rotate-secret takes --grace-hours');
  if (command !== 'migrate-secrets' && parsed.values['keep-profile-copy'] !== undefined) throw new UsageError('only migrate-secrets takes --keep-profile-copy');
  switch (command) {
    case 'create': {
      if (rest.length > 0) throw new UsageError(`create takes no ${rest.join(' ')}`);
      const owner = ownerOption(parsed.values, true) as string;
      const created = await createApiKey(io.db, { owner, now: io.now() });
      io.print(`API key ${created.keyId} for ${owner} (shown only now, store it safely):`);
      io.print(created.key);
      if (created.webhookSecret !== null) {
        io.print(`Webhook signing secret for ${owner} (HMAC-SHA256 of webhook bodies; shown only now):`);
        io.print(created.webhookSecret);
      }
      return;
    }
    case 'list': {
      if (rest.length > 0) throw new UsageError(`list takes no ${rest.join(' ')}`);
      const keys = await listApiKeys(io.db, ownerOption(parsed.values, false));
      if (keys.length === 0) io.print('no keys');
      for (const key of keys) {
        io.print([key.keyId, key.owner, `created ${key.createdAt}`, key.revokedAt === null ? 'active' : `revoked ${key.revokedAt}`].join('  '));
      }
      return;
    }
    case 'revoke': {
      const [keyId, ...extra] = rest;
      if (keyId === undefined || extra.length > 0 || parsed.values.owner !== undefined) throw new UsageError('revoke takes one KEYID');
      const outcome = await revokeApiKey(io.db, keyId, io.now());
      const record = outcome === 'not_found' ? null : await findApiKeyById(io.db, keyId);
      if (record === null) throw new UsageError(`no key with id ${keyId} (see npm run keys -- list)`);
      io.print(outcome === 'revoked' ? `revoked key ${keyId}` : `key ${keyId} was already revoked`);
      // Also when it was revoked before: a revoke that could not close every dashboard is run again.
      await closeKeyDashboards(io, record.owner, keyId);
      return;
    }
    case 'rotate-secret': {
      if (rest.length > 0) throw new UsageError(`rotate-secret takes no ${rest.join(' ')}`);
      const graceHours = graceHoursOption(parsed.values['grace-hours']);
      const only = ownerOption(parsed.values, false);
      const owners = only === undefined ? [...new Set((await listApiKeys(io.db)).map((key) => key.owner))] : [only];
      if (owners.length === 0) io.print('no owners');
      for (const owner of owners) {
        const rotated = await rotateWebhookSecret(io.db, owner, { now: io.now(), graceMs: graceHours * 3_600_000 });
        if (rotated === null) throw new UsageError(`owner ${owner} has no webhook secret to rotate (create a key for it first)`);
        io.print(
          `New webhook signing secret for ${owner} (shown only now); ${
            rotated.previousValidUntil === null ? 'the old one no longer signs' : `webhooks carry both signatures until ${rotated.previousValidUntil}`
          }:`,
        );
        io.print(rotated.secret);
      }
      return;
    }
    case 'migrate-secrets': {
      if (rest.length > 0 || parsed.values.owner !== undefined) throw new UsageError('migrate-secrets takes only --keep-profile-copy');
      const owners = [...new Set((await listApiKeys(io.db)).map((key) => key.owner))];
      const counts = await migrateWebhookSecrets(io.db, owners, { keepProfileCopy: parsed.values['keep-profile-copy'] === true });
      io.print(
        `webhook secrets of ${owners.length} owner(s): ${counts.moved} moved, ${counts.copied} copied, ${counts.profile_copy_removed} profile copies removed, ${counts.nothing_to_move} with nothing to move`,
      );
      return;
    }
    default:
      throw new UsageError(command === undefined ? 'no command given' : `unknown command "${command}"`);
  }
}

/** One line for any failure: the cause a user can act on, never a stack trace. */
export function describeFailure(error: unknown, where: string): string {
  if (error instanceof UsageError) return `${error.message}\n${USAGE}`;
  if (error instanceof ConfigError || error instanceof StackNotRunningError || error instanceof RuntimeFileError || error instanceof IncompleteCommandError) return error.message;
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'ResourceNotFoundException') return `the table does not exist at ${where}: start the local stack (npm start) or deploy, or set TABLE_NAME`;
  if (name === 'CredentialsProviderError') return `no AWS credentials for ${where}: configure them, or set DYNAMODB_ENDPOINT for DynamoDB Local`;
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|connect/i.test(`${message} ${(error as { code?: string }).code ?? ''}`)) {
    return `cannot reach DynamoDB at ${where}: is it running? (DYNAMODB_ENDPOINT)`;
  }
  return `${name === '' ? 'error' : name}: ${message.split('\n')[0] ?? ''}`;
}

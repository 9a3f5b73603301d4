/** Entry point of `npm run keys` (see keys-command.ts). Exit codes: 0 done, 1 failed, 2 bad usage. */
import { openDb } from '../functions/shared/database';
import { managementApiCloser } from './dashboard-closer';
import { describeFailure, runKeysCommand, UsageError } from './keys-command';
import { resolveStorageTarget } from './storage-target';

// The SDK warns on every run about Node versions it will drop in 2027; a CLI prints only its own lines.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<number> {
  let where = 'DynamoDB';
  try {
    const target = await resolveStorageTarget(process.env);
    where = target.where;
    const db = openDb(target.config);
    const management = target.managementEndpoint === null ? null : managementApiCloser(target.managementEndpoint, target.config.region);
    try {
      await runKeysCommand(process.argv.slice(2), { db, now: () => new Date(), print: (line) => console.log(line), closeConnection: management?.close ?? null });
    } finally {
      management?.destroy();
      db.doc.destroy();
    }
    return 0;
  } catch (error) {
    console.error(`keys: ${describeFailure(error, where)}`);
    return error instanceof UsageError ? 2 : 1;
  }
}

process.exitCode = await main();

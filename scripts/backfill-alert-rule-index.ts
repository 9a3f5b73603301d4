/**
 * `npx tsx scripts/backfill-alert-rule-index.ts`: once, after deploying the alerts-by-rule index
 * (GSI4), give the alerts written before it their index keys so `GET /alerts?ruleId=` lists them
 * (storage/alert-rule-index-backfill.ts). Targets the table the keys CLI would (DYNAMODB_ENDPOINT /
 * TABLE_NAME, else a running `npm start`, else AWS). Prints the counts as one JSON line.
 */
import { openDb } from '../functions/shared/database';
import { resolveStorageTarget } from '../cli/storage-target';
import { backfillAlertRuleIndex } from '../storage/alert-rule-index-backfill';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<number> {
  let target: Awaited<ReturnType<typeof resolveStorageTarget>>;
  try {
    target = await resolveStorageTarget(process.env);
  } catch (error) {
    console.error(`backfill: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const db = openDb(target.config);
  try {
    const counts = await backfillAlertRuleIndex(db);
    console.log(JSON.stringify({ table: target.where, ...counts }));
    return 0;
  } catch (error) {
    console.error(`backfill on ${target.where}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    db.doc.destroy();
  }
}

process.exitCode = await main();

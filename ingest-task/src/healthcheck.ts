/**
 * The container's HEALTHCHECK: healthy while the task keeps writing its heartbeat file.
 *
 * It checks that the process is alive and its event loop turns, not that iTick is connected: a
 * refused token or a knock-off is not cured by replacing the task (a replacement on the same key
 * would knock the feed off once more). Connection trouble is reported by the heartbeat in
 * DynamoDB (`GET /health`, alarms) instead.
 */
import { readFileSync } from 'node:fs';

const file = process.env.HEARTBEAT_FILE ?? '/tmp/ingest-heartbeat.json';
const maxAgeMs = Number(process.env.HEALTHCHECK_MAX_AGE_MS ?? 30_000);

try {
  const { updatedAt } = JSON.parse(readFileSync(file, 'utf8')) as { updatedAt?: unknown };
  const age = Date.now() - Number(updatedAt);
  if (!(age <= maxAgeMs)) {
    console.error(`heartbeat is ${Math.round(age / 1000)} s old`);
    process.exit(1);
  }
} catch (error) {
  console.error(`no heartbeat file: ${String(error)}`);
  process.exit(1);
}

/**
 * The integration project's globalSetup (vitest.config.ts), once per run before any test file:
 * - one DynamoDB Local for the whole run instead of one per test file; test/support/dynamodb.ts
 *   then uses it (each file still gets its own table);
 * - the dashboard built (dashboard/build.ts, skipped when dist is current), so the test files
 *   that start the local stack or `npm start` with the dashboard do not each wait for one build
 *   (behind its lock) inside their start-up deadline: on a clean clone under load that build
 *   alone took over a minute.
 * Vitest runs it only when integration test files are selected.
 */
import type { TestProject } from 'vitest/node';
import { ensureDashboardBuilt } from '../../dashboard/build';
import { startDynamoDbLocal } from '../../local/dynamodb-local';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [emulator] = await Promise.all([startDynamoDbLocal(), ensureDashboardBuilt()]);
  project.provide('dynamodbEndpoint', emulator.endpoint);
  return () => emulator.stop();
}

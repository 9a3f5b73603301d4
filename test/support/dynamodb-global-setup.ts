/**
 * Optional vitest globalSetup: one DynamoDB Local for the whole run instead of one per test file.
 * Enable with `globalSetup: ['test/support/dynamodb-global-setup.ts']` in vitest.config.ts;
 * test/support/dynamodb.ts then uses it (each file still gets its own table).
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/dynamodb-local';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const emulator = await startDynamoDbLocal();
  project.provide('dynamodbEndpoint', emulator.endpoint);
  return () => emulator.stop();
}

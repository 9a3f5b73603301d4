/**
 * The integration project's globalSetup (vitest.config.ts): one DynamoDB Local for the whole run
 * instead of one per test file; test/support/dynamodb.ts then uses it (each file still gets its
 * own table). Vitest runs it only when integration test files are selected.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/dynamodb-local';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const emulator = await startDynamoDbLocal();
  project.provide('dynamodbEndpoint', emulator.endpoint);
  return () => emulator.stop();
}

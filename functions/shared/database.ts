/** The table adapter for a function's configuration (one per Lambda instance, made at cold start). */
import { createDb, type Db } from '../../storage/dynamodb-client';
import type { StorageConfig } from './config';

export function openDb(config: StorageConfig): Db {
  return createDb({ endpoint: config.dynamodbEndpoint, region: config.region, tableName: config.tableName });
}

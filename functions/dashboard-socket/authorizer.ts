/** The dashboard WebSocket API's `$connect` authorizer: the Lambda entry of connection-authorizer.ts, on the table its environment names. */
import { loadStorageConfig } from '../shared/config';
import { openDb } from '../shared/database';
import { createSocketAuthorizerHandler } from './connection-authorizer';

export const handler = createSocketAuthorizerHandler(openDb(loadStorageConfig()));

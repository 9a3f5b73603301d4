/** `$connect` of the dashboard WebSocket API: the Lambda entry of connect-route.ts, on the table its environment names. */
import { loadStorageConfig } from '../shared/config';
import { openDb } from '../shared/database';
import { createConnectHandler } from './connect-route';

export const handler = createConnectHandler(openDb(loadStorageConfig()));

/** `$disconnect` of the dashboard WebSocket API: the Lambda entry of disconnect-route.ts, on the table its environment names. */
import { loadStorageConfig } from '../shared/config';
import { openDb } from '../shared/database';
import { createDisconnectHandler } from './disconnect-route';

export const handler = createDisconnectHandler(openDb(loadStorageConfig()));

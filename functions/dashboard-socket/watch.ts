/** `$default` of the dashboard WebSocket API: the Lambda entry of watch-route.ts, on the table its environment names. */
import { loadStorageConfig } from '../shared/config';
import { openDb } from '../shared/database';
import { createWatchHandler } from './watch-route';

export const handler = createWatchHandler(openDb(loadStorageConfig()));

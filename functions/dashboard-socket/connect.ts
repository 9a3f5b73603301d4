/** `$connect` of the dashboard WebSocket API: the Lambda entry of connect-route.ts, on the table and with the socket limit its environment names. */
import { loadDashboardSocketConfig } from '../shared/config';
import { openDb } from '../shared/database';
import { createConnectHandler } from './connect-route';

const config = loadDashboardSocketConfig();

export const handler = createConnectHandler(openDb(config), config.dashboardSocketsPerOwner);

/** `GET /health`: the Lambda entry of health-route.ts, configured from its environment at cold start. */
import { loadApiConfig } from '../shared/config';
import { openDb } from '../shared/database';
import { getHealthRoute } from './health-route';

const config = loadApiConfig();

export const handler = getHealthRoute(openDb(config), config);

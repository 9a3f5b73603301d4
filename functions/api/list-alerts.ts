/** `GET /alerts?ruleId=&symbol=&since=&limit=&cursor=`: the caller's alerts, newest first (Lambda entry of route-handlers.ts `listAlertsRoute`). */
import { loadApiConfig } from '../shared/config';
import { createApiServices } from './api-dependencies';
import { listAlertsRoute } from './route-handlers';

export const handler = listAlertsRoute(createApiServices(loadApiConfig()));

/** `GET /rules?symbol=&status=&limit=&cursor=`: the caller's rules, a page at a time (Lambda entry of route-handlers.ts `listRulesRoute`). */
import { loadApiConfig } from '../shared/config';
import { createApiServices } from './api-dependencies';
import { listRulesRoute } from './route-handlers';

export const handler = listRulesRoute(createApiServices(loadApiConfig()));

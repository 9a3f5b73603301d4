/** `GET /rules/{id}`: one of the caller's rules (Lambda entry of route-handlers.ts `getRuleRoute`). */
import { loadApiConfig } from '../shared/config';
import { createApiServices } from './api-dependencies';
import { getRuleRoute } from './route-handlers';

export const handler = getRuleRoute(createApiServices(loadApiConfig()));

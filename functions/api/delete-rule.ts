/** `DELETE /rules/{id}`: deletes one of the caller's rules → 204 (Lambda entry of route-handlers.ts `deleteRuleRoute`). */
import { loadApiConfig } from '../shared/config';
import { createApiServices } from './api-dependencies';
import { deleteRuleRoute } from './route-handlers';

export const handler = deleteRuleRoute(createApiServices(loadApiConfig()));

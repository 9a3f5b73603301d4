/** `PATCH /rules/{id}`: changes some fields of one of the caller's rules, pauses or resumes it (Lambda entry of route-handlers.ts `updateRuleRoute`). */
import { loadApiConfig } from '../shared/config';
import { createApiServices } from './api-dependencies';
import { updateRuleRoute } from './route-handlers';

export const handler = updateRuleRoute(createApiServices(loadApiConfig()));

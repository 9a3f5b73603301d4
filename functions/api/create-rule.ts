/** `POST /rules`: creates a rule for the caller → 201 + the rule (Lambda entry of route-handlers.ts `createRuleRoute`). */
import { loadApiConfig } from '../shared/config';
import { createApiServices } from './api-dependencies';
import { createRuleRoute } from './route-handlers';

export const handler = createRuleRoute(createApiServices(loadApiConfig()));

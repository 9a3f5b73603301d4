/** `POST /rules`: creates a rule for the caller → 201 + the rule. */
import { jsonBody } from '../shared/json-body';
import { json } from '../shared/responses';
import { authorizedRoute } from '../shared/route-middleware';
import { rulesService } from './api-dependencies';

export const handler = authorizedRoute()
  .use(jsonBody())
  .handler(async (event, context) => json(201, await rulesService.create(context.owner, event.body)));

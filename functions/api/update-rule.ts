/** `PATCH /rules/{id}`: changes some fields of one of the caller's rules, pauses or resumes it. */
import { jsonBody } from '../shared/json-body';
import { json } from '../shared/responses';
import { authorizedRoute } from '../shared/route-middleware';
import { rulesService } from './api-dependencies';

export const handler = authorizedRoute()
  .use(jsonBody())
  .handler(async (event, context) => json(200, await rulesService.update(context.owner, event.pathParameters?.id ?? '', event.body)));

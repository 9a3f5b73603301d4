/** `GET /rules/{id}`: one of the caller's rules. */
import { json } from '../shared/responses';
import { authorizedRoute } from '../shared/route-middleware';
import { rulesService } from './api-dependencies';

export const handler = authorizedRoute().handler(async (event, context) =>
  json(200, await rulesService.get(context.owner, event.pathParameters?.id ?? '')),
);

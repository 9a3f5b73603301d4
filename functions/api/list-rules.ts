/** `GET /rules?symbol=&status=&limit=&cursor=`: the caller's rules, a page at a time. */
import { json } from '../shared/responses';
import { authorizedRoute } from '../shared/route-middleware';
import { rulesService } from './api-dependencies';

export const handler = authorizedRoute().handler(async (event, context) =>
  json(200, await rulesService.list(context.owner, event.queryStringParameters)),
);

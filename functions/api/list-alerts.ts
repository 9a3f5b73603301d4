/** `GET /alerts?ruleId=&symbol=&since=&limit=&cursor=`: the caller's alerts, newest first. */
import { json } from '../shared/responses';
import { authorizedRoute } from '../shared/route-middleware';
import { alertsService } from './api-dependencies';

export const handler = authorizedRoute().handler(async (event, context) =>
  json(200, await alertsService.list(context.owner, event.queryStringParameters)),
);

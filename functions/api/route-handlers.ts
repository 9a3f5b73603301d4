/**
 * The HTTP API's route handlers, each made for its services: the route files (create-rule.ts …)
 * are their Lambda entries (services from the environment's configuration); the local stack passes
 * its own. What each route does is in the route table (routes.ts) and docs/api.md.
 */
import { jsonBody } from '../shared/json-body';
import { json, noContent } from '../shared/responses';
import { authorizedRoute } from '../shared/route-middleware';
import type { ApiServices } from './api-dependencies';

/** `POST /rules`: creates a rule for the caller → 201 + the rule. */
export function createRuleRoute({ rulesService }: Pick<ApiServices, 'rulesService'>) {
  return authorizedRoute()
    .use(jsonBody())
    .handler(async (event, context) => json(201, await rulesService.create(context.owner, event.body)));
}

/** `GET /rules?symbol=&status=&limit=&cursor=`: the caller's rules, a page at a time. */
export function listRulesRoute({ rulesService }: Pick<ApiServices, 'rulesService'>) {
  return authorizedRoute().handler(async (event, context) =>
    json(200, await rulesService.list(context.owner, event.queryStringParameters)),
  );
}

/** `GET /rules/{id}`: one of the caller's rules. */
export function getRuleRoute({ rulesService }: Pick<ApiServices, 'rulesService'>) {
  return authorizedRoute().handler(async (event, context) =>
    json(200, await rulesService.get(context.owner, event.pathParameters?.id ?? '')),
  );
}

/** `PATCH /rules/{id}`: changes some fields of one of the caller's rules, pauses or resumes it. */
export function updateRuleRoute({ rulesService }: Pick<ApiServices, 'rulesService'>) {
  return authorizedRoute()
    .use(jsonBody())
    .handler(async (event, context) => json(200, await rulesService.update(context.owner, event.pathParameters?.id ?? '', event.body)));
}

/** `DELETE /rules/{id}`: deletes one of the caller's rules → 204. */
export function deleteRuleRoute({ rulesService }: Pick<ApiServices, 'rulesService'>) {
  return authorizedRoute().handler(async (event, context) => {
    await rulesService.remove(context.owner, event.pathParameters?.id ?? '');
    return noContent();
  });
}

/** `GET /alerts?ruleId=&symbol=&since=&limit=&cursor=`: the caller's alerts, newest first. */
export function listAlertsRoute({ alertsService }: Pick<ApiServices, 'alertsService'>) {
  return authorizedRoute().handler(async (event, context) =>
    json(200, await alertsService.list(context.owner, event.queryStringParameters)),
  );
}

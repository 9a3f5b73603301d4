/** `DELETE /rules/{id}`: deletes one of the caller's rules → 204. */
import { noContent } from '../shared/responses';
import { authorizedRoute } from '../shared/route-middleware';
import { rulesService } from './api-dependencies';

export const handler = authorizedRoute().handler(async (event, context) => {
  await rulesService.remove(context.owner, event.pathParameters?.id ?? '');
  return noContent();
});

/**
 * Middy middleware that takes the owner the authorizer established
 * (`requestContext.authorizer.lambda.owner`) and puts it on the context as `context.owner`.
 * API Gateway runs the authorizer before the route; this check only makes sure no route can run
 * without an owner, whatever the wiring.
 */
import type { MiddlewareObj } from '@middy/core';
import type { OwnerContext } from './api-event';
import { unauthorized } from './http-errors';

interface EventWithAuthorizer {
  requestContext: { authorizer?: { lambda?: { owner?: unknown } } };
}

export function ownerFromAuthorizer(): MiddlewareObj<EventWithAuthorizer, unknown, Error, OwnerContext> {
  return {
    before: (request) => {
      const owner = request.event.requestContext.authorizer?.lambda?.owner;
      if (typeof owner !== 'string' || owner === '') throw unauthorized();
      request.context.owner = owner;
    },
  };
}

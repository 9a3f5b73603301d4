/** Types of the API Gateway HTTP API (payload 2.0) events that the route handlers receive. */
import type { APIGatewayProxyEventV2WithLambdaAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

/** What the authorizer hands to the routes (`requestContext.authorizer.lambda`). */
export interface AuthorizerContext {
  owner: string;
  keyId: string;
}

export type ApiEvent = APIGatewayProxyEventV2WithLambdaAuthorizer<AuthorizerContext>;

/** An event after the JSON body middleware: `body` holds the parsed JSON. */
export type JsonApiEvent = Omit<ApiEvent, 'body'> & { body: unknown };

export type ApiResult = APIGatewayProxyStructuredResultV2;

/** The Lambda context once the owner middleware has run. */
export type OwnerContext = Context & { owner: string };

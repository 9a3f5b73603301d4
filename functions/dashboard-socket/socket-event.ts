/** The `$connect` / `$disconnect` event, with the context the authorizer returned. */
import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';

export type SocketEvent = APIGatewayProxyWebsocketEventV2 & {
  requestContext: APIGatewayProxyWebsocketEventV2['requestContext'] & {
    authorizer?: { owner?: unknown; principalId?: unknown };
  };
};

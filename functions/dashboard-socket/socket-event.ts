/** The WebSocket API's route events (`$connect`, `$default`, `$disconnect`), with the context the authorizer returned. */
import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';

export type SocketEvent = APIGatewayProxyWebsocketEventV2 & {
  requestContext: APIGatewayProxyWebsocketEventV2['requestContext'] & {
    authorizer?: { owner?: unknown; principalId?: unknown };
  };
};

/** The owner the authorizer found for the connection's API key; undefined when it found none (unknown key). */
export function ownerOf(event: SocketEvent): string | undefined {
  const owner = event.requestContext.authorizer?.owner;
  return typeof owner === 'string' && owner !== '' ? owner : undefined;
}

/** The WebSocket API's route events (`$connect`, `$default`, `$disconnect`), with the context the authorizer returned. */
import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';

export type SocketEvent = APIGatewayProxyWebsocketEventV2 & {
  requestContext: APIGatewayProxyWebsocketEventV2['requestContext'] & {
    authorizer?: { owner?: unknown; keyId?: unknown; principalId?: unknown };
  };
};

/** The owner the authorizer found for the connection's API key; undefined when it found none (unknown key). */
export function ownerOf(event: SocketEvent): string | undefined {
  const owner = event.requestContext.authorizer?.owner;
  return typeof owner === 'string' && owner !== '' ? owner : undefined;
}

/** The id of the API key the connection was authorized with; undefined when the authorizer gave none. */
export function keyIdOf(event: SocketEvent): string | undefined {
  const keyId = event.requestContext.authorizer?.keyId;
  return typeof keyId === 'string' && keyId !== '' ? keyId : undefined;
}

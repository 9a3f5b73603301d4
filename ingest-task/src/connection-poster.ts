/**
 * The price publisher's {@link ConnectionPoster} on API Gateway's management API
 * (`PostToConnection`). One attempt with a short timeout: a missed snapshot is replaced by the
 * next round's, so retrying would only queue stale prices behind fresh ones.
 */
import { ApiGatewayManagementApiClient, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import type { ConnectionPoster } from './price-publisher';

export interface ManagementApiPosterOptions {
  /** `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`, or the local WebSocket API's. */
  endpoint: string;
  region: string | undefined;
  /** Per post; default 2000 ms. */
  timeoutMs?: number;
  /**
   * Unset: the SDK's credential chain (the task role in AWS, the environment locally). Unlike
   * DynamoDB's, this endpoint is custom in AWS too, so it cannot tell local placeholders are meant.
   */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export function createManagementApiPoster(options: ManagementApiPosterOptions): ConnectionPoster {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const client = new ApiGatewayManagementApiClient({
    endpoint: options.endpoint,
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    maxAttempts: 1,
    requestHandler: { requestTimeout: timeoutMs, connectionTimeout: timeoutMs },
  });
  return {
    async post(connectionId, data) {
      try {
        await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
        return 'sent';
      } catch (error) {
        if (error instanceof GoneException || (error as { name?: unknown } | null)?.name === 'GoneException') return 'gone';
        throw error;
      }
    },
  };
}

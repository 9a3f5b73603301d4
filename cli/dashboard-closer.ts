/**
 * What `keys revoke` does to the revoked key's open dashboards: closes each through the WebSocket
 * API's management API (`DeleteConnection`, i.e. `DELETE @connections/{id}`) and forgets its
 * connection and watch items at once, so the notifier stops pushing alerts to it even before
 * `$disconnect` runs. Connections stored before keys were tracked on them (no keyId) belong to
 * the owner's unknown key: they are closed too; a dashboard with a live key simply reconnects.
 */
import { ApiGatewayManagementApiClient, DeleteConnectionCommand, GoneException } from '@aws-sdk/client-apigatewaymanagementapi';
import { LOCAL_CREDENTIALS } from '../core/local-credentials';
import { deleteConnection, listConnectionsByOwner } from '../storage/connections-repository';
import type { Db } from '../storage/dynamodb-client';
import { forgetWatches } from '../storage/watches-repository';

/** Closes one connection; `gone` when the API no longer knows it (410). Throws on other failures. */
export type CloseConnection = (connectionId: string) => Promise<'closed' | 'gone'>;

export interface ClosedDashboards {
  closed: number;
  gone: number;
  /** Connections that could not be closed (kept in the table, so a second `revoke` tries again). */
  failed: Array<{ connectionId: string; error: string }>;
}

/**
 * The management API endpoint from a setting: `https://…/live` as is, or the stack's `WebSocketUrl`
 * output (`wss://…/live`) turned into it.
 */
export function managementEndpointOf(setting: string): string {
  const url = new URL(setting);
  if (url.protocol === 'wss:') url.protocol = 'https:';
  else if (url.protocol === 'ws:') url.protocol = 'http:';
  else if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RangeError(`WEBSOCKET_MANAGEMENT_ENDPOINT must be an https or wss URL, not ${url.protocol}`);
  return url.toString().replace(/\/$/, '');
}

/** A CloseConnection through the management API at `endpoint` (placeholder credentials for a local http one). */
export function managementApiCloser(endpoint: string, region: string): { close: CloseConnection; destroy: () => void } {
  const client = new ApiGatewayManagementApiClient({ region, endpoint, ...(endpoint.startsWith('http://') ? { credentials: LOCAL_CREDENTIALS } : {}) });
  return {
    close: async (connectionId) => {
      try {
        await client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
        return 'closed';
      } catch (error) {
        if (error instanceof GoneException) return 'gone';
        throw error;
      }
    },
    destroy: () => client.destroy(),
  };
}

/** The open dashboards of `owner` opened with `keyId` (or with an untracked key). */
export async function keyConnections(db: Db, owner: string, keyId: string, now: Date): Promise<string[]> {
  const connections = await listConnectionsByOwner(db, owner, now);
  return connections.filter((connection) => connection.keyId === undefined || connection.keyId === keyId).map((connection) => connection.connectionId);
}

/** Closes and forgets the given connections, one at a time (an operator command, not a hot path). */
export async function closeDashboards(db: Db, close: CloseConnection, connectionIds: readonly string[]): Promise<ClosedDashboards> {
  const outcome: ClosedDashboards = { closed: 0, gone: 0, failed: [] };
  for (const connectionId of connectionIds) {
    let result: 'closed' | 'gone';
    try {
      result = await close(connectionId);
    } catch (error) {
      outcome.failed.push({ connectionId, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      continue;
    }
    outcome[result] += 1;
    await deleteConnection(db, connectionId);
    await forgetWatches(db, connectionId);
  }
  return outcome;
}

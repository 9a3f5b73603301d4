/**
 * A dashboard WebSocket API for the delivery tests: the local WebSocket API server with an
 * authorizer that maps `?key=` to an owner, `$connect`/`$disconnect` handlers that keep an
 * in-memory connection store (standing in for storage/connections-repository.ts), and real ws
 * clients that collect what they receive.
 */
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import WebSocket from 'ws';
import type { DashboardConnections } from '../../functions/notifier/channels/dashboard-pusher';
import { startWebSocketApiServer, type WebSocketApiServer, type WebSocketRouteEvent } from '../../local/websocket-api-server';

export const KEYS: Record<string, string> = { 'key-alice': 'alice', 'key-bob': 'bob' };

export function policy(principalId: string, effect: 'Allow' | 'Deny', context: Record<string, string> = {}): APIGatewayAuthorizerResult {
  return {
    principalId,
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: '*' }] },
    context,
  };
}

export class MemoryConnections implements DashboardConnections {
  readonly byOwner = new Map<string, Set<string>>();
  readonly removed: string[] = [];

  add(owner: string, connectionId: string): void {
    if (!this.byOwner.has(owner)) this.byOwner.set(owner, new Set());
    this.byOwner.get(owner)?.add(connectionId);
  }
  async listConnections(owner: string): Promise<string[]> {
    return [...(this.byOwner.get(owner) ?? [])];
  }
  async removeConnection(owner: string, connectionId: string): Promise<void> {
    this.removed.push(connectionId);
    this.byOwner.get(owner)?.delete(connectionId);
  }
}

export async function startDashboardApi(connections: MemoryConnections): Promise<WebSocketApiServer> {
  const ownerOf = (event: WebSocketRouteEvent) => String(event.requestContext.authorizer?.owner ?? '');
  return startWebSocketApiServer({
    authorizer: async (event) => {
      const owner = KEYS[event.queryStringParameters?.key ?? ''];
      if (owner === undefined) throw new Error('Unauthorized');
      return policy(owner, 'Allow', { owner });
    },
    routes: {
      $connect: async (event) => {
        connections.add(ownerOf(event), event.requestContext.connectionId);
        return { statusCode: 200 };
      },
      $disconnect: async (event) => {
        await connections.removeConnection(ownerOf(event), event.requestContext.connectionId);
      },
    },
  });
}

export interface DashboardClient {
  socket: WebSocket;
  received: string[];
  close(): Promise<void>;
}

/** Opens a client; resolves once open (rejects with the HTTP status when refused). */
export function openClient(url: string, protocols?: string[]): Promise<DashboardClient> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, protocols);
    const received: string[] = [];
    socket.on('message', (data) => received.push(String(data)));
    socket.once('unexpected-response', (_request, response) => {
      reject(new Error(`HTTP ${response.statusCode ?? 0}`));
      socket.terminate();
    });
    socket.once('error', reject);
    socket.once('open', () =>
      resolve({
        socket,
        received,
        close: () =>
          new Promise<void>((done) => {
            if (socket.readyState === WebSocket.CLOSED) return done();
            socket.once('close', () => done());
            socket.close();
          }),
      }),
    );
  });
}

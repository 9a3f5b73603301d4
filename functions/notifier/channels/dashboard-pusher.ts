/**
 * Live dashboard alerts: posts `{ type: "alert", alert }` through the API Gateway management API
 * to each of the owner's open WebSocket connections, and later each delivery's outcome
 * (`{ type: "delivery", … }`, best effort: `GET /alerts` has it too). A connection the API
 * reports gone (410) is forgotten. The dashboard is best effort next to `GET /alerts`, so the push counts as delivered
 * when at least one connection got it, or when no connection is open (nothing to do); it fails
 * only when every open connection failed, and is retryable when one of those failures was.
 * Redelivering after a partial success would show the alert twice on the dashboards that had it.
 */
import { ApiGatewayManagementApiClient, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import type { DeliverableAlert } from '../../../core/delivery/deliverable-alert';
import { LOCAL_CREDENTIALS } from '../../../core/local-credentials';
import type { Delivery } from '../../../core/rule-model';
import { deleteConnection, listConnectionsByOwner } from '../../../storage/connections-repository';
import type { ChannelImplementation, DeliveryChannelOf } from './channel-implementation';
import type { DeliveryLogger } from './delivery-logger';
import { DELIVERED, failure, type ChannelSender, type DeliveryResult } from './delivery-result';
import { dashboardBody, deliveryUpdateMessage } from './message-formats';

/** The dashboard is not a rule channel (core/channels/dashboard.ts): every alert goes to its owner's open dashboards. */
export type DashboardChannel = DeliveryChannelOf<'dashboard'>;
export const DASHBOARD_CHANNEL: DashboardChannel = Object.freeze({ type: 'dashboard' });

/** Where the owner's open connections are kept (storage/connections-repository.ts). */
export interface DashboardConnections {
  listConnections(owner: string): Promise<string[]>;
  removeConnection(owner: string, connectionId: string): Promise<void>;
}

export interface DashboardPusherOptions {
  /** Management API client, endpoint `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`. */
  management: Pick<ApiGatewayManagementApiClient, 'send'>;
  connections: DashboardConnections;
  logger?: DeliveryLogger;
}

export type DashboardPushResult = DeliveryResult & {
  /** Connections that received the alert. */
  delivered: number;
  /** Connections found gone (410) and removed. */
  gone: number;
  /** Connections that failed otherwise. */
  failed: number;
};

type PushOutcome = { kind: 'delivered' } | { kind: 'gone' } | { kind: 'failed'; retryable: boolean; error: string };

/**
 * The dashboard channel's formatter and sender (functions/notifier/channels/registry.ts). Without a
 * WebSocket API (WEBSOCKET_MANAGEMENT_ENDPOINT unset) there are no dashboards to reach: delivered.
 */
export const dashboardImplementation = {
  format: (alert) => ({ body: dashboardBody(alert) }),
  createSender: async ({ config, db, logger }) => {
    const endpoint = config.websocketManagementEndpoint;
    if (endpoint === undefined) return null;
    const management = new ApiGatewayManagementApiClient({
      region: config.region,
      endpoint,
      ...(endpoint.startsWith('http://') ? { credentials: LOCAL_CREDENTIALS } : {}),
    });
    const connections: DashboardConnections = {
      listConnections: async (owner) => (await listConnectionsByOwner(db, owner, new Date())).map((c) => c.connectionId),
      removeConnection: (_owner, connectionId) => deleteConnection(db, connectionId),
    };
    return new DashboardPusher({ management, connections, logger });
  },
  unconfigured: DELIVERED,
} satisfies ChannelImplementation<'dashboard'>;

/**
 * @example
 * const dashboard = new DashboardPusher({ management: new ApiGatewayManagementApiClient({ endpoint }), connections });
 * await dashboard.send(DASHBOARD_CHANNEL, alert);
 */
export class DashboardPusher implements ChannelSender<DashboardChannel> {
  constructor(private readonly options: DashboardPusherOptions) {}

  /** The alert, with its deliveries as they stand (the alert record's, as read). */
  async send(_channel: DashboardChannel, alert: DeliverableAlert): Promise<DashboardPushResult> {
    return this.post(alert.owner, dashboardImplementation.format(alert).body);
  }

  /** A delivery's outcome, to the owner's open dashboards; never retried (the next `GET /alerts` shows it). */
  async sendDeliveryUpdate(owner: string, alertId: string, index: number, delivery: Delivery): Promise<DashboardPushResult> {
    return this.post(owner, JSON.stringify(deliveryUpdateMessage(alertId, index, delivery)));
  }

  private async post(owner: string, message: string): Promise<DashboardPushResult> {
    let connectionIds: string[];
    try {
      connectionIds = await this.options.connections.listConnections(owner);
    } catch (error) {
      return { ...failure(true, `dashboard connections unavailable: ${errorText(error)}`), delivered: 0, gone: 0, failed: 0 };
    }
    const data = new TextEncoder().encode(message);
    const outcomes = await Promise.all(connectionIds.map((connectionId) => this.push(owner, connectionId, data)));
    const delivered = outcomes.filter((o) => o.kind === 'delivered').length;
    const gone = outcomes.filter((o) => o.kind === 'gone').length;
    const failures = outcomes.filter((o): o is Extract<PushOutcome, { kind: 'failed' }> => o.kind === 'failed');
    const counts = { delivered, gone, failed: failures.length };
    if (delivered > 0 || failures.length === 0) return { ok: true, ...counts };
    const retryable = failures.some((f) => f.retryable);
    const first = failures[0]?.error ?? 'unknown error';
    return { ...failure(retryable, `dashboard push failed on ${failures.length} connection(s): ${first}`), ...counts };
  }

  private async push(owner: string, connectionId: string, data: Uint8Array): Promise<PushOutcome> {
    try {
      await this.options.management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
      return { kind: 'delivered' };
    } catch (error) {
      if (error instanceof GoneException || (error as { name?: unknown } | null)?.name === 'GoneException') {
        await this.forget(owner, connectionId);
        return { kind: 'gone' };
      }
      return { kind: 'failed', retryable: isRetryable(error), error: errorText(error) };
    }
  }

  /** A failed removal is only logged: the connection item expires by TTL anyway. */
  private async forget(owner: string, connectionId: string): Promise<void> {
    try {
      await this.options.connections.removeConnection(owner, connectionId);
    } catch (error) {
      this.options.logger?.warn('could not remove a gone dashboard connection', { connectionId, error: errorText(error) });
    }
  }
}

function isRetryable(error: unknown): boolean {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; $metadata?: { httpStatusCode?: unknown } };
  if (shape.name === 'LimitExceededException') return true;
  const status = shape.$metadata?.httpStatusCode;
  // No status: the request got no answer at all (network), worth another try.
  return typeof status !== 'number' || status >= 500 || status === 429;
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.message === '' || error.message === 'UnknownError' ? error.name : `${error.name}: ${error.message}`;
}

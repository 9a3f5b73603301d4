/**
 * The alert feed's list: alerts fetched from `GET /alerts` and alerts pushed over the socket
 * (which come without deliveries) merged by id, newest first, a bounded number kept. A fetched
 * alert's deliveries replace what the page had; a pushed copy never erases fetched deliveries.
 */
import type { Alert } from '../../core/rule-model';
import type { PushedAlert } from './live-protocol';

/** An alert on the page; `deliveries` is undefined until `GET /alerts` told them. */
export type FeedAlert = PushedAlert & { deliveries?: Alert['deliveries'] };

export const MAX_FEED_ALERTS = 100;

export function mergeAlerts(current: readonly FeedAlert[], incoming: readonly FeedAlert[]): FeedAlert[] {
  const byId = new Map(current.map((alert) => [alert.id, alert]));
  for (const alert of incoming) {
    const known = byId.get(alert.id);
    byId.set(alert.id, { ...known, ...alert, ...(alert.deliveries === undefined && known?.deliveries !== undefined ? { deliveries: known.deliveries } : {}) });
  }
  return [...byId.values()].sort((a, b) => (a.triggeredAt < b.triggeredAt ? 1 : a.triggeredAt > b.triggeredAt ? -1 : a.id < b.id ? 1 : -1)).slice(0, MAX_FEED_ALERTS);
}

/** Whether some alert's deliveries are still to be told or settled: then the page polls `GET /alerts`. */
export function hasUnsettled(alerts: readonly FeedAlert[]): boolean {
  return alerts.some((alert) => alert.deliveries === undefined || alert.deliveries.some((d) => d.status === 'pending'));
}

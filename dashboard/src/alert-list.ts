/**
 * The alert feed's list: alerts fetched from `GET /alerts`, alerts pushed over the socket and
 * their deliveries' outcomes pushed after them, merged by id, newest first, a bounded number
 * kept. The sources race (a poll answered before a push arrives, a push sent before a delivery
 * ended), so each delivery keeps whichever state is further along: more attempts, then settled
 * (`sent`/`failed`) over `pending`. A copy without deliveries never erases known ones.
 */
import type { Alert } from '../../core/rule-model';
import type { DeliveryUpdate, PushedAlert } from './live-protocol';

/** An alert on the page; `deliveries` is undefined until `GET /alerts` told them. */
export type FeedAlert = PushedAlert & { deliveries?: Alert['deliveries'] };

export const MAX_FEED_ALERTS = 100;

type Delivery = Alert['deliveries'][number];

/** The further along of two states of one delivery. */
function furtherAlong(a: Delivery, b: Delivery): Delivery {
  if (a.attempts !== b.attempts) return a.attempts > b.attempts ? a : b;
  return a.status === 'pending' && b.status !== 'pending' ? b : a;
}

function mergeDeliveries(known: readonly Delivery[] | undefined, incoming: readonly Delivery[] | undefined): Delivery[] | undefined {
  if (incoming === undefined) return known === undefined ? undefined : [...known];
  if (known === undefined || known.length !== incoming.length) return [...incoming];
  return incoming.map((delivery, i) => furtherAlong(known[i] as Delivery, delivery));
}

export function mergeAlerts(current: readonly FeedAlert[], incoming: readonly FeedAlert[]): FeedAlert[] {
  const byId = new Map(current.map((alert) => [alert.id, alert]));
  for (const alert of incoming) {
    const known = byId.get(alert.id);
    const deliveries = mergeDeliveries(known?.deliveries, alert.deliveries);
    const { deliveries: _ignored, ...rest } = alert;
    byId.set(alert.id, { ...known, ...rest, ...(deliveries === undefined ? {} : { deliveries }) });
  }
  return sortAndBound(byId);
}

/** A delivery's pushed outcome; an alert the page does not hold, or holds without deliveries, waits for `GET /alerts`. */
export function applyDeliveryUpdate(current: readonly FeedAlert[], update: DeliveryUpdate): FeedAlert[] {
  return current.map((alert) => {
    const known = alert.deliveries?.[update.index];
    if (alert.id !== update.alertId || alert.deliveries === undefined || known === undefined || known.channel !== update.delivery.channel) return alert;
    const deliveries = [...alert.deliveries];
    deliveries[update.index] = furtherAlong(known, update.delivery);
    return { ...alert, deliveries };
  });
}

function sortAndBound(byId: Map<string, FeedAlert>): FeedAlert[] {
  return [...byId.values()].sort((a, b) => (a.triggeredAt < b.triggeredAt ? 1 : a.triggeredAt > b.triggeredAt ? -1 : a.id < b.id ? 1 : -1)).slice(0, MAX_FEED_ALERTS);
}

/** Whether some alert's deliveries are still to be told or settled: then the page polls `GET /alerts`. */
export function hasUnsettled(alerts: readonly FeedAlert[]): boolean {
  return alerts.some((alert) => alert.deliveries === undefined || alert.deliveries.some((d) => d.status === 'pending'));
}

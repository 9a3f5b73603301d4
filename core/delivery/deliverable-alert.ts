/**
 * A claimed alert as the notifier delivers it: the alert resource of `GET /alerts` (its rendered
 * message, its deliveries as they stand) with what it was fired with and `GET /alerts` does not
 * show: its owner, and the rule's channels and note at firing time. The alert record
 * (storage/deliveries-repository.ts) reads as this; every formatter and sender takes it.
 */
import type { Alert, Channel } from '../rule-model';

export interface DeliverableAlert {
  /** Owner of the rule: selects the webhook secret and the dashboard connections. */
  owner: string;
  alert: Alert;
  /** The rule's channels when it fired; `alert.deliveries[i]` is the delivery to `channels[i]`. */
  channels: Channel[];
  /** The rule's note when it fired: user text, never markup. */
  note: string | null;
}

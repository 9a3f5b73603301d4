/**
 * The messages of the dashboard's WebSocket, as the page sees them. Pure (no DOM), so the tests
 * can hold them against their sources: functions/dashboard-socket/watch-message.ts (what the page
 * sends), storage/watches-repository.ts (how many symbols), the notifier's dashboard message
 * (alerts) and ingest-task/src/price-snapshot.ts (prices).
 */
import type { Alert } from '../../core/rule-model';

/**
 * What the page sends. Written out here because watch-message.ts pulls storage code into the
 * browser's type check; a test keeps the two in step.
 */
export interface WatchRequest {
  action: 'watch';
  symbols: string[];
}

/**
 * Symbols one connection may watch (storage/watches-repository.ts MAX_WATCHED_SYMBOLS; a test
 * keeps the two equal). Past it, the first ones are watched.
 */
export const MAX_WATCHED_SYMBOLS = 40;

/** An alert as pushed: a `GET /alerts` item, its deliveries as they stood when it was pushed. */
export type PushedAlert = Omit<Alert, 'deliveries'> & { deliveries?: Alert['deliveries'] };

/** A delivery's new state, pushed when an attempt ended: `deliveries[index]` of alert `alertId`. */
export interface DeliveryUpdate {
  alertId: string;
  index: number;
  delivery: Alert['deliveries'][number];
}

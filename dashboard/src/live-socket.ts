/**
 * The dashboard's live channel: the WebSocket API, authenticated by offering the API key as a
 * subprotocol beside `stock-alerts.v1` (functions/dashboard-socket/subprotocol.ts: never in the
 * URL). It receives alerts (`{"type":"alert"}`, pushed by the notifier), each delivery's outcome
 * (`{"type":"delivery"}`, the notifier again) and live prices
 * (`{"type":"prices"}`, posted by the ingest task for the symbols this page watches), sends the
 * watch list on every (re)connect and renews it every few minutes (watch items expire unless
 * renewed), and reconnects with capped, jittered backoff.
 */
import { DASHBOARD_SUBPROTOCOL } from '../../functions/dashboard-socket/subprotocol';
import type { PriceSnapshot } from '../../ingest-task/src/price-snapshot';
import { MAX_WATCHED_SYMBOLS, type DeliveryUpdate, type PushedAlert, type WatchRequest } from './live-protocol';

export type LiveStatus = 'connecting' | 'live' | 'offline';

export interface LiveSocketHandlers {
  status(status: LiveStatus): void;
  alert(alert: PushedAlert): void;
  delivery(update: DeliveryUpdate): void;
  prices(prices: PriceSnapshot[]): void;
  /** The socket opened again after a drop: what was pushed meanwhile was missed. */
  reopened(): void;
}

/** Watch items live 15 minutes unless renewed. */
const RENEW_WATCH_MS = 5 * 60_000;
const BACKOFF_MS = { first: 1_000, max: 30_000 };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

function isDeliveryUpdate(value: Record<string, unknown>): value is Record<string, unknown> & DeliveryUpdate {
  const delivery = value.delivery;
  return (
    typeof value.alertId === 'string' &&
    Number.isInteger(value.index) &&
    isObject(delivery) &&
    typeof delivery.channel === 'string' &&
    typeof delivery.status === 'string' &&
    typeof delivery.attempts === 'number'
  );
}

function isSnapshot(value: unknown): value is PriceSnapshot {
  return isObject(value) && typeof value.symbol === 'string' && typeof value.price === 'number' && typeof value.at === 'string';
}

export class LiveSocket {
  private socket: WebSocket | undefined;
  private symbols: string[] = [];
  private attempts = 0;
  private everOpened = false;
  private closed = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private renewTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly url: string,
    private readonly key: string,
    private readonly handlers: LiveSocketHandlers,
  ) {
    this.connect();
  }

  /** Which symbols' prices this page wants; sent now if connected, and on every reconnect. */
  watch(symbols: readonly string[]): void {
    const next = [...new Set(symbols)].sort().slice(0, MAX_WATCHED_SYMBOLS);
    if (next.join() === this.symbols.join()) return;
    this.symbols = next;
    this.sendWatch();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.renewTimer);
    this.socket?.close(1000, 'signed out');
  }

  private connect(): void {
    this.handlers.status('connecting');
    const socket = new WebSocket(this.url, [DASHBOARD_SUBPROTOCOL, this.key]);
    this.socket = socket;
    socket.onopen = () => {
      this.attempts = 0;
      this.handlers.status('live');
      this.sendWatch();
      this.renewTimer = setInterval(() => this.sendWatch(), RENEW_WATCH_MS);
      if (this.everOpened) this.handlers.reopened();
      this.everOpened = true;
    };
    socket.onmessage = (event: MessageEvent) => {
      if (typeof event.data === 'string') this.receive(event.data);
    };
    socket.onclose = () => {
      clearInterval(this.renewTimer);
      if (this.closed) return;
      this.handlers.status('offline');
      const delay = Math.min(BACKOFF_MS.max, BACKOFF_MS.first * 2 ** this.attempts) * (0.5 + Math.random() / 2);
      this.attempts += 1;
      this.retryTimer = setTimeout(() => this.connect(), delay);
    };
  }

  private sendWatch(): void {
    if (this.socket?.readyState !== WebSocket.OPEN) return;
    const message: WatchRequest = { action: 'watch', symbols: this.symbols };
    this.socket.send(JSON.stringify(message));
  }

  private receive(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (!isObject(message)) return;
    if (message.type === 'alert' && isObject(message.alert) && typeof message.alert.id === 'string') {
      this.handlers.alert(message.alert as PushedAlert);
    } else if (message.type === 'delivery' && isDeliveryUpdate(message)) {
      this.handlers.delivery({ alertId: message.alertId, index: message.index, delivery: message.delivery });
    } else if (message.type === 'prices' && Array.isArray(message.prices)) {
      this.handlers.prices(message.prices.filter(isSnapshot));
    }
  }
}

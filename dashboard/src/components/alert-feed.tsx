/**
 * The alert feed, newest first: pushed alerts appear at once, and each alert shows how each of its
 * deliveries went (sent / pending / failed with attempts and the last error) as `GET /alerts`
 * tells it. Times are relative and refresh every few seconds.
 */
import { useEffect, useState } from 'preact/hooks';
import type { FeedAlert } from '../alert-list';
import { formatDateTime, formatPrice, relativeTime } from '../format';
import { SymbolName } from './symbol-name';

export interface AlertFeedProps {
  alerts: readonly FeedAlert[];
  /** 'loading', 'loaded', or why loading failed. */
  state: string;
}

const STATUS_ICON: Record<string, string> = { sent: '✓', pending: '…', failed: '✕' };

function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

export function AlertFeed({ alerts, state }: AlertFeedProps) {
  const now = useNow(5_000);
  if (state !== 'loading' && state !== 'loaded' && alerts.length === 0) {
    return (
      <p class="error" role="alert">
        Could not load the alerts: {state}
      </p>
    );
  }
  if (alerts.length === 0) return <p class="empty">{state === 'loading' ? 'Loading…' : 'No alerts yet. They appear here the moment a rule fires.'}</p>;
  return (
    <ol class="feed" aria-label="Alerts, newest first">
      {alerts.map((alert) => (
        <li key={alert.id} class="alert" data-alert-id={alert.id}>
          <div class="alert-head">
            <strong class="alert-symbol">
              <SymbolName symbol={alert.symbol} />
            </strong>
            <span class="alert-price">{formatPrice(alert.price, alert.symbol)}</span>
            <time dateTime={alert.triggeredAt} title={formatDateTime(alert.triggeredAt)}>
              {relativeTime(alert.triggeredAt, now)}
            </time>
          </div>
          <p class="alert-message">{alert.message}</p>
          {alert.deliveries === undefined ? (
            <p class="muted small deliveries-pending">Checking deliveries…</p>
          ) : alert.deliveries.length === 0 ? null : (
            <ul class="deliveries" aria-label="Deliveries">
              {alert.deliveries.map((delivery, index) => (
                <li key={index} class={`badge delivery ${delivery.status}`} data-channel={delivery.channel} title={delivery.error}>
                  <span aria-hidden="true">{STATUS_ICON[delivery.status] ?? ''} </span>
                  {delivery.channel}: {delivery.status}
                  {delivery.status !== 'sent' && delivery.attempts > 0 && ` (${delivery.attempts} ${delivery.attempts === 1 ? 'attempt' : 'attempts'})`}
                  {delivery.error !== undefined && <span class="visually-hidden">: {delivery.error}</span>}
                </li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ol>
  );
}

/**
 * The live-price message the ingest task posts to watching dashboards (price-publisher.ts), and
 * the arithmetic of one snapshot. Light on purpose (the dashboard imports these types): its one
 * import, the float-noise rounding of the alert messages, has no dependencies of its own.
 *
 * One message per connection per publishing round carries every symbol of that connection whose
 * price moved (API Gateway bills WebSocket messages one by one, so batching per connection costs
 * a fraction of one message per symbol):
 *
 * ```json
 * {"type":"prices","prices":[{"symbol":"AAPL$US","price":201.5,"change":1.25,"changePct":0.624219,
 *   "at":"2026-03-02T14:30:00.250Z","history":[[1772461740000,200.9],[1772461741000,201.1]]}]}
 * ```
 */
import { withoutFloatNoise } from '../../core/engine/message';

/** One symbol's last trade price and its change against the previous session's close. */
export interface PriceSnapshot {
  symbol: string;
  price: number;
  /** `price − previous close`; null while no quote has told the previous close. */
  change: number | null;
  /** `change / previous close × 100`; null with `change`. */
  changePct: number | null;
  /** Time of the trade (ISO-8601 UTC). */
  at: string;
  /**
   * Only in the first snapshot a connection gets for the symbol: the recent path, one
   * `[epoch ms, price]` per second at most, oldest first, so a chart is not empty on open.
   */
  history?: Array<[number, number]>;
}

export interface PricesMessage {
  type: 'prices';
  prices: PriceSnapshot[];
}


/** The snapshot of a price; the change needs a positive previous close. */
export function priceSnapshot(symbol: string, price: number, prevClose: number | undefined, at: number): PriceSnapshot {
  const known = prevClose !== undefined && prevClose > 0;
  const change = known ? price - prevClose : null;
  return {
    symbol,
    price,
    change: change === null ? null : withoutFloatNoise(change),
    changePct: change === null || !known ? null : withoutFloatNoise((change / prevClose) * 100),
    at: new Date(at).toISOString(),
  };
}

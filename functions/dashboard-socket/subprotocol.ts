/**
 * How a dashboard authenticates its WebSocket: browsers cannot set headers on a WebSocket, and an
 * API key in the URL would end up in logs and history, so the page offers two subprotocols,
 * `stock-alerts.v1` and the API key itself (`new WebSocket(url, ['stock-alerts.v1', key])`). The
 * authorizer reads the key from `Sec-WebSocket-Protocol`; `$connect` selects `stock-alerts.v1`.
 */
export const DASHBOARD_SUBPROTOCOL = 'stock-alerts.v1';

/** The API key offered as a subprotocol, or undefined. */
export function keyFromSubprotocols(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const offered = header.split(',').map((p) => p.trim());
  if (!offered.includes(DASHBOARD_SUBPROTOCOL)) return undefined;
  return offered.find((p) => p !== DASHBOARD_SUBPROTOCOL && p !== '');
}

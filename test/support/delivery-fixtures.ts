/** A fired alert as the notifier hands it to the channels, for the delivery tests. */
import type { AlertNotification } from '../../functions/notifier/channels/notification';

export function aNotification(overrides: Partial<AlertNotification> = {}): AlertNotification {
  return {
    alertId: 'A1b2C3d4E5f6G7h8I9j0K1',
    owner: 'owner-1',
    ruleId: 'R1b2C3d4E5f6G7h8I9j0K1',
    symbol: 'AAPL$US',
    price: 200.5,
    tickAt: '2026-03-02T14:30:00.250Z',
    triggeredAt: '2026-03-02T14:30:00.400Z',
    condition: { type: 'crosses_above', value: 200 },
    message: 'AAPL$US crossed above 200: last 200.5 at 2026-03-02T14:30:00.250Z',
    note: null,
    ...overrides,
  };
}

/** User text that breaks any markup it is pasted into unescaped. */
export const HOSTILE_TEXT = `<script>alert("x")</script> & <b>bold</b> 'quote' &amp; 1 < 2 > 0`;

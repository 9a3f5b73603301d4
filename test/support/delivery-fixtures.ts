/** A claimed alert as the notifier hands it to the channels, for the delivery tests. */
import type { DeliverableAlert } from '../../core/delivery/deliverable-alert';
import type { Alert } from '../../core/rule-model';

/** Overrides of the alert's fields, its owner, channels and note. */
export type DeliverableOverrides = Partial<Alert> & Partial<Pick<DeliverableAlert, 'owner' | 'channels' | 'note'>>;

export function aDeliverable({ owner = 'owner-1', channels = [], note = null, ...alert }: DeliverableOverrides = {}): DeliverableAlert {
  return {
    owner,
    channels,
    note,
    alert: {
      id: 'A1b2C3d4E5f6G7h8I9j0K1',
      ruleId: 'R1b2C3d4E5f6G7h8I9j0K1',
      symbol: 'AAPL$US',
      price: 200.5,
      condition: { type: 'crosses_above', value: 200 },
      message: 'AAPL$US crossed above 200: last 200.5 at 2026-03-02T14:30:00.250Z',
      tickAt: '2026-03-02T14:30:00.250Z',
      triggeredAt: '2026-03-02T14:30:00.400Z',
      deliveries: [],
      ...alert,
    },
  };
}

/** User text that breaks any markup it is pasted into unescaped. */
export const HOSTILE_TEXT = `<script>alert("x")</script> & <b>bold</b> 'quote' &amp; 1 < 2 > 0`;

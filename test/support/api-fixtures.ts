/** Rules and alerts for the storage and API tests. */
import type { Alert } from '../../core/rule-model';
import { newId } from '../../storage/random-ids';
import type { RuleRecord } from '../../storage/rules-repository';

export const T0 = new Date('2026-03-02T14:30:00.000Z');

/** A stored rule as the API would create it. */
export function ruleRecord(owner: string, overrides: Partial<RuleRecord> = {}): RuleRecord {
  return {
    id: newId(),
    owner,
    symbol: 'AAPL$US',
    condition: { type: 'crosses_above', value: 200 },
    trigger: 'rearm',
    cooldownSeconds: 300,
    expiresAt: null,
    channels: [{ type: 'email', to: 'me@example.com' }],
    message: null,
    note: null,
    pausedReason: null,
    snoozedUntil: null,
    status: 'active',
    createdAt: T0.toISOString(),
    updatedAt: T0.toISOString(),
    lastTriggeredAt: null,
    triggerCount: 0,
    version: 1,
    armed: true,
    ...overrides,
  };
}

/** A body for `POST /rules`. */
export function createRuleBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    symbol: 'aapl$us',
    condition: { type: 'crosses_above', value: 200 },
    channels: [{ type: 'email', to: 'me@example.com' }],
    ...overrides,
  };
}

export function alert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: newId(),
    ruleId: newId(),
    symbol: 'AAPL$US',
    price: 200.5,
    condition: { type: 'crosses_above', value: 200 },
    message: 'AAPL$US crossed 200 at 200.5',
    tickAt: T0.toISOString(),
    triggeredAt: T0.toISOString(),
    deliveries: [
      { channel: 'email', status: 'pending', attempts: 0 },
      { channel: 'webhook', status: 'pending', attempts: 0 },
    ],
    ...overrides,
  };
}

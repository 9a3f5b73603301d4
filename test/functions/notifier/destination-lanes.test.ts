/** DestinationLanes: a failing destination's lane opens, answers at once with the time left, probes once, and never touches another destination. */
import { describe, expect, it } from 'vitest';
import { destinationKey } from '../../../core/channels/registry';
import { DestinationLanes } from '../../../functions/notifier/destination-lanes';

describe('DestinationLanes', () => {
  it('opens after consecutive retryable failures, probes once, closes on success; other lanes unaffected', () => {
    let now = 0;
    const lanes = new DestinationLanes(() => now, { failuresToOpen: 2, openMs: 1_000, maxOpenMs: 4_000 });
    const bad = destinationKey({ type: 'telegram', chatId: '1' });
    const good = destinationKey({ type: 'telegram', chatId: '2' });
    lanes.settle(bad, 'retryable');
    expect(lanes.admit(bad)).toEqual({ go: true });
    lanes.settle(bad, 'retryable');
    expect(lanes.admit(bad)).toEqual({ go: false, retryAfterMs: 1_000 });
    expect(lanes.admit(good)).toEqual({ go: true });
    now = 1_000;
    expect(lanes.admit(bad)).toEqual({ go: true });
    expect(lanes.admit(bad).go).toBe(false);
    lanes.settle(bad, 'retryable');
    expect(lanes.admit(bad)).toEqual({ go: false, retryAfterMs: 2_000 });
    now = 3_000;
    expect(lanes.admit(bad)).toEqual({ go: true });
    lanes.settle(bad, 'sent');
    expect(lanes.admit(bad)).toEqual({ go: true });
    expect(lanes.openCount).toBe(0);
  });

  it('does not count permanent failures', () => {
    const lanes = new DestinationLanes(() => 0, { failuresToOpen: 1, openMs: 1_000, maxOpenMs: 1_000 });
    const d = destinationKey({ type: 'email', to: 'A@x.io' });
    lanes.settle(d, 'permanent');
    expect(lanes.admit(d)).toEqual({ go: true });
  });
});

describe('destinationKey', () => {
  it('names a destination by its type and address, emails case-insensitively', () => {
    expect(destinationKey({ type: 'telegram', chatId: '-100123' })).toBe('telegram:-100123');
    expect(destinationKey({ type: 'email', to: 'Me@Example.com' })).toBe('email:me@example.com');
    expect(destinationKey({ type: 'webhook', url: 'https://example.com/Hook' })).toBe('webhook:https://example.com/Hook');
    expect(destinationKey({ type: 'dashboard' })).toBe('dashboard');
  });
});

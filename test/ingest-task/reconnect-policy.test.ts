import { describe, expect, it } from 'vitest';
import { ReconnectPolicy, reconnectDefaults, type ReconnectSettings } from '../../ingest-task/src/reconnect-policy';

const settings: ReconnectSettings = {
  reconnect: { initialMs: 100, maxMs: 400 },
  refusedBackoffMs: 10_000,
  knockedOffWithinMs: 1_000,
  knockedOff: { initialMs: 5_000, maxMs: 20_000 },
};
/** Waits at their shortest (half the step) or their longest (all of it). */
const shortest = () => 0;
const longest = () => 0.999999;

describe('the reconnect policy', () => {
  it('backs off 1 s doubling to 60 s, ~5 min after a refused token and 1 to 10 min after a knock-off by default', () => {
    expect(reconnectDefaults).toEqual({
      reconnect: { initialMs: 1_000, maxMs: 60_000 },
      refusedBackoffMs: 300_000,
      knockedOffWithinMs: 10_000,
      knockedOff: { initialMs: 60_000, maxMs: 600_000 },
    });
  });

  it('doubles the wait after each failed attempt up to the cap, between half and all of each step', () => {
    const low = new ReconnectPolicy(settings, shortest);
    expect([1, 2, 3, 4].map(() => low.closed({ wasReady: false, cause: undefined }, 0).delayMs)).toEqual([50, 100, 200, 200]);
    const high = new ReconnectPolicy(settings, longest);
    expect([1, 2, 3, 4].map(() => high.closed({ wasReady: false, cause: undefined }, 0))).toMatchObject([
      { kind: 'reconnect', delayMs: 100, attempt: 1 },
      { kind: 'reconnect', delayMs: 200, attempt: 2 },
      { kind: 'reconnect', delayMs: 400, attempt: 3 },
      { kind: 'reconnect', delayMs: 400, attempt: 4 },
    ]);
  });

  it('starts the backoff over once a connection has been up', () => {
    const policy = new ReconnectPolicy(settings, shortest);
    policy.closed({ wasReady: false, cause: undefined }, 0);
    policy.closed({ wasReady: false, cause: undefined }, 0);
    policy.authenticated(10_000);
    expect(policy.closed({ wasReady: true, cause: undefined }, 15_000)).toEqual({ kind: 'reconnect', delayMs: 50, upMs: 5_000, attempt: 1 });
  });

  it('reconnects at once after closing the socket itself to resubscribe', () => {
    const policy = new ReconnectPolicy(settings, longest);
    policy.authenticated(0);
    expect(policy.closed({ wasReady: true, cause: 'resubscribe' }, 500)).toMatchObject({ kind: 'reconnect', delayMs: 0 });
  });

  it('takes a close soon after authenticating for a knock-off and backs off for long, longer each time in a row', () => {
    const policy = new ReconnectPolicy(settings, shortest);
    policy.authenticated(0);
    expect(policy.closed({ wasReady: true, cause: undefined }, 400)).toEqual({ kind: 'knocked-off', delayMs: 2_500, upMs: 400, knockOffs: 1 });
    policy.authenticated(10_000);
    expect(policy.closed({ wasReady: true, cause: undefined }, 10_100)).toMatchObject({ kind: 'knocked-off', delayMs: 5_000, knockOffs: 2 });
    // A connection that lived past the knock-off window counts them from zero again.
    policy.authenticated(20_000);
    expect(policy.closed({ wasReady: true, cause: undefined }, 30_000)).toMatchObject({ kind: 'reconnect' });
    policy.authenticated(40_000);
    expect(policy.closed({ wasReady: true, cause: undefined }, 40_100)).toMatchObject({ kind: 'knocked-off', knockOffs: 1 });
  });

  it('does not take a close it caused itself for a knock-off', () => {
    const policy = new ReconnectPolicy(settings, shortest);
    policy.authenticated(0);
    expect(policy.closed({ wasReady: true, cause: 'dead' }, 100)).toMatchObject({ kind: 'reconnect', delayMs: 50 });
  });

  it('waits between half and all of refusedBackoffMs after a refused token, and counts the refusals until authenticated', () => {
    expect(new ReconnectPolicy(settings, shortest).refused()).toEqual({ refusals: 1, retryInMs: 5_000 });
    const policy = new ReconnectPolicy(settings, longest);
    expect(policy.refused()).toEqual({ refusals: 1, retryInMs: 10_000 });
    expect(policy.refused().refusals).toBe(2);
    policy.authenticated(0);
    expect(policy.refused().refusals).toBe(1);
  });
});

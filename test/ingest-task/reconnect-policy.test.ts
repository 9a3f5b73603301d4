import { describe, expect, it } from 'vitest';
import { ReconnectPolicy, reconnectDefaults, saysKnockedOff, type ReconnectSettings } from '../../ingest-task/src/reconnect-policy';

const settings: ReconnectSettings = {
  reconnect: { initialMs: 100, maxMs: 400 },
  refusedBackoffMs: 10_000,
  knockedOffWithinMs: 1_000,
  knockOffsInARow: 3,
  knockOffWindowMs: 120_000,
  knockedOff: { initialMs: 5_000, maxMs: 20_000 },
};
/** Waits at their shortest (half the step) or their longest (all of it). */
const shortest = () => 0;
const longest = () => 0.999999;

/** Authenticates at `at` and closes (server side, no reason) `upMs` later. */
const quickClose = (policy: ReconnectPolicy, at: number, upMs = 200, said?: string) => {
  policy.authenticated(at);
  return policy.closed({ wasReady: true, cause: undefined, said }, at + upMs);
};

describe('the reconnect policy', () => {
  it('backs off 1 s doubling to 60 s, ~5 min after a refused token, and 1 to 10 min after three knock-offs within two minutes by default', () => {
    expect(reconnectDefaults).toEqual({
      reconnect: { initialMs: 1_000, maxMs: 60_000 },
      refusedBackoffMs: 300_000,
      knockedOffWithinMs: 10_000,
      knockOffsInARow: 3,
      knockOffWindowMs: 120_000,
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
    expect(policy.closed({ wasReady: true, cause: undefined }, 15_000)).toEqual({ kind: 'reconnect', delayMs: 50, upMs: 5_000, attempt: 1, quickCloses: 0 });
  });

  it('reconnects at once after closing the socket itself to resubscribe', () => {
    const policy = new ReconnectPolicy(settings, longest);
    policy.authenticated(0);
    expect(policy.closed({ wasReady: true, cause: 'resubscribe' }, 500)).toMatchObject({ kind: 'reconnect', delayMs: 0 });
  });

  it('takes one close right after authenticating for a drop, not a knock-off: the first backoff step', () => {
    // The measured bug: a single early drop waited 40 s, taken for another client on the key.
    const policy = new ReconnectPolicy(reconnectDefaults, longest);
    expect(quickClose(policy, 0, 300)).toEqual({ kind: 'reconnect', delayMs: 1_000, upMs: 300, attempt: 1, quickCloses: 1 });
    // A second one in a row still is (attempts start over: the connection did authenticate).
    expect(quickClose(policy, 5_000, 300)).toMatchObject({ kind: 'reconnect', delayMs: 1_000, quickCloses: 2 });
  });

  it('takes three quick closes in a row within the window for a knock-off, and backs off for long, longer each time', () => {
    const policy = new ReconnectPolicy(settings, shortest);
    quickClose(policy, 0);
    quickClose(policy, 10_000);
    expect(quickClose(policy, 20_000, 400)).toEqual({ kind: 'knocked-off', delayMs: 2_500, upMs: 400, knockOffs: 1, told: false });
    // After the long wait it is still knocked off at once: the count only starts over after a healthy connection.
    expect(quickClose(policy, 30_000)).toMatchObject({ kind: 'knocked-off', delayMs: 5_000, knockOffs: 2 });
  });

  it('does not count quick closes spread over more than the window', () => {
    const policy = new ReconnectPolicy(settings, shortest);
    quickClose(policy, 0);
    quickClose(policy, 70_000);
    // The first has left the two-minute window: two in it, not three.
    expect(quickClose(policy, 140_000)).toMatchObject({ kind: 'reconnect', quickCloses: 2 });
    expect(quickClose(policy, 150_000)).toMatchObject({ kind: 'knocked-off', knockOffs: 1 });
  });

  it('starts counting over after a healthy connection', () => {
    const policy = new ReconnectPolicy(settings, shortest);
    quickClose(policy, 0);
    quickClose(policy, 1_000);
    quickClose(policy, 2_000);
    // Up for longer than knockedOffWithinMs: healthy.
    expect(quickClose(policy, 10_000, 5_000)).toMatchObject({ kind: 'reconnect', quickCloses: 0 });
    expect(quickClose(policy, 20_000)).toMatchObject({ kind: 'reconnect', quickCloses: 1 });
    expect(quickClose(policy, 21_000)).toMatchObject({ kind: 'reconnect', quickCloses: 2 });
    expect(quickClose(policy, 22_000)).toMatchObject({ kind: 'knocked-off', knockOffs: 1 });
  });

  it('backs off for long at once when the server says another client took over', () => {
    const policy = new ReconnectPolicy(settings, shortest);
    expect(quickClose(policy, 0, 30_000, 'another connection with the same key')).toMatchObject({ kind: 'knocked-off', knockOffs: 1, told: true });
    // Even before authenticating.
    expect(new ReconnectPolicy(settings, shortest).closed({ wasReady: false, cause: undefined, said: 'kicked: logged in elsewhere' }, 0)).toMatchObject({ kind: 'knocked-off', told: true });
  });

  it('does not take a close it caused itself for a knock-off', () => {
    const policy = new ReconnectPolicy(settings, shortest);
    for (let i = 0; i < 5; i += 1) {
      policy.authenticated(i * 1_000);
      expect(policy.closed({ wasReady: true, cause: 'dead' }, i * 1_000 + 100)).toMatchObject({ kind: 'reconnect', delayMs: 50, quickCloses: 0 });
    }
  });

  it('recognises what a server may say about another client on the key, and nothing else', () => {
    for (const text of [
      'another connection with the same key',
      'Another client connected',
      'You have logged in elsewhere',
      'login from another device',
      'duplicate login',
      'kicked by server',
      'the same token is already connected',
      '账号在其他地方登录',
      '异地登录',
    ]) {
      expect(saysKnockedOff(text), text).toBe(true);
    }
    for (const text of ['', undefined, 'shutting down', 'auth failed', 'server restart', 'exceeding the maximum subscription limit', 'going away']) {
      expect(saysKnockedOff(text), String(text)).toBe(false);
    }
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

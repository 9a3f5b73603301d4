/**
 * The connection lifecycle's reconnect policy: how long an iTick connection waits before it
 * connects again, and what kind of close it was. Pure (no socket, no timers, no logging): the
 * connection tells it what happened and schedules what it answers. New reconnect timing rules go
 * here.
 *
 * - The token refused: a retry every ~`refusedBackoffMs` (jittered), never a hot loop.
 * - Closed within `knockedOffWithinMs` of authenticating, for no reason of ours: another client on
 *   the same key knocked this one off (iTick allows one connection per key): the long
 *   `knockedOff` backoff, so that the two do not take turns knocking each other off.
 * - Any other close: the `reconnect` backoff, started over once a connection has been up; at
 *   once when we closed it ourselves to resubscribe.
 *
 * Every wait is core/retry.ts's equal-jitter backoff.
 */
import { backoffDelay, type Backoff, type Random } from '../../core/retry';

/** Why the connection itself closed the socket; `undefined` when the server or the network did. */
export type CloseCause = 'refused' | 'dead' | 'resubscribe' | 'timeout' | undefined;

export interface ReconnectSettings {
  reconnect: Backoff;
  /** After the token is refused. Minutes, not a hot loop. */
  refusedBackoffMs: number;
  /** A close this soon after authenticating counts as being knocked off by another client. */
  knockedOffWithinMs: number;
  knockedOff: Backoff;
}

/** iTick's defaults: 1 s doubling to 60 s; ~5 min after a refused token; 1 min doubling to 10 min after a knock-off within 10 s. */
export const reconnectDefaults: ReconnectSettings = {
  reconnect: { initialMs: 1_000, maxMs: 60_000 },
  refusedBackoffMs: 300_000,
  knockedOffWithinMs: 10_000,
  knockedOff: { initialMs: 60_000, maxMs: 600_000 },
};

/** What a close that was not a refused token calls for. */
export type ReconnectDecision =
  /** Another client on the same key: `knockOffs` in a row. */
  | { kind: 'knocked-off'; delayMs: number; upMs: number; knockOffs: number }
  | { kind: 'reconnect'; delayMs: number; upMs: number; attempt: number };

/**
 * The reconnect state of one connection.
 * @example
 * const policy = new ReconnectPolicy(reconnectDefaults, Math.random);
 * policy.authenticated(Date.now());
 * const { delayMs } = policy.closed({ wasReady: true, cause: undefined }, Date.now());
 */
export class ReconnectPolicy {
  private authedAt = 0;
  private attempts = 0;
  private knockOffs = 0;
  private refusals = 0;

  constructor(
    private readonly settings: ReconnectSettings,
    private readonly random: Random,
  ) {}

  /** The connection is authenticated at `now`. */
  authenticated(now: number): void {
    this.authedAt = now;
    this.refusals = 0;
  }

  /** The token was refused: the refusals in a row (1 the first time) and the wait before the next try. */
  refused(): { refusals: number; retryInMs: number } {
    this.refusals += 1;
    const step = this.settings.refusedBackoffMs;
    return { refusals: this.refusals, retryInMs: backoffDelay({ initialMs: step, maxMs: step }, 1, this.random) };
  }

  /** A close other than a refused token: `wasReady` when it had authenticated, `cause` as the connection knows it. */
  closed(close: { wasReady: boolean; cause: CloseCause }, now: number): ReconnectDecision {
    const upMs = close.wasReady ? now - this.authedAt : 0;
    if (close.wasReady && upMs < this.settings.knockedOffWithinMs && close.cause === undefined) {
      this.knockOffs += 1;
      return { kind: 'knocked-off', delayMs: backoffDelay(this.settings.knockedOff, this.knockOffs, this.random), upMs, knockOffs: this.knockOffs };
    }
    if (close.wasReady) {
      // The connection lived: start the backoff over.
      this.attempts = 0;
      if (upMs >= this.settings.knockedOffWithinMs) this.knockOffs = 0;
    }
    this.attempts += 1;
    const delayMs = close.cause === 'resubscribe' ? 0 : backoffDelay(this.settings.reconnect, this.attempts, this.random);
    return { kind: 'reconnect', delayMs, upMs, attempt: this.attempts };
  }
}

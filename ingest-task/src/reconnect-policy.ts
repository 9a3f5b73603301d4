/**
 * The connection lifecycle's reconnect policy: how long an iTick connection waits before it
 * connects again, and what kind of close it was. Pure (no socket, no timers, no logging): the
 * connection tells it what happened and schedules what it answers. New reconnect timing rules go
 * here.
 *
 * - The token refused: a retry every ~`refusedBackoffMs` (jittered), never a hot loop.
 * - One drop, at any moment (also a second after authenticating): the short `reconnect` backoff
 *   (0.5–1 s for the first attempt), so the feed is back and resubscribed within about 3 s. A
 *   single early close proves nothing: networks and servers restart too.
 * - Knocked off by another client on the same key (iTick allows one connection per key and per
 *   cluster): the long, loud `knockedOff` backoff, so that the two do not take turns knocking each
 *   other off. It is taken to be that only when the server says so (a close reason or notice
 *   matching {@link KNOCKED_OFF_PATTERN}) or when it repeats: `knockOffsInARow` closes in a row,
 *   each within `knockedOffWithinMs` of authenticating, all within `knockOffWindowMs`. A
 *   connection that stays up longer than `knockedOffWithinMs` starts the count over.
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
  /** A close this soon after authenticating is a quick close: a knock-off when it repeats. */
  knockedOffWithinMs: number;
  /** This many quick closes in a row are a knock-off. */
  knockOffsInARow: number;
  /** … when they all fall within this window. */
  knockOffWindowMs: number;
  knockedOff: Backoff;
}

/**
 * The defaults: 1 s doubling to 60 s; ~5 min after a refused token; after a knock-off (three closes
 * within 10 s of authenticating, within two minutes, or the server saying so) 1 min doubling to 10 min.
 */
export const reconnectDefaults: ReconnectSettings = {
  reconnect: { initialMs: 1_000, maxMs: 60_000 },
  refusedBackoffMs: 300_000,
  knockedOffWithinMs: 10_000,
  knockOffsInARow: 3,
  knockOffWindowMs: 120_000,
  knockedOff: { initialMs: 60_000, maxMs: 600_000 },
};

/**
 * What a server says when another client took the key over: a close reason or a notice naming
 * another connection, client, device or login, a login elsewhere, the same key or token in use, a
 * duplicate login, being kicked, knocked or squeezed off (also in Chinese, iTick's first language).
 * iTick documents no such message; these are tolerant guesses, and a miss only means the knock-off
 * is recognised by its repetition instead.
 */
export const KNOCKED_OFF_PATTERN =
  /another\s+(client|connection|device|login|session|user)|(logged|log|signed|sign)\s*(in|on)\s+(elsewhere|somewhere else|from another|on another)|(login|logged in|connected)\s+(elsewhere|from another)|same\s+(key|token|account|api key)\s+(is\s+)?(in use|already|connected|used)|duplicate\s+(login|connection|session)|kicked|knocked\s+off|squeezed\s+off|(异地|其他地方|别处)登录|重复登录|被踢|挤下线|另一个连接/i;

/** Whether a close reason or server notice says another client took the connection over. */
export function saysKnockedOff(text: string | undefined): boolean {
  return text !== undefined && text !== '' && KNOCKED_OFF_PATTERN.test(text);
}

/** What a close that was not a refused token calls for. */
export type ReconnectDecision =
  /** Another client on the same key: the `knockOffs`-th long backoff in a row; `told` when the server said so. */
  | { kind: 'knocked-off'; delayMs: number; upMs: number; knockOffs: number; told: boolean }
  /** Reconnect soon; `quickCloses` counts the closes in a row within `knockedOffWithinMs` of authenticating (0 when this was none). */
  | { kind: 'reconnect'; delayMs: number; upMs: number; attempt: number; quickCloses: number };

export interface Close {
  /** It had authenticated. */
  wasReady: boolean;
  /** Why the connection closed it itself, as it knows it. */
  cause: CloseCause;
  /** The close reason or the last notice the server sent, if any. */
  said?: string | undefined;
}

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
  /** Long backoffs in a row, since the last healthy connection. */
  private knockOffs = 0;
  /** When the quick closes since the last healthy connection happened. */
  private quickCloses: number[] = [];
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

  /** A close other than a refused token. */
  closed(close: Close, now: number): ReconnectDecision {
    const { knockedOffWithinMs, knockOffsInARow, knockOffWindowMs } = this.settings;
    const upMs = close.wasReady ? now - this.authedAt : 0;
    const told = saysKnockedOff(close.said);
    // Only a close of the server's or the network's counts; ours (no pong, resubscribe) never does.
    const quick = close.wasReady && close.cause === undefined && upMs < knockedOffWithinMs;
    if (close.wasReady && upMs >= knockedOffWithinMs) {
      // A healthy connection: whatever came before it is forgotten.
      this.quickCloses = [];
      this.knockOffs = 0;
    }
    if (quick || told) {
      this.quickCloses = [...this.quickCloses.filter((at) => now - at <= knockOffWindowMs), now];
      if (told || this.quickCloses.length >= knockOffsInARow) {
        this.knockOffs += 1;
        this.attempts = 0;
        return { kind: 'knocked-off', delayMs: backoffDelay(this.settings.knockedOff, this.knockOffs, this.random), upMs, knockOffs: this.knockOffs, told };
      }
    }
    // The connection lived (even briefly): start the backoff over, so one drop costs about a second.
    if (close.wasReady) this.attempts = 0;
    this.attempts += 1;
    const delayMs = close.cause === 'resubscribe' ? 0 : backoffDelay(this.settings.reconnect, this.attempts, this.random);
    return { kind: 'reconnect', delayMs, upMs, attempt: this.attempts, quickCloses: quick ? this.quickCloses.length : 0 };
  }
}

/**
 * One lane per destination (a chat id, an email address, a webhook URL; core/channels/registry.ts
 * `destinationKey`): a circuit breaker of that destination alone, kept per notifier instance, so a
 * destination that keeps failing stops being sent to for a while and its messages go back to the
 * queue at once (with the time left as their retry delay) instead of spending the invocation's
 * time, and so the time of the deliveries queued behind it, on sends bound to fail.
 *
 * Semantics as cockatiel's ConsecutiveBreaker with halfOpenAfter, but with the time left exposed
 * (cockatiel's BrokenCircuitError does not say when to come back), and pure over an injected clock:
 * - closed: sends go; `failuresToOpen` retryable failures in a row open the lane;
 * - open for `openMs` (doubling on each failed probe, at most `maxOpenMs`): every send is refused;
 * - then half-open: one probe goes, the others are refused; a success closes the lane.
 * Only retryable failures count: a permanent one (bad address) is that delivery's, not the lane's.
 */
import { DEFAULT_LANE_SETTINGS, type LaneSettings } from '../shared/delivery-queue-settings';

/** Forget closed, failure-free lanes once this many destinations are tracked. */
const PRUNE_ABOVE = 5_000;

export type LaneAdmission = { go: true } | { go: false; retryAfterMs: number };

interface LaneState {
  failures: number;
  /** 0: closed. */
  openUntil: number;
  /** How long the lane opened for last time (the next opening doubles it). */
  lastOpenMs: number;
  probing: boolean;
}

export class DestinationLanes {
  private readonly lanes = new Map<string, LaneState>();

  constructor(
    private readonly now: () => number,
    readonly settings: LaneSettings = DEFAULT_LANE_SETTINGS,
  ) {}

  /** May a send to `destination` go now? A yes in half-open makes the caller the lane's one probe. */
  admit(destination: string): LaneAdmission {
    const lane = this.lanes.get(destination);
    if (lane === undefined || lane.openUntil === 0) return { go: true };
    const left = lane.openUntil - this.now();
    if (left > 0) return { go: false, retryAfterMs: left };
    if (lane.probing) return { go: false, retryAfterMs: Math.max(1_000, Math.ceil(lane.lastOpenMs / 10)) };
    lane.probing = true;
    return { go: true };
  }

  /** How the admitted send ended (`skipped`: it was not sent after all). */
  settle(destination: string, outcome: 'sent' | 'retryable' | 'permanent' | 'skipped'): void {
    const lane = this.lanes.get(destination);
    if (outcome === 'skipped') {
      // Admitted but not sent (it waits for a pacing slot): a probe's turn passes to the next send.
      if (lane !== undefined) lane.probing = false;
      return;
    }
    if (outcome !== 'retryable') {
      if (lane !== undefined && (outcome === 'sent' || lane.probing)) this.lanes.delete(destination);
      return;
    }
    const state = lane ?? this.track(destination);
    state.failures++;
    if (state.probing) {
      state.probing = false;
      state.lastOpenMs = Math.min(this.settings.maxOpenMs, state.lastOpenMs * 2);
      state.openUntil = this.now() + state.lastOpenMs;
    } else if (state.openUntil === 0 && state.failures >= this.settings.failuresToOpen) {
      state.lastOpenMs = this.settings.openMs;
      state.openUntil = this.now() + state.lastOpenMs;
    }
  }

  /** For logs and tests: open (or half-open) lanes. */
  get openCount(): number {
    let open = 0;
    for (const lane of this.lanes.values()) if (lane.openUntil !== 0) open++;
    return open;
  }

  private track(destination: string): LaneState {
    if (this.lanes.size >= PRUNE_ABOVE) {
      for (const [key, lane] of this.lanes) if (lane.openUntil === 0 && !lane.probing) this.lanes.delete(key);
    }
    const state: LaneState = { failures: 0, openUntil: 0, lastOpenMs: this.settings.openMs, probing: false };
    this.lanes.set(destination, state);
    return state;
  }
}

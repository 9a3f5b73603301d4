/**
 * The simulator's REST rate limit: at most N calls per token in any 60 seconds (a sliding
 * window), as a plan's "calls per minute" reads. A call past it is refused with the seconds until
 * the oldest call in the window leaves it, which the simulator sends as `Retry-After`. iTick
 * documents no limit or 429 (test/fixtures/itick/README.md, "Limits"); this is the behaviour the
 * project's REST budget is built to honour. Pure: times are arguments.
 */

const WINDOW_MS = 60_000;

export type BudgetDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

export class RestBudget {
  private readonly calls = new Map<string, number[]>();

  /** `undefined`: no limit. */
  constructor(private perMinute: number | undefined) {}

  setPerMinute(perMinute: number | undefined): void {
    this.perMinute = perMinute;
  }

  /**
   * Counts a call of `token` at `now` when the window has room for it.
   * @example
   * const budget = new RestBudget(2);
   * budget.take('t', 0); budget.take('t', 1_000); // both { ok: true }
   * budget.take('t', 2_000); // { ok: false, retryAfterSeconds: 58 }
   */
  take(token: string, now: number): BudgetDecision {
    const limit = this.perMinute;
    if (limit === undefined) return { ok: true };
    const recent = (this.calls.get(token) ?? []).filter((at) => at > now - WINDOW_MS);
    if (recent.length >= limit) {
      this.calls.set(token, recent);
      const oldest = recent[0] ?? now;
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000)) };
    }
    recent.push(now);
    this.calls.set(token, recent);
    return { ok: true };
  }
}

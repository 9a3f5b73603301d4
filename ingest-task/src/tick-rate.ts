/**
 * Trades received per second over the last minute, for the heartbeat (and from it the CloudWatch
 * dashboard): a cumulative counter sampled at each heartbeat, the rate taken between the newest
 * sample and the oldest one still inside the window.
 */
export class TickRate {
  /** [epoch ms, cumulative ticks], oldest first. */
  private readonly samples: Array<readonly [number, number]> = [];

  constructor(private readonly windowMs = 60_000) {}

  /**
   * Records the counter at `at` and answers the rate, to 0.1 tick/s (0 until two samples).
   * @example rate.sample(0, 0); rate.sample(5_000, 1_000) // 200
   */
  sample(at: number, total: number): number {
    this.samples.push([at, total]);
    // Keep one sample at or before the window's start, so the rate spans the whole window.
    while (this.samples.length > 2 && (this.samples[1]?.[0] ?? at) <= at - this.windowMs) this.samples.shift();
    const [fromAt, fromTotal] = this.samples[0] ?? [at, total];
    if (at <= fromAt) return 0;
    return Math.round(((total - fromTotal) * 10_000) / (at - fromAt)) / 10;
  }
}

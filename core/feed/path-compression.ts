/**
 * Exact compression of a symbol's price path within one batch window.
 *
 * The engine judges edge conditions on the moves between consecutive points and level conditions
 * at points, with cooldowns, expiry and rolling windows counted in whole seconds of tick time
 * (see core/engine). A point can therefore be dropped without changing what fires when it lies
 * inside a one-directional run *and* inside a second that has a kept point before and after it:
 * every level crossed inside a monotonic run is crossed by the run's end points, and every
 * per-second minimum, maximum and eligibility test sees the same prices. So the compressor keeps:
 *
 * - every turning point (local extreme), in order;
 * - the first and the last point of every second;
 * - the last point.
 *
 * The volume of a dropped point is added to the next kept point, so volumes per second stay exact.
 * Between two kept points the raw path is monotonic within one second; that invariant is what
 * makes the compression exact for every single condition. Composite conditions that mix a window
 * condition (`moves_*_pct`, `volume_spike`) with price conditions can see a moment between two
 * kept points differently, so the compressor keeps the path verbatim up to `rawBudget` points per
 * window and only drops points beyond it: exact in practice, bounded always.
 */
import { secondOf as second } from '../tick-time';
import type { PricePointTuple } from './batch-event';

/** Points of a window kept verbatim before the compressor starts dropping interior points. */
export const DEFAULT_RAW_BUDGET = 64;

/** Streaming compressor for one symbol's path. */
export class PathCompressor {
  private points: PricePointTuple[] = [];
  private ticks = 0;

  constructor(private readonly rawBudget = DEFAULT_RAW_BUDGET) {}

  /** Adds a trade. Ticks must arrive in order; a tick older than the last point is taken as at the last point's time. */
  add(price: number, at: number, volume: number): void {
    this.ticks += 1;
    const points = this.points;
    const n = points.length;
    const last = points[n - 1];
    if (last !== undefined) {
      if (at < last[1]) at = last[1];
      const before = points[n - 2];
      if (n >= this.rawBudget && before !== undefined && second(before[1]) === second(last[1]) && second(last[1]) === second(at)) {
        const inside = (before[0] <= last[0] && last[0] <= price) || (before[0] >= last[0] && last[0] >= price);
        if (inside) {
          points.pop();
          volume += last[2];
        }
      }
    }
    points.push([price, at, volume]);
  }

  /** Number of ticks added since the last {@link take}. */
  get tickCount(): number {
    return this.ticks;
  }

  /** Number of points kept. */
  get size(): number {
    return this.points.length;
  }

  get lastPoint(): PricePointTuple | undefined {
    return this.points[this.points.length - 1];
  }

  /** Returns the kept points and starts a new window. */
  take(): PricePointTuple[] {
    const taken = this.points;
    this.points = [];
    this.ticks = 0;
    return taken;
  }

  /**
   * Prepends an earlier window's points (a batch whose hand-over failed) so that they are sent
   * again, in order, with the next batch. The join is compressed like any other point.
   */
  prepend(earlier: readonly PricePointTuple[]): void {
    const later = this.points;
    const ticks = this.ticks;
    this.points = [];
    this.ticks = 0;
    for (const [price, at, volume] of [...earlier, ...later]) this.add(price, at, volume);
    this.ticks = ticks + earlier.length;
  }
}

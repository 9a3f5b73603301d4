/**
 * A token bucket: holds up to `capacity` tokens, refills continuously at `capacity` per
 * `periodMs`, one token per message. Time is passed in, so the bucket is pure and testable.
 */
import type { BucketLimit } from '../../../core/channels/definition';

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private blockedUntil = 0;

  constructor(
    readonly limit: BucketLimit,
    now: number,
  ) {
    this.tokens = limit.capacity;
    this.updatedAt = now;
  }

  private refill(now: number): void {
    if (now > this.updatedAt) {
      this.tokens = Math.min(this.limit.capacity, this.tokens + ((now - this.updatedAt) * this.limit.capacity) / this.limit.periodMs);
      this.updatedAt = now;
    }
  }

  /** Milliseconds until a token is available (0: now). */
  waitMs(now: number): number {
    this.refill(now);
    const blocked = Math.max(0, this.blockedUntil - now);
    const missing = 1 - this.tokens;
    // A tiny epsilon: float refill can leave 0.9999999 tokens where exactly 1 was meant.
    const refillWait = missing <= 1e-9 ? 0 : Math.ceil((missing * this.limit.periodMs) / this.limit.capacity);
    return Math.max(blocked, refillWait);
  }

  /** Takes a token; call only when waitMs(now) is 0. */
  take(now: number): void {
    this.refill(now);
    this.tokens = Math.max(0, this.tokens - 1);
  }

  /** Empties the bucket and refuses tokens until `until` (the far side said "slow down"). */
  block(until: number, now: number): void {
    this.refill(now);
    this.tokens = 0;
    this.blockedUntil = Math.max(this.blockedUntil, until);
  }

  /** Full and not blocked: indistinguishable from a new bucket, so it may be forgotten. */
  isIdle(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.limit.capacity - 1e-9 && this.blockedUntil <= now;
  }
}

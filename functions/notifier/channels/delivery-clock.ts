/**
 * Time as a port: the senders wait (backoff, retry_after, rate limits) through this, so tests run
 * the real waiting logic on a fast or manual clock instead of sleeping for real.
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms) => {
    if (ms > 0) await delay(ms);
  },
};

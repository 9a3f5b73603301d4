/** Clocks for the delivery tests: the senders' real waiting logic, without real waiting. */
import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../../functions/notifier/channels/delivery-clock';

/**
 * Virtual time that runs `factor` times faster than real time. `sleep(ms)` returns once `now()`
 * has moved on by at least `ms`, so lower bounds on waits hold exactly in virtual time.
 */
export function fastClock(factor: number): Clock {
  const startEpoch = Date.now();
  const startReal = performance.now();
  const now = () => startEpoch + (performance.now() - startReal) * factor;
  return {
    now,
    sleep: async (ms) => {
      const until = now() + ms;
      while (now() < until) await delay(Math.max(1, Math.ceil((until - now()) / factor)));
    },
  };
}

/** A clock that only moves when someone sleeps on it: for sequential, deterministic tests. */
export function manualClock(start = 0): Clock & { sleeps: number[] } {
  let time = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => time,
    sleep: async (ms) => {
      sleeps.push(ms);
      time += ms;
    },
  };
}

/**
 * The REST budget as one process sees it (pure: a budget counted in memory, a clock the test
 * moves): callers are served in order, a caller that cannot wait is refused at once when the
 * budget is spent, waiting callers get the slots as the rolling minute frees them, a 429's pause
 * holds everyone, and a spent budget costs no store call per caller. The same decision
 * (decideSlot) never grants more than the limit in any window.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryRestBudgetStore, RestBudget, restBudgetTokenHash, type BudgetClock, type RestBudgetStore } from '../../../../functions/shared/itick-rest';
import { decideSlot, type SlotDecision } from '../../../../storage/rest-budget-repository';

/** A clock that moves only when someone sleeps (or the test says so). */
class ManualClock implements BudgetClock {
  constructor(public t = 1_000_000) {}
  readonly slept: number[] = [];
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.slept.push(ms);
    this.t += ms;
  }
}

/** Counts how often the store is asked. */
class CountingStore implements RestBudgetStore {
  takes = 0;
  constructor(readonly inner: MemoryRestBudgetStore) {}
  take(now: number): Promise<SlotDecision> {
    this.takes += 1;
    return this.inner.take(now);
  }
  pause(until: number): Promise<void> {
    return this.inner.pause(until);
  }
}

const WINDOW = { limit: 5, windowMs: 60_000 };

function budgetOf(clock = new ManualClock()) {
  const store = new CountingStore(new MemoryRestBudgetStore(WINDOW));
  return { clock, store, budget: new RestBudget(store, { perMinute: 5, windowMs: 60_000 }, clock) };
}

describe('RestBudget', () => {
  it('grants the limit, then refuses a caller that cannot wait at once, with the time a slot frees', async () => {
    const { clock, budget } = budgetOf();
    const start = clock.t;
    for (let i = 0; i < 5; i += 1) {
      expect(await budget.acquire(0)).toEqual({ granted: true });
      clock.t += 1000;
    }
    expect(await budget.acquire(0)).toEqual({ granted: false, retryAt: start + 60_000, why: 'spent' });
  });

  it('asks the store no more once it knows the budget is spent: many refused callers, one store call', async () => {
    const { budget, store } = budgetOf();
    await Promise.all(Array.from({ length: 5 }, () => budget.acquire(0)));
    const takes = store.takes;
    const refusals = await Promise.all(Array.from({ length: 50 }, () => budget.acquire(0)));
    expect(refusals.every((a) => !a.granted)).toBe(true);
    expect(store.takes - takes).toBe(1);
  });

  it('serves zero-wait callers behind a granted one (their turn at the store, not a refusal)', async () => {
    const { budget } = budgetOf();
    const answers = await Promise.all(Array.from({ length: 7 }, () => budget.acquire(0)));
    expect(answers.map((a) => a.granted)).toEqual([true, true, true, true, true, false, false]);
  });

  it('lets callers that can wait queue in order and get the slots as the window frees them', async () => {
    const { clock, budget } = budgetOf();
    const start = clock.t;
    const order: number[] = [];
    const calls = Array.from({ length: 8 }, (_, i) =>
      budget.acquire(120_000).then((answer) => {
        order.push(i);
        return { answer, at: clock.t };
      }),
    );
    const results = await Promise.all(calls);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(results.every((r) => r.answer.granted)).toBe(true);
    // The first five at once; the next three when the first grants leave the rolling minute.
    expect(results.map((r) => r.at - start)).toEqual([0, 0, 0, 0, 0, 60_000, 60_000, 60_000]);
  });

  it('refuses a waiting caller whose deadline comes before the next slot, and keeps the others waiting', async () => {
    const { clock, budget } = budgetOf();
    await Promise.all(Array.from({ length: 5 }, () => budget.acquire(0)));
    const [short, long] = await Promise.all([budget.acquire(10_000), budget.acquire(90_000)]);
    expect(short).toMatchObject({ granted: false, why: 'spent' });
    expect(long).toEqual({ granted: true });
    expect(clock.slept).toEqual([60_000]);
  });

  it("holds every caller until a 429's pause ends, even with slots left", async () => {
    const { clock, budget } = budgetOf();
    const until = clock.t + 30_000;
    await budget.pause(until);
    expect(await budget.acquire(0)).toEqual({ granted: false, retryAt: until, why: 'paused' });
    expect(await budget.acquire(60_000)).toEqual({ granted: true });
    expect(clock.t).toBe(until);
  });

  it('learns a pause another process stored (the store refuses with it)', async () => {
    const { clock, budget, store } = budgetOf();
    await store.inner.pause(clock.t + 5000);
    expect(await budget.acquire(0)).toEqual({ granted: false, retryAt: clock.t + 5000, why: 'paused' });
  });

  it('hands a store failure to the caller it was for, and serves the next one', async () => {
    const clock = new ManualClock();
    let fail = true;
    const inner = new MemoryRestBudgetStore(WINDOW);
    const store: RestBudgetStore = {
      take: async (now) => {
        if (fail) {
          fail = false;
          throw new Error('DynamoDB is down');
        }
        return inner.take(now);
      },
      pause: (until) => inner.pause(until),
    };
    const budget = new RestBudget(store, { perMinute: 5 }, clock);
    const [first, second] = await Promise.allSettled([budget.acquire(0), budget.acquire(0)]);
    expect(first).toMatchObject({ status: 'rejected', reason: new Error('DynamoDB is down') });
    expect(second).toEqual({ status: 'fulfilled', value: { granted: true } });
  });
});

describe('decideSlot', () => {
  it('never grants more than the limit in any window, whatever the times asked', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 60 }), (limit, gaps) => {
        const window = { limit, windowMs: 1_000 };
        let state = { grants: [] as number[], pausedUntil: 0 };
        const granted: number[] = [];
        let now = 0;
        for (const gap of gaps) {
          now += gap % 7 === 0 ? 0 : gap % 400;
          const decision = decideSlot(state, window, now);
          if (decision.granted) {
            state = { ...state, grants: decision.grants };
            granted.push(now);
          } else {
            expect(decision.retryAt).toBeGreaterThan(now);
          }
        }
        for (const at of granted) expect(granted.filter((g) => g > at - window.windowMs && g <= at).length).toBeLessThanOrEqual(limit);
      }),
    );
  });
});

describe('restBudgetTokenHash', () => {
  it('names a token by 32 hex digits that do not contain it', () => {
    const hash = restBudgetTokenHash('my-secret-token');
    expect(hash).toMatch(/^[0-9a-f]{32}$/);
    expect(hash).toBe(restBudgetTokenHash('my-secret-token'));
    expect(hash).not.toBe(restBudgetTokenHash('another-token'));
  });
});

/** The simulator's REST rate limit: N calls per token in any 60 s, then the seconds to wait. */
import { describe, expect, it } from 'vitest';
import { RestBudget } from '../../local/market-simulator/rest-budget';

describe("the simulator's REST budget", () => {
  it('allows N calls per token in any minute and says how long to wait past them', () => {
    const budget = new RestBudget(2);
    expect(budget.take('a', 0)).toEqual({ ok: true });
    expect(budget.take('a', 10_000)).toEqual({ ok: true });
    expect(budget.take('a', 20_000)).toEqual({ ok: false, retryAfterSeconds: 40 });
    // Each token has its own budget.
    expect(budget.take('b', 20_000)).toEqual({ ok: true });
    // The window slides: the first call leaves it a minute after it was made.
    expect(budget.take('a', 60_001)).toEqual({ ok: true });
    expect(budget.take('a', 60_002)).toEqual({ ok: false, retryAfterSeconds: 10 });
  });

  it('never asks for less than a second, and can be lifted or changed', () => {
    const budget = new RestBudget(1);
    budget.take('a', 0);
    expect(budget.take('a', 59_999)).toEqual({ ok: false, retryAfterSeconds: 1 });
    budget.setPerMinute(undefined);
    expect(budget.take('a', 59_999)).toEqual({ ok: true });
    budget.setPerMinute(0);
    expect(budget.take('b', 0)).toEqual({ ok: false, retryAfterSeconds: 60 });
  });
});

import { describe, expect, it } from 'vitest';
import { backoffDelay, retrying } from '../../core/retry';

describe('backoffDelay', () => {
  const backoff = { initialMs: 100, maxMs: 1_000 };

  it('doubles per retry, waiting between half and all of the step, capped at maxMs', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(backoff, n, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(backoff, n, () => 0.999999))).toEqual([100, 200, 400, 800, 1_000]);
  });

  it('never overflows on very high retry numbers', () => {
    expect(backoffDelay(backoff, 10_000, () => 0.5)).toBe(750);
  });
});

describe('retrying', () => {
  const fast = { initialMs: 1, maxMs: 2 };

  it('retries what retryOn accepts until it succeeds', async () => {
    let calls = 0;
    const result = await retrying(
      async () => {
        calls += 1;
        if (calls < 3) throw new Error('conflict');
        return 'ok';
      },
      { maxAttempts: 5, backoff: fast, retryOn: (e) => e instanceof Error && e.message === 'conflict' },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('makes at most maxAttempts calls in all, then throws the last error', async () => {
    let calls = 0;
    const failing = retrying(
      async () => {
        calls += 1;
        throw new Error(`conflict ${calls}`);
      },
      { maxAttempts: 4, backoff: fast, retryOn: () => true },
    );
    await expect(failing).rejects.toThrow('conflict 4');
    expect(calls).toBe(4);
  });

  it('rethrows at once what retryOn refuses', async () => {
    let calls = 0;
    const failing = retrying(
      async () => {
        calls += 1;
        throw new Error('condition failed');
      },
      { maxAttempts: 4, backoff: fast, retryOn: () => false },
    );
    await expect(failing).rejects.toThrow('condition failed');
    expect(calls).toBe(1);
  });
});

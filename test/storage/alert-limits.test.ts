/**
 * The alert limits' pure decisions (storage/alert-limits.ts): the flood guard's window and the
 * owner's per-minute admission, including the properties that make them safe to retry.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alertMinute, describeWindow, judgeFire, planAdmission } from '../../storage/alert-limits';

const GUARD = { fires: 15, windowMs: 180_000 };

describe('judgeFire', () => {
  it('lets 15 fires within 3 minutes through and makes the 16th the flood', () => {
    let stored;
    const verdicts = [];
    for (let i = 0; i < 16; i++) {
      const verdict = judgeFire(stored, 1, 1_000 * i, GUARD);
      verdicts.push(verdict.flood);
      stored = verdict.recent;
    }
    expect(verdicts).toEqual([...Array.from({ length: 15 }, () => false), true]);
    expect(stored?.at).toHaveLength(15);
  });

  it('forgets fires older than the window, and those of another rule version', () => {
    const stored = { version: 1, at: Array.from({ length: 15 }, (_, i) => i * 1_000) };
    expect(judgeFire(stored, 1, 180_000 + 1_000, GUARD).flood).toBe(false);
    expect(judgeFire(stored, 2, 20_000, GUARD).flood).toBe(false);
    expect(judgeFire(stored, 1, 20_000, GUARD).flood).toBe(true);
  });

  it('never floods with fires spaced wider than window / fires', () => {
    fc.assert(
      fc.property(fc.integer({ min: 12_001, max: 100_000 }), fc.integer({ min: 1, max: 60 }), (spacing, count) => {
        let stored;
        for (let i = 0; i < count; i++) {
          const verdict = judgeFire(stored, 1, i * spacing, GUARD);
          if (verdict.flood) return false;
          stored = verdict.recent;
        }
        return true;
      }),
    );
  });
});

describe('planAdmission', () => {
  const empty = { admitted: new Set<string>(), noticedBy: undefined };

  it('admits up to the limit, holds the rest, and makes the first held one the notice carrier', () => {
    const plan = planAdmission(empty, ['a', 'b', 'c', 'd', 'e'], 3);
    expect([...plan.decisions]).toEqual([['a', 'admitted'], ['b', 'admitted'], ['c', 'admitted'], ['d', 'notice'], ['e', 'held']]);
    expect(plan.add).toEqual(['a', 'b', 'c']);
    expect(plan.noticedBy).toBe('d');
  });

  it('answers a retry the same and adds nothing (same ids, same carrier)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { maxLength: 30 }), fc.integer({ min: 1, max: 10 }), (ids, limit) => {
        const first = planAdmission(empty, ids, limit);
        const again = planAdmission({ admitted: new Set(first.add), noticedBy: first.noticedBy }, ids, limit);
        expect([...again.decisions]).toEqual([...first.decisions]);
        expect(again.add).toEqual([]);
        expect(again.noticedBy).toBeUndefined();
      }),
    );
  });

  it('never admits more than the limit in a minute, whatever the batches', () => {
    fc.assert(
      fc.property(fc.array(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 3 }), { maxLength: 12 }), { maxLength: 6 }), fc.integer({ min: 1, max: 20 }), (batches, limit) => {
        let minute = { admitted: new Set<string>(), noticedBy: undefined as string | undefined };
        let notices = new Set<string>();
        for (const batch of batches) {
          const plan = planAdmission(minute, batch, limit);
          minute = { admitted: new Set([...minute.admitted, ...plan.add]), noticedBy: minute.noticedBy ?? plan.noticedBy };
          for (const [id, decision] of plan.decisions) if (decision === 'notice') notices.add(id);
        }
        expect(minute.admitted.size).toBeLessThanOrEqual(limit);
        expect(notices.size).toBeLessThanOrEqual(1);
        notices = new Set();
      }),
    );
  });
});

describe('helpers', () => {
  it('names the window and the minute an alert counts in', () => {
    expect([describeWindow(180_000), describeWindow(60_000), describeWindow(90_000)]).toEqual(['3 minutes', '1 minute', '90 seconds']);
    expect(alertMinute('2026-03-02T14:30:59.999Z')).toBe('2026-03-02T14:30');
  });
});

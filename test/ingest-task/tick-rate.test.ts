import { describe, expect, it } from 'vitest';
import { TickRate } from '../../ingest-task/src/tick-rate';

describe('TickRate', () => {
  it('answers 0 until it has two samples, then ticks per second between them', () => {
    const rate = new TickRate();
    expect(rate.sample(0, 0)).toBe(0);
    expect(rate.sample(5_000, 1_000)).toBe(200);
    expect(rate.sample(10_000, 1_500)).toBe(150);
  });

  it('spans the last minute: older samples drop out as new ones come', () => {
    const rate = new TickRate(60_000);
    for (let s = 0; s <= 60; s += 5) rate.sample(s * 1000, s * 100); // 100 ticks/s for a minute
    expect(rate.sample(65_000, 6_500 + 60_000)).toBeCloseTo((6_500 + 60_000 - 500) / 60, 1); // a burst in the last 5 s
    for (let s = 70; s <= 130; s += 5) rate.sample(s * 1000, 66_500); // then silence
    expect(rate.sample(135_000, 66_500)).toBe(0);
  });

  it('never divides by zero when two samples share a moment', () => {
    const rate = new TickRate();
    rate.sample(1_000, 10);
    expect(rate.sample(1_000, 20)).toBe(0);
  });
});

/**
 * Each condition type of api.md, judged through both engines (runBoth checks that the indexed
 * engine and the reference engine agree on every batch).
 */
import { describe, expect, it } from 'vitest';
import { firedPrices, points, rule, runBoth, SYMBOL, T0 } from '../../support/engine-fixtures';

describe('price_above / price_below (levels)', () => {
  it('fires when the price is strictly above the value, not when it is exactly at it', () => {
    const r = rule({ type: 'price_above', value: 200 });
    expect(firedPrices(runBoth([r], [points([199, 200, 200.01])]))).toEqual([200.01]);
  });

  it('fires on the first price after a start when the level already holds (levels have no baseline)', () => {
    const r = rule({ type: 'price_above', value: 200 });
    expect(firedPrices(runBoth([r], [points([205])]))).toEqual([205]);
  });

  it('price_below fires strictly below the value', () => {
    const r = rule({ type: 'price_below', value: 100 });
    expect(firedPrices(runBoth([r], [points([101, 100, 99.5])]))).toEqual([99.5]);
  });
});

describe('crosses_above / crosses_below / crosses (edges)', () => {
  it('crosses_above fires when the previous price is below and the price reaches the value exactly', () => {
    const r = rule({ type: 'crosses_above', value: 200 });
    expect(firedPrices(runBoth([r], [points([199, 200])]))).toEqual([200]);
  });

  it('crosses_above does not fire when the previous price was already at the value', () => {
    const r = rule({ type: 'crosses_above', value: 200 });
    expect(firedPrices(runBoth([r], [points([200, 201])]))).toEqual([]);
  });

  it('treats the first price seen as a baseline: no edge fires on it', () => {
    const r = rule({ type: 'crosses_above', value: 200 });
    expect(firedPrices(runBoth([r], [points([201]), points([202], T0 + 1000)]))).toEqual([]);
  });

  it('counts a crossing inside one batch (199 → 201 → 199 crosses 200)', () => {
    const up = rule({ type: 'crosses_above', value: 200 });
    const down = rule({ type: 'crosses_below', value: 200 });
    const run = runBoth([up, down], [points([199, 201, 199])]);
    expect(run.alerts.map((a) => [a.ruleId, a.price])).toEqual([
      [up.id, 201],
      [down.id, 199],
    ]);
  });

  it('equal consecutive prices at the value are not crossings', () => {
    const r = rule({ type: 'crosses', value: 200 });
    expect(firedPrices(runBoth([r], [points([200, 200, 200])]))).toEqual([]);
  });

  it('crosses_below fires when the previous price is above and the price reaches the value', () => {
    const r = rule({ type: 'crosses_below', value: 200 });
    expect(firedPrices(runBoth([r], [points([201, 200]), points([199], T0 + 1000)]))).toEqual([200]);
  });

  it('crosses fires in either direction', () => {
    const r = rule({ type: 'crosses', value: 200 });
    const run = runBoth([r], [points([199, 201]), points([199], T0 + 1000), points([202], T0 + 2000)]);
    expect(firedPrices(run)).toEqual([201, 199, 202]);
  });
});

describe('enters_channel / exits_channel', () => {
  const channel = { lower: 200, upper: 210 };

  it('enters from below at the lower bound and from above at the upper bound', () => {
    const r = rule({ type: 'enters_channel', ...channel });
    const run = runBoth([r], [points([195, 200]), points([215], T0 + 1000), points([210], T0 + 2000)]);
    expect(firedPrices(run)).toEqual([200, 210]);
  });

  it('does not fire for moves inside the channel or outside on one side', () => {
    const r = rule({ type: 'enters_channel', ...channel });
    expect(firedPrices(runBoth([r], [points([201, 209, 205]), points([211, 220], T0 + 1000)]))).toEqual([]);
  });

  it('a move straight through the channel both enters and exits it', () => {
    const enters = rule({ type: 'enters_channel', ...channel });
    const exits = rule({ type: 'exits_channel', ...channel });
    const run = runBoth([enters, exits], [points([190, 215])]);
    expect(run.alerts.map((a) => a.ruleId).sort()).toEqual([enters.id, exits.id].sort());
  });

  it('exits above the upper bound and below the lower bound, not at the bounds', () => {
    const r = rule({ type: 'exits_channel', ...channel });
    const run = runBoth([r], [points([205, 210]), points([210.5], T0 + 1000), points([205, 200], T0 + 2000), points([199.99], T0 + 3000)]);
    expect(firedPrices(run)).toEqual([210.5, 199.99]);
  });
});

describe('moves_up_pct / moves_down_pct', () => {
  const at = (second: number) => T0 + second * 1000;

  it('fires when the price has risen by the percent against the lowest price of the window', () => {
    const r = rule({ type: 'moves_up_pct', percent: 2, windowSeconds: 60 });
    const run = runBoth([r], [
      [{ price: 100, at: at(0), volume: 1 }],
      [{ price: 101.9, at: at(10), volume: 1 }],
      [{ price: 102, at: at(20), volume: 1 }],
    ]);
    expect(firedPrices(run)).toEqual([102]);
  });

  it('forgets lows that have left the window', () => {
    const short = rule({ type: 'moves_up_pct', percent: 2, windowSeconds: 60 });
    const long = rule({ type: 'moves_up_pct', percent: 2, windowSeconds: 120 });
    const run = runBoth([short, long], [
      [{ price: 100, at: at(0), volume: 1 }],
      [{ price: 101, at: at(30), volume: 1 }],
      [{ price: 102.01, at: at(70), volume: 1 }],
    ]);
    expect(run.alerts.map((a) => a.ruleId)).toEqual([long.id]);
  });

  it('moves_down_pct fires when the price has fallen by the percent against the window high', () => {
    const r = rule({ type: 'moves_down_pct', percent: 5, windowSeconds: 300 });
    const run = runBoth([r], [
      [{ price: 200, at: at(0), volume: 1 }],
      [{ price: 190.01, at: at(100), volume: 1 }],
      [{ price: 190, at: at(200), volume: 1 }],
    ]);
    expect(firedPrices(run)).toEqual([190]);
  });

  it('re-arms when the window slides past the low and the rise no longer holds', () => {
    const r = rule({ type: 'moves_up_pct', percent: 1, windowSeconds: 10 }, { trigger: 'rearm' });
    const run = runBoth([r], [
      [{ price: 100, at: at(0), volume: 1 }],
      [{ price: 101, at: at(5), volume: 1 }], // +1%: fires
      [{ price: 101, at: at(20), volume: 1 }], // the low of 100 has left the window: re-armed
      [{ price: 102.01, at: at(25), volume: 1 }], // +1% over 101: fires again
    ]);
    expect(firedPrices(run)).toEqual([101, 102.01]);
  });
});

describe('change_from_prev_close_pct', () => {
  const withClose = (prices: number[], prevClose: number, start = T0) => [{ symbol: SYMBOL, points: points(prices, start), prevClose }];

  it('fires when the change against the previous close reaches a positive percent', () => {
    const r = rule({ type: 'change_from_prev_close_pct', percent: 5 });
    expect(firedPrices(runBoth([r], [withClose([104.99, 105], 100)]))).toEqual([105]);
  });

  it('fires when the change reaches a negative percent', () => {
    const r = rule({ type: 'change_from_prev_close_pct', percent: -3 });
    expect(firedPrices(runBoth([r], [withClose([98, 97.5, 96], 100)]))).toEqual([96]);
  });

  it('never fires before the previous close is known', () => {
    const r = rule({ type: 'change_from_prev_close_pct', percent: 1 });
    expect(firedPrices(runBoth([r], [points([100, 150])]))).toEqual([]);
  });

  it('is judged again when a new previous close arrives', () => {
    const r = rule({ type: 'change_from_prev_close_pct', percent: 2 });
    const run = runBoth([r], [withClose([101], 100), withClose([101], 98, T0 + 1000)]);
    expect(firedPrices(run)).toEqual([101]);
  });
});

describe('volume_spike', () => {
  const at = (second: number) => T0 - (T0 % 10_000) + second * 1000;

  it('fires when the volume of the current window reaches the multiple of the average of the preceding windows', () => {
    const r = rule({ type: 'volume_spike', multiple: 2, windowSeconds: 10 });
    const quiet = [0, 10, 20, 30].map((s) => [{ price: 100, at: at(s), volume: 10 }]);
    const run = runBoth([r], [
      ...quiet, // windows 0-2 complete with 10 each; window 3 starts with 10
      [{ price: 100.1, at: at(31), volume: 9 }], // 19 < 20
      [{ price: 100.2, at: at(32), volume: 1 }], // 20 ≥ 2 × 10: fires
    ]);
    expect(firedPrices(run)).toEqual([100.2]);
  });

  it('needs three complete windows of history before it can fire', () => {
    const r = rule({ type: 'volume_spike', multiple: 2, windowSeconds: 10 });
    const run = runBoth([r], [[{ price: 100, at: at(0), volume: 10 }], [{ price: 100, at: at(10), volume: 10 }], [{ price: 100, at: at(20), volume: 500 }]]);
    expect(firedPrices(run)).toEqual([]);
  });
});

describe('all / any', () => {
  it('all fires when its conditions hold at one price of the move (crossing 200 while below 205)', () => {
    const r = rule({ type: 'all', conditions: [{ type: 'crosses_above', value: 200 }, { type: 'price_below', value: 205 }] });
    expect(firedPrices(runBoth([r], [points([199, 206])]))).toEqual([206]);
  });

  it('all does not fire when no single price satisfies every condition', () => {
    const r = rule({ type: 'all', conditions: [{ type: 'crosses_above', value: 200 }, { type: 'price_above', value: 201 }] });
    expect(firedPrices(runBoth([r], [points([199, 206])]))).toEqual([]);
  });

  it('all of two levels fires when a move passes through the zone they describe', () => {
    const r = rule({ type: 'all', conditions: [{ type: 'price_above', value: 200 }, { type: 'price_below', value: 210 }] });
    expect(firedPrices(runBoth([r], [points([195, 215])]))).toEqual([215]);
  });

  it('any fires when one of its conditions fires', () => {
    const r = rule({ type: 'any', conditions: [{ type: 'crosses_below', value: 180 }, { type: 'crosses_above', value: 220 }] }, { cooldownSeconds: 0 });
    const run = runBoth([r], [points([200, 221]), points([179], T0 + 1000)]);
    expect(firedPrices(run)).toEqual([221, 179]);
  });

  it('a paused rule (not in the active set) never fires', () => {
    const active = rule({ type: 'price_above', value: 1 });
    expect(firedPrices(runBoth([], [points([100])]))).toEqual([]);
    expect(firedPrices(runBoth([active], [points([100])]))).toEqual([100]);
  });
});

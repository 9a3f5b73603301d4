/** Trigger modes, cooldowns, expiry and the once-per-batch limit, through both engines. */
import { describe, expect, it } from 'vitest';
import { evaluateBatch, newEngineState, RuleIndex } from '../../../core/engine';
import { firedPrices, points, rule, runBoth, SYMBOL, T0 } from '../../support/engine-fixtures';

const sec = (s: number) => T0 + s * 1000;
const at = (s: number, price: number) => [{ price, at: sec(s), volume: 1 }];

describe('once', () => {
  it('fires once and is then consumed, whatever the price does', () => {
    const r = rule({ type: 'crosses_above', value: 200 }, { trigger: 'once' });
    const run = runBoth([r], [points([199, 201]), points([199, 201], sec(10)), points([199, 201], sec(20))]);
    expect(firedPrices(run)).toEqual([201]);
    expect(run.updates[0]).toEqual([{ ruleId: r.id, ruleVersion: 1, armed: true, firedAt: sec(0) + 100, consumed: true }]);
  });
});

describe('rearm', () => {
  it('a level fires, stays quiet while it holds, and fires again after it stopped holding', () => {
    const r = rule({ type: 'price_above', value: 200 }, { trigger: 'rearm', cooldownSeconds: 0 });
    const run = runBoth([r], [at(0, 201), at(1, 202), at(2, 203), at(3, 199), at(4, 201)]);
    expect(firedPrices(run)).toEqual([201, 201]);
  });

  it('records the disarm with the firing and the re-arm when the level stops holding', () => {
    const r = rule({ type: 'price_above', value: 200 }, { trigger: 'rearm', cooldownSeconds: 0 });
    const run = runBoth([r], [at(0, 201), at(1, 199)]);
    expect(run.updates).toEqual([
      [{ ruleId: r.id, ruleVersion: 1, armed: false, firedAt: sec(0), consumed: false }],
      [{ ruleId: r.id, ruleVersion: 1, armed: true, firedAt: null, consumed: false }],
    ]);
  });

  it('a level that holds again during the cooldown fires as soon as the cooldown has passed', () => {
    const r = rule({ type: 'price_above', value: 200 }, { trigger: 'rearm', cooldownSeconds: 60 });
    const run = runBoth([r], [at(0, 201), at(10, 199), at(20, 201), at(59, 202), at(60, 203), at(61, 204)]);
    expect(run.alerts.map((a) => [a.price, (a.at - T0) / 1000])).toEqual([
      [201, 0],
      [203, 60],
    ]);
  });

  it('an edge during its cooldown is not alerted later; the next edge after the cooldown is', () => {
    const r = rule({ type: 'crosses_above', value: 200 }, { trigger: 'rearm', cooldownSeconds: 30 });
    const run = runBoth([r], [at(0, 199), at(1, 201), at(2, 199), at(3, 201), at(40, 202), at(41, 199), at(42, 201)]);
    expect(run.alerts.map((a) => (a.at - T0) / 1000)).toEqual([1, 42]);
  });

  it('honours a durable disarmed state: a level that fired before a restart needs to stop holding first', () => {
    const r = rule({ type: 'price_above', value: 200 }, { trigger: 'rearm', armed: false, lastFiredAt: sec(-3600) });
    expect(firedPrices(runBoth([r], [at(0, 201), at(1, 199), at(2, 201)]))).toEqual([201]);
  });
});

describe('repeat', () => {
  it('fires while the condition holds, at most once per cooldown', () => {
    const r = rule({ type: 'price_above', value: 200 }, { trigger: 'repeat', cooldownSeconds: 2 });
    const batches = [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5].map((s) => at(s, 201));
    const run = runBoth([r], batches);
    expect(run.alerts.map((a) => (a.at - T0) / 1000)).toEqual([0, 2, 4]);
  });

  it('with no cooldown fires once per batch while it holds', () => {
    const r = rule({ type: 'price_above', value: 200 }, { trigger: 'repeat', cooldownSeconds: 0 });
    const run = runBoth([r], [points([201, 202, 203]), points([204, 205], sec(1)), points([199], sec(2)), points([201], sec(3))]);
    expect(run.perBatch.map((b) => b.length)).toEqual([1, 1, 0, 1]);
  });

  it('fires for every edge, cooldown permitting', () => {
    const r = rule({ type: 'crosses', value: 200 }, { trigger: 'repeat', cooldownSeconds: 5 });
    const run = runBoth([r], [at(0, 199), at(1, 201), at(2, 199), at(7, 201), at(8, 199)]);
    expect(run.alerts.map((a) => (a.at - T0) / 1000)).toEqual([1, 7]);
  });
});

describe('at most once per batch', () => {
  it('a rule fires once in a batch however often the condition fires in it', () => {
    const r = rule({ type: 'crosses_above', value: 200 }, { trigger: 'rearm', cooldownSeconds: 0 });
    expect(runBoth([r], [points([199, 201, 199, 201, 199, 201])]).alerts).toHaveLength(1);
  });

  it('the same ticks split over two batches fire twice', () => {
    const r = rule({ type: 'crosses_above', value: 200 }, { trigger: 'rearm', cooldownSeconds: 0 });
    const run = runBoth([r], [points([199, 201, 199]), points([201], T0 + 300)]);
    expect(run.alerts).toHaveLength(2);
  });
});

describe('expiry', () => {
  it('never fires from the second of expiresAt on, and reports the rule as expired once', () => {
    const r = rule({ type: 'price_above', value: 200 }, { trigger: 'repeat', cooldownSeconds: 0, expiresAt: sec(10) });
    const run = runBoth([r], [at(0, 201), at(9.9, 202), at(10, 203), at(11, 204)]);
    expect(run.alerts.map((a) => a.price)).toEqual([201, 202]);

    const index = new RuleIndex();
    index.upsert(r);
    expect(index.takeExpired(sec(9))).toEqual([]);
    expect(index.takeExpired(sec(10))).toEqual([r.id]);
    expect(index.takeExpired(sec(11))).toEqual([]);
  });
});

describe('state between batches', () => {
  it('gives the same result when the state is serialised to JSON between batches', () => {
    const rules = [
      rule({ type: 'price_above', value: 200 }, { trigger: 'rearm', cooldownSeconds: 30 }),
      rule({ type: 'moves_up_pct', percent: 1, windowSeconds: 60 }, { trigger: 'repeat', cooldownSeconds: 5 }),
      rule({ type: 'crosses', value: 199.5 }, { trigger: 'repeat', cooldownSeconds: 0 }),
    ];
    const batches = [at(0, 199), at(1, 201), at(2, 199), at(10, 201), at(31, 201.5), at(40, 203), at(47, 198)];
    const expected = runBoth(rules, batches).alerts;

    const index = new RuleIndex();
    for (const r of rules) index.upsert(r);
    let state = newEngineState();
    const alerts = [];
    for (const b of batches) {
      const result = evaluateBatch(index, state, [{ symbol: SYMBOL, points: b }], { now: b[0]!.at });
      alerts.push(...result.alerts);
      state = JSON.parse(JSON.stringify(state));
    }
    expect(alerts).toEqual(expected);
  });

  it('treats the first point after a reset (reconnect) as a baseline', () => {
    const r = rule({ type: 'crosses_above', value: 200 });
    const run = runBoth([r], [points([199]), [{ symbol: SYMBOL, points: points([201], sec(5)), reset: true }]]);
    expect(run.alerts).toEqual([]);
  });

  it('looks at a rule added between batches on the next point, and at a changed rule with fresh trigger state', () => {
    const index = new RuleIndex();
    const state = newEngineState();
    const first = rule({ type: 'price_above', value: 200 }, { trigger: 'rearm' });
    evaluateBatch(index, state, [{ symbol: SYMBOL, points: at(0, 201) }], { now: sec(0) });
    index.upsert(first);
    const added = evaluateBatch(index, state, [{ symbol: SYMBOL, points: at(1, 202) }], { now: sec(1) });
    expect(added.alerts.map((a) => a.ruleId)).toEqual([first.id]);

    index.upsert({ ...first, condition: { type: 'price_above', value: 201 }, version: 2 });
    const changed = evaluateBatch(index, state, [{ symbol: SYMBOL, points: at(2, 203) }], { now: sec(2) });
    expect(changed.alerts.map((a) => [a.ruleId, a.ruleVersion])).toEqual([[first.id, 2]]);

    index.remove(first.id);
    const removed = evaluateBatch(index, state, [{ symbol: SYMBOL, points: at(3, 100), }, { symbol: SYMBOL, points: at(4, 300) }], { now: sec(4) });
    expect(removed.alerts).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { evaluateBatch, newEngineState, RuleIndex } from '../../../core/engine';
import { DEFAULT_RAW_BUDGET, PathCompressor, type PricePointTuple } from '../../../core/feed';
import { compressPath } from '../../support/path-fixtures';
import { rule, SYMBOL, T0 } from '../../support/engine-fixtures';

const ms = (offset: number) => T0 + offset;

describe('PathCompressor', () => {
  it('keeps the turning points and the last point of a path inside one second', () => {
    const raw: PricePointTuple[] = [100, 101, 102, 103, 101, 100, 99, 100, 102].map((p, i) => [p, ms(i * 10), 1]);
    expect(compressPath(raw, 0).map(([p]) => p)).toEqual([100, 103, 99, 102]);
  });

  it('adds the volume of dropped points to the next kept point', () => {
    const raw: PricePointTuple[] = [
      [100, ms(0), 1],
      [101, ms(10), 2],
      [102, ms(20), 3],
      [101, ms(30), 4],
    ];
    expect(compressPath(raw, 0)).toEqual([
      [100, ms(0), 1],
      [102, ms(20), 5],
      [101, ms(30), 4],
    ]);
  });

  it('keeps the first and last point of every second of a one-directional run', () => {
    const raw: PricePointTuple[] = [100, 100.1, 100.2, 100.3, 100.4, 100.5].map((p, i) => [p, ms(i * 400), 1]);
    // seconds: 0,0,0,1,1,2 → keep 100 (first), 100.2 (last of 0), 100.3 (first of 1), 100.4 (last of 1), 100.5
    expect(compressPath(raw, 0).map(([p]) => p)).toEqual([100, 100.2, 100.3, 100.4, 100.5]);
  });

  it('drops equal prices inside a second like any interior point, keeping the first and last', () => {
    expect(compressPath([[100, ms(0), 1], [100, ms(100), 2], [100, ms(200), 3]], 0)).toEqual([
      [100, ms(0), 1],
      [100, ms(200), 5],
    ]);
  });

  it('keeps a path verbatim up to its raw budget, then drops interior points', () => {
    const compressor = new PathCompressor(3);
    for (const [i, p] of [100, 101, 102, 103, 104].entries()) compressor.add(p, ms(i), 1);
    expect(compressor.take().map(([p]) => p)).toEqual([100, 101, 104]);
  });

  it('takes a tick older than the last point at the last point’s time', () => {
    const compressor = new PathCompressor(0);
    compressor.add(100, ms(500), 1);
    compressor.add(101, ms(100), 1);
    expect(compressor.take()).toEqual([
      [100, ms(500), 1],
      [101, ms(500), 1],
    ]);
  });

  it('prepends a failed batch so that the path is sent again in order', () => {
    const compressor = new PathCompressor(0);
    compressor.add(105, ms(300), 1);
    compressor.prepend([
      [100, ms(0), 1],
      [103, ms(100), 1],
    ]);
    expect(compressor.take()).toEqual([
      [100, ms(0), 1],
      [105, ms(300), 2],
    ]);
    expect(compressor.tickCount).toBe(0);
  });

  it('a composite mixing an edge and a window condition can differ when compressed (why paths are kept verbatim up to a budget)', () => {
    // Raw: the crossing of 200 happens on the move to 200.5, where the rise is still under 1%;
    // compressed, the move ends at 202, where it is 1.5%.
    const r = rule({ type: 'all', conditions: [{ type: 'crosses_above', value: 200 }, { type: 'moves_up_pct', percent: 1, windowSeconds: 60 }] });
    const raw: PricePointTuple[] = [
      [199, ms(0), 1],
      [200.5, ms(100), 1],
      [202, ms(200), 1],
    ];
    const run = (path: PricePointTuple[]) => {
      const index = new RuleIndex();
      index.upsert(r);
      const points = path.map(([price, at, volume]) => ({ price, at, volume }));
      return evaluateBatch(index, newEngineState(), [{ symbol: SYMBOL, points }], { now: ms(300) }).alerts.length;
    };
    expect(run(raw)).toBe(0);
    expect(run(compressPath(raw, 0))).toBe(1);
    expect(run(compressPath(raw, DEFAULT_RAW_BUDGET))).toBe(0);
  });
});

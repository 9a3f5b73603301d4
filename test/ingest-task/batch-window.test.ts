import { describe, expect, it } from 'vitest';
import { mergeWindows, newSymbolFeed, OpenWindow, type SealedWindow } from '../../ingest-task/src/batch-window';

const window = (paths: SealedWindow['paths'], fromPos: number, toPos: number): SealedWindow => ({
  paths,
  points: paths.reduce((sum, path) => sum + path.points.length, 0),
  ticks: paths.reduce((sum, path) => sum + path.points.length, 0),
  fromPos,
  toPos,
  openedAt: fromPos,
});

describe('a shard window', () => {
  it('gathers compressed paths per symbol and seals them with counts and positions', () => {
    const open = new OpenWindow();
    const aapl = newSymbolFeed('AAPL$US', 0);
    const tsla = newSymbolFeed('TSLA$US', 0);
    aapl.reset = true;
    open.add(aapl, 100, 1, 1, 10, 1_000);
    open.add(tsla, 200, 2, 1, 11, 1_001);
    open.add(aapl, 101, 3, 1, 12, 1_002);
    const forgotten: string[] = [];
    expect(open.seal((feed) => forgotten.push(feed.symbol))).toEqual({
      paths: [
        { symbol: 'AAPL$US', points: [[100, 1, 1], [101, 3, 1]], reset: true, prevClose: undefined },
        { symbol: 'TSLA$US', points: [[200, 2, 1]], reset: false, prevClose: undefined },
      ],
      points: 3,
      ticks: 3,
      fromPos: 10,
      toPos: 12,
      openedAt: 1_000,
    });
    expect(aapl.reset).toBe(false);
    expect(forgotten).toEqual([]);
    expect(open.seal(() => undefined)).toBeUndefined();
  });

  it("forgets a retired symbol once its last points are sealed", () => {
    const open = new OpenWindow();
    const feed = newSymbolFeed('AAPL$US', 0);
    open.add(feed, 100, 1, 1, 10, 1_000);
    feed.retired = true;
    const forgotten: string[] = [];
    open.seal((retired) => forgotten.push(retired.symbol));
    expect(forgotten).toEqual(['AAPL$US']);
  });
});

describe('merging a failed batch with the window after it', () => {
  const failed = window([{ symbol: 'AAPL$US', points: [[100, 1, 1], [105, 2, 1]], reset: false, prevClose: 99 }], 10, 11);

  it('joins each path into one compression, keeping the earlier fromPos', () => {
    const later = window(
      [
        { symbol: 'AAPL$US', points: [[95, 3, 1]], reset: false, prevClose: undefined },
        { symbol: 'TSLA$US', points: [[200, 4, 1]], reset: false, prevClose: undefined },
      ],
      20,
      21,
    );
    expect(mergeWindows(failed, later, 100)).toEqual({
      paths: [
        { symbol: 'AAPL$US', points: [[100, 1, 1], [105, 2, 1], [95, 3, 1]], reset: false, prevClose: 99 },
        { symbol: 'TSLA$US', points: [[200, 4, 1]], reset: false, prevClose: undefined },
      ],
      points: 4,
      ticks: 4,
      fromPos: 10,
      toPos: 21,
      openedAt: 10,
    });
  });

  it('refuses a merge over maxPoints or across a reset', () => {
    const later = window([{ symbol: 'AAPL$US', points: [[95, 3, 1]], reset: false, prevClose: undefined }], 20, 20);
    expect(mergeWindows(failed, later, 2)).toBeUndefined();
    const afterGap = window([{ symbol: 'AAPL$US', points: [[95, 3, 1]], reset: true, prevClose: undefined }], 20, 20);
    expect(mergeWindows(failed, afterGap, 100)).toBeUndefined();
  });
});

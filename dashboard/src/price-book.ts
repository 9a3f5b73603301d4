/**
 * Live prices as the page keeps them: per symbol the last snapshot and a path of at most one point
 * per second (the chart's time axis needs strictly increasing whole seconds), capped at an hour.
 * Pure and immutable, so the view re-renders from a new book.
 */
import type { PriceSnapshot } from '../../ingest-task/src/price-snapshot';

export interface SymbolPrice {
  price: number;
  change: number | null;
  changePct: number | null;
  at: string;
  /** `[epoch second, price]`, oldest first, one per second. */
  points: Array<[number, number]>;
}

export type PriceBook = ReadonlyMap<string, SymbolPrice>;

export const MAX_POINTS = 3_600;

/** Adds a point, replacing one of the same second and ignoring one older than the last. */
function addPoint(points: Array<[number, number]>, second: number, price: number): Array<[number, number]> {
  const last = points.at(-1);
  if (last !== undefined && second < last[0]) return points;
  const kept = last !== undefined && last[0] === second ? points.slice(0, -1) : points.slice();
  kept.push([second, price]);
  return kept.length > MAX_POINTS ? kept.slice(kept.length - MAX_POINTS) : kept;
}

export function applySnapshots(book: PriceBook, snapshots: readonly PriceSnapshot[]): PriceBook {
  if (snapshots.length === 0) return book;
  const next = new Map(book);
  for (const snapshot of snapshots) {
    let points = next.get(snapshot.symbol)?.points ?? [];
    // A first snapshot brings the recent path: it goes before what this page saw itself.
    for (const [ms, price] of snapshot.history ?? []) points = addPoint(points, Math.floor(ms / 1000), price);
    points = addPoint(points, Math.floor(Date.parse(snapshot.at) / 1000), snapshot.price);
    next.set(snapshot.symbol, { price: snapshot.price, change: snapshot.change, changePct: snapshot.changePct, at: snapshot.at, points });
  }
  return next;
}

/** Whole paths compressed at once, for tests of the path compression (the product compresses point by point). */
import { PathCompressor, type PricePointTuple } from '../../core/feed';

/** Compresses a whole path; `rawBudget` 0 compresses from the first point. */
export function compressPath(points: readonly PricePointTuple[], rawBudget: number): PricePointTuple[] {
  const compressor = new PathCompressor(rawBudget);
  for (const [price, at, volume] of points) compressor.add(price, at, volume);
  return compressor.take();
}

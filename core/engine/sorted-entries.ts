/**
 * Entries (indexed rules) sorted by a number (a price threshold, a percent, a multiple), so that the rules whose
 * key lies in a range are found by binary search: the cost of a lookup grows with the rules found,
 * not with the rules held.
 */
export class SortedEntries<T> {
  private readonly keys: number[] = [];
  private readonly values: T[] = [];
  /**
   * An open interval known to hold no key (from the last lookup that found nothing). Prices move
   * a little at a time, so most lookups fall inside it and cost two comparisons.
   */
  private gapLow = Number.NaN;
  private gapHigh = Number.NaN;

  get size(): number {
    return this.keys.length;
  }

  insert(key: number, value: T): void {
    this.gapLow = this.gapHigh = Number.NaN;
    const at = this.upperBound(key);
    this.keys.splice(at, 0, key);
    this.values.splice(at, 0, value);
  }

  remove(key: number, value: T): void {
    this.gapLow = this.gapHigh = Number.NaN;
    for (let i = this.lowerBound(key); i < this.keys.length && this.keys[i] === key; i += 1) {
      if (this.values[i] === value) {
        this.keys.splice(i, 1);
        this.values.splice(i, 1);
        return;
      }
    }
  }

  /** Calls `visit` for every entry whose key is in [lo, hi]. */
  forRange(lo: number, hi: number, visit: (value: T) => void): void {
    if (this.gapLow < lo && hi < this.gapHigh) return;
    const keys = this.keys;
    const from = this.lowerBound(lo);
    let i = from;
    for (; i < keys.length && (keys[i] as number) <= hi; i += 1) visit(this.values[i] as T);
    if (i === from) {
      this.gapLow = from === 0 ? Number.NEGATIVE_INFINITY : (keys[from - 1] as number);
      this.gapHigh = from === keys.length ? Number.POSITIVE_INFINITY : (keys[from] as number);
    }
  }

  forEach(visit: (value: T) => void): void {
    for (const value of this.values) visit(value);
  }

  /** First index whose key is >= `key`. */
  private lowerBound(key: number): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.keys[mid] as number) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index whose key is > `key`. */
  private upperBound(key: number): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.keys[mid] as number) <= key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

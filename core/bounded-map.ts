/**
 * A Map that keeps at most `max` entries, dropping the oldest written (a Map iterates in insertion
 * order, and a write moves its key to the end). For the per-container memories of the evaluator
 * (warm-up answers, previous closes, warm-up markers): bounded so that a long-lived container
 * watching ever new symbols never grows without limit.
 * @example
 * const seen = new BoundedMap<string, number>(2);
 * seen.remember('a', 1); seen.remember('b', 2); seen.remember('c', 3);
 * seen.has('a'); // false
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }

  /** Sets `key` as the newest entry, then drops the oldest ones beyond the bound. */
  remember(key: K, value: V): this {
    this.delete(key);
    this.set(key, value);
    for (const oldest of this.keys()) {
      if (this.size <= this.max) break;
      this.delete(oldest);
    }
    return this;
  }
}

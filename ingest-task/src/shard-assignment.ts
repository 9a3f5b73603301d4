/**
 * Sharding: which shard a symbol belongs to. A shard has one batch in flight at a time, so every
 * point of a symbol goes through the same shard to be evaluated in order.
 */

/** FNV-1a: stable across processes and versions, so a symbol keeps its shard across restarts. */
export function shardOf(symbol: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < symbol.length; i += 1) {
    hash ^= symbol.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

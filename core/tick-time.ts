/**
 * Tick time in whole seconds. Cooldowns, expiry and rolling windows are counted in whole seconds
 * of tick time: that is what lets the ingest task compress a path within a second without
 * changing what fires (see core/feed/path-compression.ts).
 */
export const secondOf = (epochMs: number): number => Math.floor(epochMs / 1000);

/** Numbers as traders write them, for alert texts, the dashboard and price snapshots. */

/** A computed number without float noise (`0.1 + 0.2` → 0.3): 12 significant digits. */
export function withoutFloatNoise(value: number): number {
  return Number.parseFloat(value.toPrecision(12));
}

/** Prices as traders write them: no float noise, no exponent, trailing zeros dropped. */
export function formatNumber(value: number): string {
  return withoutFloatNoise(value).toString();
}

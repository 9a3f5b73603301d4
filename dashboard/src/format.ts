/**
 * How numbers, times and conditions read on the dashboard. Conditions are read generically (a
 * record with a `type`), so a condition type the dashboard does not know yet still reads sensibly.
 */
import { isSimpleConditionType } from '../../core/conditions/registry';
import { conditionLevels as registryLevels, describeRule, formatNumber } from '../../core/engine/message';
import type { Condition } from '../../core/rule-model';
import { MARKET_INFO } from '../../core/rule-model/market';
import { marketOf } from '../../core/rule-model/symbol';
import { typeLabel } from './condition-specs';

/** Numbers as the alert messages write them: no float noise, no exponent. */
export { formatNumber };

/** Significant digits a price below 1 keeps: a coin at 0.00001234 reads `0.00001234`, not `0.00`. */
export const SMALL_PRICE_SIGNIFICANT_DIGITS = 4;
/** More fraction digits than this no feed quotes (and Intl allows at most 20). */
const MAX_FRACTION_DIGITS = 12;
/** A price's digits beyond its usual ones are shown up to this many, so a level set at 200.125 is not rounded away. */
const EXTRA_DIGITS_UP_TO = 6;

/**
 * Fraction digits a price of `symbol` is shown with: its market's (`priceDecimals`: 2, forex 5),
 * and for a price below 1 at least enough for {@link SMALL_PRICE_SIGNIFICANT_DIGITS} significant
 * digits. Without a symbol, a stock's.
 * @example priceDigits(201.5, 'AAPL$US') // 2
 * @example priceDigits(1.0834, 'forex:EURUSD$GB') // 5
 * @example priceDigits(0.00001234, 'crypto:SHIBUSDT$BA') // 8
 */
export function priceDigits(value: number, symbol?: string): number {
  const decimals = MARKET_INFO[symbol === undefined ? 'stock' : marketOf(symbol)].priceDecimals;
  const size = Math.abs(value);
  if (!Number.isFinite(size) || size === 0 || size >= 1) return decimals;
  const leadingZeros = -Math.floor(Math.log10(size)) - 1;
  return Math.min(MAX_FRACTION_DIGITS, Math.max(decimals, leadingZeros + SMALL_PRICE_SIGNIFICANT_DIGITS));
}

const priceFormats = new Map<number, Intl.NumberFormat>();
function priceFormat(digits: number): Intl.NumberFormat {
  let format = priceFormats.get(digits);
  if (format === undefined) {
    format = new Intl.NumberFormat(undefined, { minimumFractionDigits: digits, maximumFractionDigits: Math.min(MAX_FRACTION_DIGITS, Math.max(digits, EXTRA_DIGITS_UP_TO)) });
    priceFormats.set(digits, format);
  }
  return format;
}

/** A price as its market quotes it (see {@link priceDigits}); `—` when it is not a number. */
export function formatPrice(value: number, symbol?: string): string {
  if (!Number.isFinite(value)) return '—';
  return priceFormat(priceDigits(value, symbol)).format(value);
}

/** A change of `price` in the price's own digits: `+0.00123` for EUR/USD, `+1.25` for AAPL. */
export function formatPriceChange(change: number | null | undefined, price: number, symbol?: string): string {
  return formatSigned(change, '', priceDigits(price, symbol));
}

/** `+1.25` / `−1.25` (a real minus sign), or `—` when unknown. */
export function formatSigned(value: number | null | undefined, suffix = '', digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const text = Math.abs(value).toFixed(digits);
  return `${value > 0 ? '+' : value < 0 ? '−' : ''}${text}${suffix}`;
}

export function formatTime(iso: string | number): string {
  return new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function formatDateTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

const num = (value: unknown) => (typeof value === 'number' ? formatNumber(value) : String(value));

type ConditionLike = Condition | Record<string, unknown>;

/** The parts of a composite read loosely (a record with `conditions`), or null for a simple condition. */
function looseParts(c: Record<string, unknown>): { join: string; parts: ConditionLike[] } | null {
  if ((c.type !== 'all' && c.type !== 'any') || !Array.isArray(c.conditions)) return null;
  return { join: c.type === 'all' ? ' and ' : ' or ', parts: c.conditions as ConditionLike[] };
}

/**
 * A condition in words, present tense: `crosses above 200`, `rises 2% within 5 min` — the words of
 * the condition registry; a type this dashboard does not know yet reads from its fields.
 */
export function conditionText(condition: ConditionLike): string {
  const c = condition as Record<string, unknown>;
  const composite = looseParts(c);
  if (composite !== null) return composite.parts.map(conditionText).join(composite.join);
  const type = String(c.type);
  if (isSimpleConditionType(type)) return describeRule(condition as Condition);
  const fields = Object.entries(c)
    .filter(([name]) => name !== 'type')
    .map(([name, value]) => `${name} ${typeof value === 'object' ? JSON.stringify(value) : num(value)}`);
  return [typeLabel(type), ...fields].join(' ');
}

/** The price levels a condition names (also inside `all`/`any`): the lines on the chart; none for an unknown type. */
export function conditionLevels(condition: ConditionLike): number[] {
  const c = condition as Record<string, unknown>;
  const composite = looseParts(c);
  if (composite !== null) return composite.parts.flatMap(conditionLevels);
  return isSimpleConditionType(String(c.type)) ? registryLevels(condition as Condition) : [];
}

/** `5 s ago`, `3 min ago`, then the time. */
export function relativeTime(iso: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  return formatDateTime(iso);
}

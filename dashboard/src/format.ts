/**
 * How numbers, times and conditions read on the dashboard. Conditions are read generically (a
 * record with a `type`), so a condition type the dashboard does not know yet still reads sensibly.
 */
import { isSimpleConditionType } from '../../core/conditions/registry';
import { conditionLevels as registryLevels, describeRule, formatNumber } from '../../core/engine/message';
import type { Condition } from '../../core/rule-model';
import { typeLabel } from './condition-specs';

/** Numbers as the alert messages write them: no float noise, no exponent. */
export { formatNumber };

const priceFormat = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 6 });

export const formatPrice = (value: number) => priceFormat.format(value);

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

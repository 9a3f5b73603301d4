/**
 * How numbers, times and conditions read on the dashboard. Conditions are read generically (a
 * record with a `type`), so a condition type the dashboard does not know yet still reads sensibly.
 */
import { formatNumber } from '../../core/engine/message';
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

function duration(seconds: unknown): string {
  if (typeof seconds !== 'number') return String(seconds);
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

const num = (value: unknown) => (typeof value === 'number' ? formatNumber(value) : String(value));

/** A condition in words, present tense: `crosses above 200`, `rises 2% within 5 min`. */
export function conditionText(condition: Condition | Record<string, unknown>): string {
  const c = condition as Record<string, unknown>;
  const type = String(c.type);
  switch (type) {
    case 'price_above':
      return `above ${num(c.value)}`;
    case 'price_below':
      return `below ${num(c.value)}`;
    case 'crosses_above':
      return `crosses above ${num(c.value)}`;
    case 'crosses_below':
      return `crosses below ${num(c.value)}`;
    case 'crosses':
      return `crosses ${num(c.value)}`;
    case 'enters_channel':
      return `enters ${num(c.lower)}–${num(c.upper)}`;
    case 'exits_channel':
      return `leaves ${num(c.lower)}–${num(c.upper)}`;
    case 'moves_up_pct':
      return `rises ${num(c.percent)}% within ${duration(c.windowSeconds)}`;
    case 'moves_down_pct':
      return `falls ${num(c.percent)}% within ${duration(c.windowSeconds)}`;
    case 'change_from_prev_close_pct':
      return typeof c.percent === 'number' ? `${c.percent > 0 ? 'up' : 'down'} ${num(Math.abs(c.percent))}% on the previous close` : 'change on the previous close';
    case 'volume_spike':
      return `volume ${num(c.multiple)}× usual within ${duration(c.windowSeconds)}`;
    case 'rsi_above':
    case 'rsi_below':
      return `RSI(${num(c.period)}) ${type === 'rsi_above' ? 'above' : 'below'} ${num(c.value)}${onBars(c)}`;
    case 'macd_cross':
      return `MACD(${num(c.fast)}, ${num(c.slow)}, ${num(c.signal)}) crosses ${c.direction === 'down' ? 'below' : 'above'} its signal${onBars(c)}`;
    case 'bollinger_break':
      return `breaks the ${c.band === 'lower' ? 'lower' : 'upper'} Bollinger band (${num(c.period)}, ${num(c.stdDev)})${onBars(c)}`;
    case 'ma_cross': {
      const kind = String(c.kind ?? 'sma').toUpperCase();
      return `${kind}(${num(c.fast)}) crosses ${c.direction === 'down' ? 'below' : 'above'} ${kind}(${num(c.slow)})${onBars(c)}`;
    }
    case 'all':
    case 'any':
      return Array.isArray(c.conditions) ? c.conditions.map((inner) => conditionText(inner as Record<string, unknown>)).join(type === 'all' ? ' and ' : ' or ') : type;
    default: {
      const fields = Object.entries(c)
        .filter(([name]) => name !== 'type')
        .map(([name, value]) => `${name} ${typeof value === 'object' ? JSON.stringify(value) : num(value)}`);
      return [typeLabel(type), ...fields].join(' ');
    }
  }
}

/** ` on 1m bars`, with the session and the forming bar when the condition says so. */
function onBars(c: Record<string, unknown>): string {
  const session = c.session === 'extended' ? ', extended hours' : c.session === 'any' ? ', all hours' : '';
  return ` on ${String(c.interval)} bars${session}${c.evaluate === 'forming' ? ', forming bar' : ''}`;
}

/** Conditions whose `value`, `lower` and `upper` are prices (an RSI level is not). */
const PRICE_LEVEL_TYPES = new Set(['price_above', 'price_below', 'crosses_above', 'crosses_below', 'crosses', 'enters_channel', 'exits_channel']);

/** The price levels a condition names (`value`, `lower`, `upper`, also inside `all`/`any`): the lines on the chart. */
export function conditionLevels(condition: Condition | Record<string, unknown>): number[] {
  const c = condition as Record<string, unknown>;
  const levels = PRICE_LEVEL_TYPES.has(String(c.type)) ? ['value', 'lower', 'upper'].map((name) => c[name]).filter((v): v is number => typeof v === 'number') : [];
  if (Array.isArray(c.conditions)) for (const inner of c.conditions) levels.push(...conditionLevels(inner as Record<string, unknown>));
  return levels;
}

/** `5 s ago`, `3 min ago`, then the time. */
export function relativeTime(iso: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  return formatDateTime(iso);
}

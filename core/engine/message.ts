/**
 * Alert texts: a rule's `message` template with its placeholders filled in, or a default message.
 * Placeholders: {{symbol}}, {{price}}, {{value}}, {{condition}}, {{time}}, {{note}}. Unknown
 * placeholders are left as written, so a typo shows in the alert instead of vanishing.
 */
import type { Condition, SimpleCondition } from '../rule-model';

export interface MessageContext {
  symbol: string;
  condition: Condition;
  price: number;
  /** Tick time, epoch ms. */
  at: number;
  note: string | null;
}

export const DEFAULT_MESSAGE = '{{symbol}} {{condition}}: last {{price}} at {{time}}';

/** Renders `template` (or the default message) for an alert. */
export function renderMessage(template: string | null, ctx: MessageContext): string {
  const values: Record<string, string> = {
    symbol: ctx.symbol,
    price: formatNumber(ctx.price),
    value: describeValue(ctx.condition),
    condition: describeCondition(ctx.condition),
    time: new Date(ctx.at).toISOString(),
    note: ctx.note ?? '',
  };
  return (template ?? DEFAULT_MESSAGE).replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => values[name] ?? whole);
}

/** A computed number without float noise (`0.1 + 0.2` → 0.3): 12 significant digits. */
export function withoutFloatNoise(value: number): number {
  return Number.parseFloat(value.toPrecision(12));
}

/** Prices as traders write them: no float noise, no exponent, trailing zeros dropped. */
export function formatNumber(value: number): string {
  return withoutFloatNoise(value).toString();
}

/** The threshold of a condition as a short text: `200`, `190–210`, `2.5%`, `3x`. */
export function describeValue(condition: Condition): string {
  switch (condition.type) {
    case 'all':
    case 'any':
      return condition.conditions.map(describeValue).join(condition.type === 'all' ? ' and ' : ' or ');
    case 'enters_channel':
    case 'exits_channel':
      return `${formatNumber(condition.lower)}–${formatNumber(condition.upper)}`;
    case 'moves_up_pct':
    case 'moves_down_pct':
    case 'change_from_prev_close_pct':
      return `${formatNumber(condition.percent)}%`;
    case 'volume_spike':
      return `${formatNumber(condition.multiple)}x`;
    case 'macd_cross':
      return `MACD(${condition.fast},${condition.slow},${condition.signal})`;
    case 'bollinger_break':
      return `BB(${condition.period},${formatNumber(condition.stdDev)})`;
    case 'ma_cross':
      return `${condition.kind.toUpperCase()}(${condition.fast}/${condition.slow})`;
    default:
      return formatNumber(condition.value);
  }
}

/** A condition in words: `crossed above 200`, `moved up 2% within 5m`. */
export function describeCondition(condition: Condition): string {
  if (condition.type === 'all' || condition.type === 'any') {
    return condition.conditions.map(describeSimple).join(condition.type === 'all' ? ' and ' : ' or ');
  }
  return describeSimple(condition);
}

function describeSimple(c: SimpleCondition): string {
  switch (c.type) {
    case 'price_above':
      return `is above ${formatNumber(c.value)}`;
    case 'price_below':
      return `is below ${formatNumber(c.value)}`;
    case 'crosses_above':
      return `crossed above ${formatNumber(c.value)}`;
    case 'crosses_below':
      return `crossed below ${formatNumber(c.value)}`;
    case 'crosses':
      return `crossed ${formatNumber(c.value)}`;
    case 'enters_channel':
      return `entered ${formatNumber(c.lower)}–${formatNumber(c.upper)}`;
    case 'exits_channel':
      return `left ${formatNumber(c.lower)}–${formatNumber(c.upper)}`;
    case 'moves_up_pct':
      return `rose ${formatNumber(c.percent)}% within ${formatDuration(c.windowSeconds)}`;
    case 'moves_down_pct':
      return `fell ${formatNumber(c.percent)}% within ${formatDuration(c.windowSeconds)}`;
    case 'change_from_prev_close_pct':
      return `is ${c.percent > 0 ? 'up' : 'down'} ${formatNumber(Math.abs(c.percent))}% on the previous ${c.session === undefined ? '' : `${c.session} `}close`;
    case 'volume_spike':
      return `traded ${formatNumber(c.multiple)}x its usual volume in ${formatDuration(c.windowSeconds)}`;
    case 'rsi_above':
    case 'rsi_below':
      return `RSI(${c.period}) of ${barsOf(c)} is ${c.type === 'rsi_above' ? 'above' : 'below'} ${formatNumber(c.value)}`;
    case 'macd_cross':
      return `MACD(${c.fast},${c.slow},${c.signal}) of ${barsOf(c)} crossed ${c.direction === 'up' ? 'above' : 'below'} its signal line`;
    case 'bollinger_break':
      return `${barsOf(c)} broke ${c.band === 'upper' ? 'above the upper' : 'below the lower'} Bollinger band (${c.period}, ${formatNumber(c.stdDev)})`;
    case 'ma_cross': {
      const kind = c.kind.toUpperCase();
      return `${kind}(${c.fast}) crossed ${c.direction === 'up' ? 'above' : 'below'} ${kind}(${c.slow}) on ${barsOf(c)}`;
    }
  }
}

/** `1m bars`, with the session when one is given and the forming bar when judged on it. */
function barsOf(c: { interval: string; session?: string | undefined; evaluate?: string | undefined }): string {
  const session = c.session === undefined ? '' : ` ${c.session === 'any' ? 'all-hours' : c.session}`;
  return `${c.interval}${session} bars${c.evaluate === 'forming' ? ' (forming)' : ''}`;
}

function formatDuration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

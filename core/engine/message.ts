/**
 * Alert texts: a rule's `message` template with its placeholders filled in, or a default message.
 * Placeholders: {{symbol}}, {{price}}, {{value}}, {{condition}}, {{time}}, {{note}}. Unknown
 * placeholders are left as written, so a typo shows in the alert instead of vanishing.
 */
import { definitionOf, partsOf } from '../conditions/registry';
import { formatNumber } from '../numbers';
import type { Condition, SimpleCondition } from '../rule-model';

export { formatNumber, withoutFloatNoise } from '../numbers';

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

/** The threshold of a condition as a short text: `200`, `190–210`, `2.5%`, `3x`. */
export function describeValue(condition: Condition): string {
  return joinParts(condition, (c) => definitionOf(c).words.value(c));
}

/** A condition in words, as an alert says it: `crossed above 200`, `rose 2% within 5m`. */
export function describeCondition(condition: Condition): string {
  return joinParts(condition, (c) => definitionOf(c).words.fired(c));
}

/** A rule's condition in words, present tense (the dashboard): `crosses above 200`, `rises 2% within 5 min`. */
export function describeRule(condition: Condition): string {
  return joinParts(condition, (c) => definitionOf(c).words.rule(c));
}

/** The prices a condition names (also inside `all` / `any`): the lines to draw on a chart. */
export function conditionLevels(condition: Condition): number[] {
  return partsOf(condition).flatMap((c) => definitionOf(c).words.levels(c));
}

function joinParts(condition: Condition, words: (c: SimpleCondition) => string): string {
  return partsOf(condition).map(words).join(condition.type === 'all' ? ' and ' : ' or ');
}

/**
 * The largest alert a valid rule can produce, for the message-bounds tests: a rule at every length
 * limit of the rule model (500-character note of markup- and JSON-hostile text: control characters, entities, quotes, emoji; a
 * 1000-character template repeating `{{note}}`, the longest symbol, five conditions with long
 * numbers), its message rendered as the evaluator renders it.
 */
import type { DeliverableAlert } from '../../core/delivery/deliverable-alert';
import { renderMessage } from '../../core/engine';
import { MAX_MESSAGE_LENGTH, MAX_NOTE_LENGTH, type Condition } from '../../core/rule-model';
import { aDeliverable } from './delivery-fixtures';

/** When the sends of these tests begin (epoch ms). */
export const SENT_AT = Date.parse('2026-03-02T14:30:01.000Z');

const TICK_AT = Date.parse('2026-03-02T14:30:00.250Z');

/** `unit` repeated to exactly `length` UTF-16 code units, never splitting a surrogate pair. */
function filled(unit: string, length: number): string {
  let text = '';
  for (const char of unit.repeat(Math.ceil(length / unit.length) + 1)) {
    if (text.length + char.length > length) break;
    text += char;
  }
  return text.padEnd(length, 'x');
}

export interface LargestAlert {
  /** The `POST /rules` body. */
  rule: { symbol: string; condition: Condition; message: string | null; note: string; channels: [] };
  deliverable: DeliverableAlert;
}

export function largestAcceptedAlert(options: { message?: string | null } = {}): LargestAlert {
  // Control characters take 6 bytes each in JSON (\u0007): the note is as large as a webhook or dashboard body can get.
  const note = filled('\u0007\u0007\u0007\u0007<&>"\\é😀', MAX_NOTE_LENGTH);
  const prefix = '{{symbol}} {{condition}} {{value}} {{price}} {{time}} ';
  const message = options.message === undefined ? prefix + '{{note}}'.repeat(Math.floor((MAX_MESSAGE_LENGTH - prefix.length) / 8)).padEnd(MAX_MESSAGE_LENGTH - prefix.length, '&') : options.message;
  const symbol = 'indices:A1234567890123456789$ABCDEFGH$US';
  const condition: Condition = {
    type: 'any',
    conditions: Array.from({ length: 5 }, (_, i) => ({ type: 'enters_channel' as const, lower: 123_456.123456 + i, upper: 987_654.654321 + i })),
  };
  const price = 123_456.654321;
  const rule = { symbol, condition, message, note, channels: [] as [] };
  const deliverable = aDeliverable({
    symbol,
    condition,
    price,
    note,
    message: renderMessage(message, { symbol, condition, price, at: TICK_AT, note }),
    tickAt: new Date(TICK_AT).toISOString(),
  });
  return { rule, deliverable };
}

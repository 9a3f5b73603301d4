/**
 * The rule form's model, apart from its view: form values ↔ the API's rule body, and the API's
 * validation errors (`details[].path`) → the form field each belongs to. The form sends what the
 * user typed, as typed where it is not a number, and lets the API judge: one set of rules (the
 * rule model's schemas), and the API's words next to the fields.
 */
import type { ChannelForm } from '../../core/channels/definition';
import { RULE_CHANNEL_TYPES, RULE_CHANNELS, type RuleChannelType } from '../../core/channels/registry';
import type { Channel, FieldError, Rule, TriggerMode } from '../../core/rule-model';
import type { ConditionTypeSpec } from './condition-specs';
import { composeSymbol, symbolFields, type Market } from './market-symbols';

/** The channel kinds a rule may list (the channel registry, core/channels/registry.ts). */
export const CHANNEL_KINDS: readonly RuleChannelType[] = RULE_CHANNEL_TYPES;
export type ChannelKind = RuleChannelType;
/** The channel field that holds each kind's address. */
export const ADDRESS_FIELD = Object.fromEntries(RULE_CHANNELS.map((c) => [c.type, c.destination.field])) as Record<ChannelKind, string>;
/** How the form asks for each kind's address: label, example, input mode. */
export const ADDRESS_FORM = Object.fromEntries(RULE_CHANNELS.map((c) => [c.type, c.form])) as Record<ChannelKind, ChannelForm>;
export const TRIGGERS: readonly TriggerMode[] = ['rearm', 'once', 'repeat'];

/** The condition type select's value for "edit the condition as JSON". */
export const JSON_CONDITION = '__json__';

export interface ChannelValues {
  kind: ChannelKind;
  address: string;
}

export interface RuleFormValues {
  /** The market picked; the symbol sent is `market:symbol` (a stock without prefix). */
  market: Market;
  /** The code as typed: `AAPL$US`, `BTCUSDT$BA` (or a whole prefixed symbol, sent as typed). */
  symbol: string;
  /** A spec's type, or {@link JSON_CONDITION}. */
  conditionType: string;
  /** Raw text per condition field of the chosen type. */
  conditionFields: Record<string, string>;
  conditionJson: string;
  trigger: TriggerMode;
  cooldownSeconds: string;
  /** `datetime-local` value (local time), or empty for none. */
  expiresAt: string;
  channels: ChannelValues[];
  message: string;
  note: string;
}

/** A new rule's form; `symbol` (canonical, e.g. the charted one) fills the market and the code. */
export function emptyForm(specs: readonly ConditionTypeSpec[], symbol = ''): RuleFormValues {
  const first = specs.find((spec) => spec.type === 'crosses_above') ?? specs[0];
  return {
    ...symbolFields(symbol),
    conditionType: first?.type ?? JSON_CONDITION,
    conditionFields: {},
    conditionJson: '',
    trigger: 'rearm',
    cooldownSeconds: '300',
    expiresAt: '',
    channels: [],
    message: '',
    note: '',
  };
}

/** `2026-12-31T21:00:00.000Z` → the `datetime-local` text of that instant in this browser's zone. */
export function toLocalInput(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function channelValues(channel: Channel): ChannelValues {
  const kind = channel.type as ChannelKind;
  const address = (channel as Record<string, unknown>)[ADDRESS_FIELD[kind]];
  return { kind, address: typeof address === 'string' ? address : '' };
}

export function formFromRule(rule: Rule, specs: readonly ConditionTypeSpec[]): RuleFormValues {
  const condition = rule.condition as Record<string, unknown>;
  const spec = specs.find((s) => s.type === condition.type);
  const fields: Record<string, string> = {};
  for (const field of spec?.fields ?? []) {
    const value = condition[field.name];
    if (value !== undefined) fields[field.name] = typeof value === 'object' ? JSON.stringify(value, null, 2) : String(value);
  }
  return {
    ...symbolFields(rule.symbol),
    conditionType: spec === undefined ? JSON_CONDITION : spec.type,
    conditionFields: fields,
    conditionJson: JSON.stringify(rule.condition, null, 2),
    trigger: rule.trigger,
    cooldownSeconds: String(rule.cooldownSeconds),
    expiresAt: rule.expiresAt === null ? '' : toLocalInput(rule.expiresAt),
    channels: rule.channels.map(channelValues),
    message: rule.message ?? '',
    note: rule.note ?? '',
  };
}

/** A number when the text is one, else the text itself (the API then says what is wrong with it). */
function numberOrText(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : trimmed;
}

function jsonOrText(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function conditionBody(values: RuleFormValues, specs: readonly ConditionTypeSpec[]): unknown {
  if (values.conditionType === JSON_CONDITION) return jsonOrText(values.conditionJson);
  const spec = specs.find((s) => s.type === values.conditionType);
  const condition: Record<string, unknown> = { type: values.conditionType };
  for (const field of spec?.fields ?? []) {
    const text = values.conditionFields[field.name] ?? '';
    const value = field.kind === 'number' || field.kind === 'integer' ? numberOrText(text) : field.kind === 'json' ? jsonOrText(text) : text === '' ? undefined : text;
    if (value !== undefined) condition[field.name] = value;
  }
  return condition;
}

/** The body of `POST /rules` for the form's values. Empty optional fields are null (or left out). */
export function ruleBody(values: RuleFormValues, specs: readonly ConditionTypeSpec[]): Record<string, unknown> {
  const expires = values.expiresAt.trim();
  const expiresDate = new Date(expires);
  return {
    symbol: composeSymbol(values.market, values.symbol),
    condition: conditionBody(values, specs),
    trigger: values.trigger,
    ...(values.cooldownSeconds.trim() === '' ? {} : { cooldownSeconds: numberOrText(values.cooldownSeconds) }),
    expiresAt: expires === '' ? null : Number.isNaN(expiresDate.getTime()) ? expires : expiresDate.toISOString(),
    channels: values.channels.map((channel) => ({ type: channel.kind, [ADDRESS_FIELD[channel.kind]]: channel.address.trim() })),
    message: values.message.trim() === '' ? null : values.message,
    note: values.note.trim() === '' ? null : values.note,
  };
}

/** The `PATCH` body: only what differs from the rule (any patch re-arms a rule, so none is sent for nothing). */
export function rulePatch(rule: Rule, body: Record<string, unknown>): Record<string, unknown> {
  const before = rule as unknown as Record<string, unknown>;
  const patch: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(body)) {
    if (JSON.stringify(value) !== JSON.stringify(before[field])) patch[field] = value;
  }
  return patch;
}

/**
 * The form field an API error belongs to, as a field key: `symbol`, `condition.type`,
 * `condition.<field>`, `condition.json`, `trigger`, `cooldownSeconds`, `expiresAt`,
 * `channels`, `channels.<i>`, `message`, `note`; `form` for the rest.
 */
export function fieldKeyOf(path: string, values: RuleFormValues, specs: readonly ConditionTypeSpec[]): string {
  const [head = '', ...rest] = path.split(/[.[\]]+/).filter((part) => part !== '');
  switch (head) {
    case 'symbol':
    case 'trigger':
    case 'cooldownSeconds':
    case 'expiresAt':
    case 'message':
    case 'note':
      return head;
    case 'condition': {
      if (values.conditionType === JSON_CONDITION) return 'condition.json';
      const field = rest[0];
      const spec = specs.find((s) => s.type === values.conditionType);
      if (field !== undefined && spec?.fields.some((f) => f.name === field)) return `condition.${field}`;
      return 'condition.type';
    }
    case 'channels': {
      const index = rest[0];
      return index !== undefined && /^\d+$/.test(index) && Number(index) < values.channels.length ? `channels.${index}` : 'channels';
    }
    default:
      return 'form';
  }
}

/** The API's errors grouped by field key; messages name no field (the field shows it). */
export function errorsByField(details: readonly FieldError[], values: RuleFormValues, specs: readonly ConditionTypeSpec[]): Record<string, string[]> {
  const grouped: Record<string, string[]> = {};
  for (const detail of details) {
    const key = fieldKeyOf(detail.path, values, specs);
    const text = key === 'form' && detail.path !== '' ? `${detail.path} ${detail.message}` : detail.message;
    (grouped[key] ??= []).push(text);
  }
  return grouped;
}

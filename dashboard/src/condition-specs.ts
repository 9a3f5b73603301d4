/**
 * The rule form's condition fields, derived from the rule model instead of written by hand: the
 * build (dashboard/build.ts) turns core/rule-model's condition schema into JSON Schema and this
 * module reads each condition type and its fields out of it. A condition type added to the model
 * appears in the form with the next build, fields and bounds included; its labels come from the
 * condition registry (core/conditions). A field the form has no input for (a list of conditions,
 * a nested object) is edited as JSON. Pure: no DOM, no Node.
 */
import { CONDITIONS, conditionForm } from '../../core/conditions/registry';

export type ConditionFieldKind = 'number' | 'integer' | 'text' | 'choice' | 'json';

export interface ConditionFieldSpec {
  name: string;
  kind: ConditionFieldKind;
  required: boolean;
  /** Inclusive bounds, when the schema states them. */
  min?: number;
  max?: number;
  /** Exclusive bounds (`gt`, `lt` in the model), when the schema states them. */
  above?: number;
  below?: number;
  /** Allowed values of a `choice`. */
  choices?: string[];
}

export interface ConditionTypeSpec {
  type: string;
  fields: ConditionFieldSpec[];
}

type JsonSchema = {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
};

const isSchema = (value: unknown): value is JsonSchema => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every object variant with a constant `type`, found through nested `oneOf` / `anyOf`, in schema order. */
function variants(schema: JsonSchema): JsonSchema[] {
  const nested = [...(schema.oneOf ?? []), ...(schema.anyOf ?? [])].filter(isSchema);
  if (nested.length > 0) return nested.flatMap(variants);
  return typeof schema.properties?.type?.const === 'string' ? [schema] : [];
}

function fieldOf(name: string, schema: JsonSchema, required: boolean): ConditionFieldSpec {
  const bounds = {
    ...(typeof schema.minimum === 'number' ? { min: schema.minimum } : {}),
    ...(typeof schema.maximum === 'number' ? { max: schema.maximum } : {}),
    ...(typeof schema.exclusiveMinimum === 'number' ? { above: schema.exclusiveMinimum } : {}),
    ...(typeof schema.exclusiveMaximum === 'number' ? { below: schema.exclusiveMaximum } : {}),
  };
  if (schema.type === 'number') return { name, kind: 'number', required, ...bounds };
  if (schema.type === 'integer') return { name, kind: 'integer', required, ...bounds };
  if (Array.isArray(schema.enum) && schema.enum.every((v) => typeof v === 'string')) return { name, kind: 'choice', required, choices: schema.enum as string[] };
  if (schema.type === 'string') return { name, kind: 'text', required };
  return { name, kind: 'json', required };
}

/**
 * The condition types of a JSON Schema of the condition union, each with its fields.
 * @example conditionTypeSpecs(z.toJSONSchema(conditionSchema))[0] // { type: 'price_above', fields: [{ name: 'value', kind: 'number', … }] }
 */
export function conditionTypeSpecs(schema: unknown): ConditionTypeSpec[] {
  if (!isSchema(schema)) return [];
  const seen = new Set<string>();
  const specs: ConditionTypeSpec[] = [];
  for (const variant of variants(schema)) {
    const type = variant.properties?.type?.const as string;
    if (seen.has(type)) continue;
    seen.add(type);
    const required = new Set(variant.required ?? []);
    const fields = Object.entries(variant.properties ?? {})
      .filter(([name]) => name !== 'type')
      .map(([name, field]) => fieldOf(name, field, required.has(name)));
    specs.push({ type, fields });
  }
  return specs;
}

/** Labels of fields outside the registry's condition types (the list of an `all` / `any`). */
const FIELD_LABELS: Record<string, string> = { conditions: 'Conditions (JSON list)' };

/** A field's label: as the condition registry names it (by any type that has it), else from the camelCase name. */
export function fieldLabel(name: string, type?: string): string {
  const known = (type === undefined ? undefined : conditionForm(type)?.fields[name]) ?? registryFieldLabels.get(name) ?? FIELD_LABELS[name];
  if (known !== undefined) return known;
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const registryFieldLabels = new Map(CONDITIONS.flatMap((d) => Object.entries(d.form.fields)));

const TYPE_WORDS: Record<string, string> = { rsi: 'RSI', macd: 'MACD', ma: 'MA', bollinger: 'Bollinger' };

/** A type's label in the picker: the registry's (`crosses above`, `RSI above`), else from the type's name. */
export const typeLabel = (type: string) =>
  conditionForm(type)?.label ??
  type
    .split('_')
    .map((word) => TYPE_WORDS[word] ?? word)
    .join(' ');

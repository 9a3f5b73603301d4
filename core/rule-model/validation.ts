/**
 * Turns zod issues into the API's error details: every message names the field it is about
 * (`condition.value must be a positive number`), in the same words for every schema.
 */
import type { z } from 'zod';

export interface FieldError {
  /** Dotted path of the field, array positions in brackets: `channels[1].to`; empty for the body itself. */
  path: string;
  message: string;
}

/** Raised by {@link parseWith} when input does not match its schema. */
export class ValidationError extends Error {
  readonly details: FieldError[];
  constructor(details: FieldError[]) {
    super(details.map(describeFieldError).join('; '));
    this.name = 'ValidationError';
    this.details = details;
  }
}

export function describeFieldError({ path, message }: FieldError): string {
  return path === '' ? `body ${message}` : `${path} ${message}`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text === '' ? String(key) : `${text}.${String(key)}`;
  }, '');
}

/**
 * Error for a schema's type check: "is required" when the field is missing, else "must be …".
 * @example z.number({ error: mustBe('a number') })
 */
export function mustBe(description: string) {
  return (issue: { input?: unknown }): string => (issue.input === undefined ? 'is required' : `must be ${description}`);
}

/** Phrases zod's built-in issues (those without a schema-level message) as "must …". */
const phraseIssue: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      if (issue.expected === 'object' && (issue.path?.length ?? 0) === 0) return 'must be a JSON object';
      return `must be ${article(issue.expected)}`;
    case 'unrecognized_keys':
      return `has unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return undefined;
  }
};

function article(expected: string): string {
  const noun = expected === 'int' ? 'integer' : expected;
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

export function toFieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => {
    // An unknown key is reported on its parent object; name the key itself as the field.
    if (issue.code === 'unrecognized_keys' && issue.keys.length === 1) {
      return { path: formatPath([...issue.path, issue.keys[0] as string]), message: 'is not a known field' };
    }
    return { path: formatPath(issue.path), message: issue.message };
  });
}

/** Parses `input` with `schema`, throwing a {@link ValidationError} whose messages name the fields. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input, { error: phraseIssue });
  if (!result.success) throw new ValidationError(toFieldErrors(result.error));
  return result.data;
}

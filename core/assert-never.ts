/**
 * The end of every `switch` over a union: the compiler names each place a new variant needs,
 * and a value that slips past the types (old data, a bad cast) fails loudly instead of silently.
 * @example default: return assertNever(condition, 'condition type');
 */
export function assertNever(value: never, what = 'value'): never {
  const shown = typeof value === 'object' && value !== null && 'type' in value ? (value as { type: unknown }).type : value;
  throw new Error(`unhandled ${what}: ${JSON.stringify(shown)}`);
}

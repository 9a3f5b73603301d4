/**
 * Reading settings from an environment with zod, the same way for the functions
 * (functions/shared/config.ts) and for `npm start` (local/settings.ts): unset and empty mean
 * "use the default", and a bad value is refused with one line naming the variable and, unless
 * it is a secret, the value.
 */
import * as z from 'zod';

/** An environment record, as `process.env` is. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Settings whose values never appear in an error. */
const SECRET_SETTINGS = new Set(['TELEGRAM_BOT_TOKEN', 'ITICK_TOKEN', 'DEV_API_KEY']);

/** Unset and empty variables both mean "use the default". */
export const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema);

/**
 * Parses `env` with `schema`; on the first bad setting throws `fail(message)`, the message
 * `NAME <what is wrong> (got "<value>")` (the value left out for secrets and unset variables).
 */
export function parseEnvSettings<S extends z.ZodType>(schema: S, env: Env, fail: (message: string) => Error, what = 'a setting'): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = String(issue?.path[0] ?? what);
  const value = env[name];
  const got = value === undefined || SECRET_SETTINGS.has(name) ? '' : ` (got ${JSON.stringify(value)})`;
  throw fail(`${name} ${issue?.message ?? 'is invalid'}${got}`);
}

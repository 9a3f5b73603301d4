/**
 * Query strings of the list routes, as zod schemas (validation and the OpenAPI document both use
 * them). Unknown parameters are refused like unknown body fields; an empty value (`?symbol=`)
 * counts as absent, also among repeats (`?symbol=&symbol=AAPL$US` is `?symbol=AAPL$US`).
 */
import * as z from 'zod';
import { isoTimestampSchema, parseWith, RULE_STATUSES, symbolSchema } from '../../core/rule-model';
import { documented } from '../../core/rule-model/schema-docs';
import { ID_PATTERN } from '../../storage/random-ids';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

const limitSchema = z
  .string()
  .regex(/^\d{1,3}$/, { error: `must be a whole number from 1 to ${MAX_PAGE_SIZE}` })
  .transform(Number)
  .pipe(
    z
      .int()
      .min(1, { error: `must be a whole number from 1 to ${MAX_PAGE_SIZE}` })
      .max(MAX_PAGE_SIZE, { error: `must be a whole number from 1 to ${MAX_PAGE_SIZE}` }),
  )
  .optional()
  .default(DEFAULT_PAGE_SIZE)
  .meta({ description: `page size, 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE})` });

const cursorSchema = documented(z.string(), {
  description: 'nextCursor of the previous page (opaque)',
  constraints: [{ kind: 'serverIssued', from: 'nextCursor' }],
}).optional();

export const listRulesQuerySchema = z.strictObject({
  symbol: symbolSchema.optional().meta({ description: 'only rules on this symbol (CODE$REGION or MARKET:CODE$REGION, any case)' }),
  status: z
    .enum(RULE_STATUSES, { error: `must be one of ${RULE_STATUSES.join(', ')}` })
    .optional()
    .meta({ description: 'only rules with this status as shown (as of now: a rule past expiresAt is expired, an active rule whose symbol iTick refuses is invalid_symbol)' }),
  limit: limitSchema,
  cursor: cursorSchema,
});

export const listAlertsQuerySchema = z.strictObject({
  ruleId: z
    .string()
    .regex(ID_PATTERN, { error: 'must be a rule id' })
    .optional()
    .meta({ description: 'only alerts of this rule' }),
  symbol: symbolSchema.optional().meta({ description: 'only alerts on this symbol (CODE$REGION or MARKET:CODE$REGION, any case)' }),
  since: isoTimestampSchema.optional().meta({ description: 'only alerts triggered at or after this time' }),
  limit: limitSchema,
  cursor: cursorSchema,
});

export type ListRulesQuery = z.output<typeof listRulesQuerySchema>;
export type ListAlertsQuery = z.output<typeof listAlertsQuerySchema>;

/**
 * Parses API Gateway's `queryStringParameters`, throwing a ValidationError that names the parameter.
 * The gateway joins a repeated parameter's values with commas; empty ones among them are dropped
 * like an empty value alone, so a parameter with only empty values is absent.
 */
export function parseQuery<S extends z.ZodType>(schema: S, parameters: Record<string, string | undefined> | undefined): z.output<S> {
  const present = Object.entries(parameters ?? {}).flatMap(([name, value]) => {
    const values = (value ?? '').split(',').filter((part) => part !== '');
    return values.length === 0 ? [] : [[name, values.join(',')] as const];
  });
  return parseWith(schema, Object.fromEntries(present));
}

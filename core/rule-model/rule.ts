/**
 * The rule resource of the HTTP API: what a client may send (create / patch) and what it gets back.
 * Server-managed fields (id, timestamps, triggerCount, statuses other than pause/resume) are not
 * accepted on input: strict objects reject them as unknown fields.
 */
import * as z from 'zod';
import { mustBe } from './validation';
import { channelSchema } from './channels';
import { conditionSchema } from './conditions';
import { documented, withJsonSchema } from './schema-docs';
import { SYMBOL_PATTERN, symbolSchema } from './symbol';

export const TRIGGER_MODES = ['once', 'rearm', 'repeat'] as const;
export const RULE_STATUSES = ['active', 'paused', 'triggered', 'expired'] as const;
/** Statuses a client may set: pause and resume. */
export const SETTABLE_STATUSES = ['active', 'paused'] as const;

export const DEFAULT_TRIGGER = 'rearm';
export const DEFAULT_COOLDOWN_SECONDS = 300;
export const MAX_COOLDOWN_SECONDS = 604_800;
export const MAX_CHANNELS = 10;
export const MAX_NOTE_LENGTH = 500;
export const MAX_MESSAGE_LENGTH = 1000;

export const triggerSchema = z.enum(TRIGGER_MODES, { error: `must be one of ${TRIGGER_MODES.join(', ')}` });

export const cooldownSecondsSchema = z
  .int({ error: mustBe('a whole number of seconds') })
  .min(0, { error: 'must be at least 0' })
  .max(MAX_COOLDOWN_SECONDS, { error: `must be at most ${MAX_COOLDOWN_SECONDS} (7 days)` });

const isoDatetime = z.iso.datetime({ offset: true, error: mustBe('an ISO-8601 timestamp such as 2026-12-31T21:00:00Z') });

/**
 * ISO-8601 timestamp with `Z` or an offset, normalised to UTC (`2026-12-31T21:00:00.000Z`). Its
 * JSON Schema is the accepted form (`format` and zod's `pattern`), in both directions.
 */
export const isoTimestampSchema = withJsonSchema(
  isoDatetime.transform((value) => new Date(value).toISOString()),
  { type: 'string', format: 'date-time', pattern: isoDatetime._zod.pattern.source },
);

/** `expiresAt` of a create or patch: after it the rule never fires (checked in functions/api/rule-changes.ts). */
const expiresAtSchema = documented(isoTimestampSchema, {
  description: 'after this time the rule is expired and never fires',
  constraints: [{ kind: 'futureTimestamp' }],
});

const channelsSchema = z
  .array(channelSchema, { error: mustBe('an array of channels') })
  .max(MAX_CHANNELS, { error: `must hold at most ${MAX_CHANNELS} channels` });

const messageSchema = z
  .string({ error: mustBe('a string') })
  .min(1, { error: 'must not be empty' })
  .max(MAX_MESSAGE_LENGTH, { error: `must be at most ${MAX_MESSAGE_LENGTH} characters` });

const noteSchema = z.string({ error: mustBe('a string') }).max(MAX_NOTE_LENGTH, { error: `must be at most ${MAX_NOTE_LENGTH} characters` });

const settableStatusSchema = z.enum(SETTABLE_STATUSES, {
  error: 'must be "active" or "paused" (other statuses are set by the server)',
});

/** Body of `POST /rules`. */
export const ruleCreateSchema = z.strictObject({
  symbol: symbolSchema,
  condition: conditionSchema,
  trigger: triggerSchema.default(DEFAULT_TRIGGER),
  cooldownSeconds: cooldownSecondsSchema.default(DEFAULT_COOLDOWN_SECONDS),
  expiresAt: expiresAtSchema.nullable().default(null),
  channels: channelsSchema.default([]),
  message: messageSchema.nullable().default(null),
  note: noteSchema.nullable().default(null),
  status: settableStatusSchema.default('active'),
});

/** Body of `PATCH /rules/{id}`: any subset of the create fields (at least one); `status` pauses or resumes. */
export const rulePatchSchema = withJsonSchema(
  z
    .strictObject({
      symbol: symbolSchema.optional(),
      condition: conditionSchema.optional(),
      trigger: triggerSchema.optional(),
      cooldownSeconds: cooldownSecondsSchema.optional(),
      expiresAt: expiresAtSchema.nullable().optional(),
      channels: channelsSchema.optional(),
      message: messageSchema.nullable().optional(),
      note: noteSchema.nullable().optional(),
      status: settableStatusSchema.optional(),
    })
    .refine((patch) => Object.keys(patch).length > 0, { message: 'must change at least one field' }),
  { minProperties: 1 },
);

/** A rule as the API returns it. */
export const ruleSchema = z.strictObject({
  id: z.string(),
  symbol: z.string().regex(SYMBOL_PATTERN),
  condition: conditionSchema,
  trigger: triggerSchema,
  cooldownSeconds: z.int(),
  expiresAt: z.string().nullable(),
  channels: z.array(channelSchema),
  message: z.string().nullable(),
  note: z.string().nullable(),
  status: z.enum(RULE_STATUSES),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastTriggeredAt: z.string().nullable(),
  triggerCount: z.int(),
});

export type TriggerMode = z.infer<typeof triggerSchema>;
export type RuleStatus = (typeof RULE_STATUSES)[number];
export type RuleCreate = z.output<typeof ruleCreateSchema>;
export type RulePatch = z.output<typeof rulePatchSchema>;
export type Rule = z.infer<typeof ruleSchema>;

/**
 * The rule resource of the HTTP API: what a client may send (create / patch), what is stored, and
 * what it gets back. Server-managed fields (id, timestamps, triggerCount, statuses other than
 * pause/resume) are not accepted on input: strict objects reject them as unknown fields.
 *
 * What a client gets back is the stored rule plus the feed's verdict on it, computed when it is
 * read (functions/api/rule-changes.ts): `invalid_symbol` with its `statusMessage` while iTick
 * refuses the symbol, and `warmUp` while a bar series it reads warms from live data. Neither is
 * stored on the rule: both belong to the symbol (storage/symbols-repository.ts).
 */
import * as z from 'zod';
import { mustBe } from './validation';
import { channelSchema } from './channels';
import { BAR_INTERVALS, conditionSchema } from './conditions';
import { documented, withJsonSchema } from './schema-docs';
import { SYMBOL_PATTERN, symbolSchema } from './symbol';

export const TRIGGER_MODES = ['once', 'rearm', 'repeat'] as const;
/** Statuses a rule is stored with (set by the API and the evaluator). */
export const STORED_RULE_STATUSES = ['active', 'paused', 'triggered', 'expired'] as const;
/**
 * Statuses a client sees: the stored ones, and `invalid_symbol` for an active rule whose symbol
 * iTick refused as unknown (never stored, never settable: it lasts until a rule on the symbol changes).
 */
export const RULE_STATUSES = [...STORED_RULE_STATUSES, 'invalid_symbol'] as const;
/**
 * Why the server paused a rule: `flood_guard` — it fired more than FLOOD_GUARD_FIRES (15) times
 * within FLOOD_GUARD_WINDOW_SECONDS (180). Null for a rule paused by its owner, or not paused;
 * resuming (any patch that leaves the rule active) clears it.
 */
export const PAUSED_REASONS = ['flood_guard'] as const;
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

/** `snoozedUntil` of a create or patch: no alerts are sent until then (checked in functions/api/rule-changes.ts). */
const snoozedUntilSchema = documented(isoTimestampSchema, {
  description: 'no alerts are sent until this time: what fires meanwhile is recorded in GET /alerts with delivery status snoozed; null ends a snooze',
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
  snoozedUntil: snoozedUntilSchema.nullable().default(null),
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
      snoozedUntil: snoozedUntilSchema.nullable().optional(),
      channels: channelsSchema.optional(),
      message: messageSchema.nullable().optional(),
      note: noteSchema.nullable().optional(),
      status: settableStatusSchema.optional(),
    })
    .refine((patch) => Object.keys(patch).length > 0, { message: 'must change at least one field' }),
  { minProperties: 1 },
);

/** The fields of a rule that are stored with it (storage/rules-repository.ts). */
const storedRuleFields = {
  id: z.string(),
  symbol: z.string().regex(SYMBOL_PATTERN),
  condition: conditionSchema,
  trigger: triggerSchema,
  cooldownSeconds: z.int(),
  expiresAt: z.string().nullable(),
  snoozedUntil: z.string().nullable(),
  channels: z.array(channelSchema),
  message: z.string().nullable(),
  note: z.string().nullable(),
  status: z.enum(STORED_RULE_STATUSES),
  pausedReason: z
    .enum(PAUSED_REASONS)
    .nullable()
    .meta({ description: 'why the server paused the rule (flood_guard: it fired more than 15 times in 3 minutes), else null; resuming clears it' }),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastTriggeredAt: z.string().nullable(),
  triggerCount: z.int(),
};

/** A rule as stored: the resource without the feed's verdict, with a stored status. */
export const storedRuleSchema = z.strictObject(storedRuleFields);

/** The one state of {@link ruleWarmUpSchema}: iTick's history could not be had, live bars fill the series. */
export const WARMING_FROM_LIVE_DATA = 'warming_from_live_data';

/**
 * `warmUp` of a rule: bar series the rule's condition reads (indicators, a session's previous
 * close) that iTick's kline history could not warm — the REST budget was spent, iTick answered
 * 429 or failed — so they fill from live trades and the condition can hold only once enough
 * bars have closed.
 */
export const ruleWarmUpSchema = z
  .strictObject({
    state: z.literal(WARMING_FROM_LIVE_DATA),
    intervals: z.array(z.enum(BAR_INTERVALS)).min(1).meta({ description: 'the bar intervals of the rule that warm from live data, shortest first' }),
    since: z.string().meta({ description: 'ISO time since when the first of them warms from live data' }),
    reason: z.string().meta({ description: 'why iTick’s history could not be used, in a few words' }),
  })
  .meta({ description: 'bar series of the rule warming from live data: its indicators hold once enough live bars have closed' });

/** A rule as the API returns it. */
export const ruleSchema = z.strictObject({
  ...storedRuleFields,
  status: z.enum(RULE_STATUSES).meta({
    description:
      'active or paused as set; triggered (a once rule fired) and expired (past expiresAt, shown at once) by the server; invalid_symbol: an active rule whose symbol iTick refused as unknown, until a rule on the symbol changes (any patch asks iTick again)',
  }),
  statusMessage: z.string().nullable().meta({ description: 'why the rule has its status: iTick’s refusal while invalid_symbol, else null' }),
  warmUp: ruleWarmUpSchema.nullable(),
});

export type TriggerMode = z.infer<typeof triggerSchema>;
export type PausedReason = (typeof PAUSED_REASONS)[number];
export type RuleStatus = (typeof RULE_STATUSES)[number];
export type StoredRuleStatus = (typeof STORED_RULE_STATUSES)[number];
export type RuleWarmUp = z.infer<typeof ruleWarmUpSchema>;
export type StoredRule = z.infer<typeof storedRuleSchema>;
export type RuleCreate = z.output<typeof ruleCreateSchema>;
export type RulePatch = z.output<typeof rulePatchSchema>;
export type Rule = z.infer<typeof ruleSchema>;

/**
 * What a channel type declares, in one module per type (core/channels/*.ts), and what every other
 * part reads from the registry (core/channels/registry.ts) instead of a list of its own: the rule
 * schema and the OpenAPI document (`schema`), the API's and the notifier's URL checks
 * (`destination`), the message formats (`message`: the length of each part), the notifier's
 * pacing (`rateLimits`: lanes shared by every notifier instance), the delivery queues of the evaluator, the CDK stack and the local stack
 * (`queue`; the queue is named for the type), and the dashboard's rule form (`form`).
 *
 * Pure data and zod schemas: no network, no AWS SDK. How a message is formatted and sent is
 * network-side code in functions/notifier/channels/, keyed by the same type names (a missing
 * entry there does not compile).
 */
import type * as z from 'zod';

/** A token bucket: up to `capacity` messages at once, refilled evenly over `periodMs`. */
export interface BucketLimit {
  capacity: number;
  periodMs: number;
}

/** One pacing lane a send takes a slot on: a name shared by every notifier instance, and its bucket. */
export interface PaceLane {
  /** e.g. `telegram:chat:123456789`, `telegram:bot`, `ses:account`. */
  key: string;
  limit: BucketLimit;
}

/** The deployment's settings a channel's pacing may depend on (functions/shared/config.ts). */
export interface PaceSettings {
  /** SES_MAX_SEND_RATE: the account's sending rate, messages per second. */
  sesMaxSendRate: number;
}

/**
 * How long one formatted part of a message may be. Longer texts are cut with an ellipsis (…),
 * never refused at send time.
 */
export interface LengthLimit {
  max: number;
  /** `characters`: UTF-16 code units of the part as sent, markup included; `bytes`: its UTF-8 bytes. */
  unit: 'characters' | 'bytes';
}

/** Where a channel's messages may go. */
export type DestinationPolicy =
  /**
   * A URL the user gives in `field`: the URL policy (core/channels/url-destination.ts, enforced by
   * functions/shared/webhook-url-policy.ts) vets it when the rule is saved and at every send.
   */
  | { kind: 'url'; field: string }
  /** An address the channel's own service resolves (an email address, a chat id) in `field`: the schema checks its form. */
  | { kind: 'address'; field: string }
  /** The owner's own open dashboards: nothing for the user to choose. */
  | { kind: 'owner' };

/** How fast the notifier sends on the channel, all instances together. */
export type RateLimits =
  /**
   * Every send takes a slot on each of `lanes(channel)` first (storage/send-pacing-repository.ts:
   * one DynamoDB item per lane, so the limits hold across notifier instances).
   */
  | { paced: true; lanes: (channel: Record<string, unknown>, settings: PaceSettings) => PaceLane[] }
  /** No pacing: the far side's own throttling answers (retried) are the limit; `why` says whose. */
  | { paced: false; why: string };

/** The channel's delivery queue (one per type, named for it). */
export interface QueueSettings {
  /** Notifier instances reading the queue at most (the SQS event source's maximum concurrency); unset: no cap. */
  maxConcurrency?: number;
}

interface ChannelParts<Type extends string> {
  type: Type;
  /** A few words for docs, logs and the dashboard: "Telegram", "webhook". */
  title: string;
  destination: DestinationPolicy;
  /** The length limit of each formatted part, by the part's name in its formatter's output. */
  message: Readonly<Record<string, LengthLimit>>;
  rateLimits: RateLimits;
  queue: QueueSettings;
}

/** How the dashboard's rule form asks for a channel's destination (its `destination.field`). */
export interface ChannelForm {
  label: string;
  /** An example destination, valid for the schema. */
  placeholder: string;
  inputMode: 'email' | 'url' | 'text';
}

/** A channel a rule lists in its `channels`: the user gives its destination in the shape of `schema`. */
export interface RuleChannelDefinition<Type extends string = string, Schema extends z.ZodObject = z.ZodObject> extends ChannelParts<Type> {
  userSelectable: true;
  /** One item of a rule's `channels`: a strict object with `type: <Type>`. */
  schema: Schema;
  destination: Extract<DestinationPolicy, { field: string }>;
  form: ChannelForm;
}

/** A channel every alert goes to (the dashboard push): no rule schema, nothing to choose. */
export interface AlertWideChannelDefinition<Type extends string = string> extends ChannelParts<Type> {
  userSelectable: false;
  schema: null;
}

export type ChannelDefinition = RuleChannelDefinition | AlertWideChannelDefinition;

/** Declares a channel a rule may list; the literal types of `type`, `schema` and the rest are kept. */
export function defineRuleChannel<const Type extends string, Schema extends z.ZodObject, const Parts extends Omit<RuleChannelDefinition<Type, Schema>, 'userSelectable' | 'type' | 'schema'>>(
  definition: { type: Type; schema: Schema } & Parts,
): { userSelectable: true; type: Type; schema: Schema } & Parts {
  return { userSelectable: true, ...definition };
}

/** Declares a channel every alert goes to; the literal types of `type` and the rest are kept. */
export function defineAlertWideChannel<const Type extends string, const Parts extends Omit<AlertWideChannelDefinition<Type>, 'userSelectable' | 'type' | 'schema'>>(
  definition: { type: Type } & Parts,
): { userSelectable: false; type: Type; schema: null } & Parts {
  return { userSelectable: false, schema: null, ...definition };
}

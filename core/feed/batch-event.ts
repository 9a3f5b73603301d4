/**
 * The event the ingest task sends to the evaluator Lambda, and the evaluator's answer.
 * Versioned: a change that old evaluators cannot read gets a new `version`.
 *
 * Each shard of symbols has at most one batch in flight, so a shard's batches are evaluated in
 * order. The evaluator is stateless: the engine's market and trigger state travels with the batch
 * (`state`) and comes back in the answer, and the ingest task hands it to the next batch of the
 * shard. Positions (`fromPos`/`toPos`) number the ticks monotonically across restarts of the ingest
 * task (they derive from its wall clock); alert claims use them so that a retried or duplicated
 * batch can never fire the same alert twice.
 */
import * as z from 'zod';

export const BATCH_EVENT_VERSION = 1;

/** A point of a price path: `[price, epoch ms, volume traded since the previous point]`. */
export const pricePointSchema = z.tuple([
  z.number().positive(),
  z.number().int().nonnegative(),
  z.number().nonnegative(),
]);

export const symbolPathSchema = z.strictObject({
  symbol: z.string().min(1),
  /** The price path since the symbol's previous batch, compressed by {@link PathCompressor}. */
  points: z.array(pricePointSchema).min(1),
  /** Previous session close, when the feed has reported one. */
  prevClose: z.number().positive().optional(),
  /** True on the first batch after a (re)connect or (re)subscribe: the first point is a baseline. */
  reset: z.boolean().optional(),
});

export const batchEventSchema = z.strictObject({
  version: z.literal(BATCH_EVENT_VERSION),
  shard: z.number().int().nonnegative(),
  /** Per-shard sequence number of the batch; a retried batch keeps its number. */
  seq: z.number().int().nonnegative(),
  /** Position of the first and last tick in the batch (monotonic, see module comment). */
  fromPos: z.number().int().nonnegative(),
  toPos: z.number().int().nonnegative(),
  /** When the ingest task handed the batch over (epoch ms). */
  sentAt: z.number().int().nonnegative(),
  symbols: z.array(symbolPathSchema),
  /** The engine state the previous batch of this shard returned; absent after an ingest start. */
  state: z.unknown().optional(),
});

export const batchResultSchema = z.strictObject({
  version: z.literal(BATCH_EVENT_VERSION),
  shard: z.number().int().nonnegative(),
  seq: z.number().int().nonnegative(),
  /** Alerts the engine decided to fire, and how many of them this invocation claimed. */
  fired: z.number().int().nonnegative(),
  claimed: z.number().int().nonnegative(),
  /** The engine state to send with the shard's next batch. */
  state: z.unknown(),
});

export type PricePointTuple = z.infer<typeof pricePointSchema>;
export type SymbolPath = z.infer<typeof symbolPathSchema>;
export type BatchEvent = z.infer<typeof batchEventSchema>;
export type BatchResult = z.infer<typeof batchResultSchema>;

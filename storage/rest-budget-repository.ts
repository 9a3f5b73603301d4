/**
 * The DynamoDB side of iTick's REST budget: one item per token (keyed by a hash of it, never the
 * token) that every caller in every process — each evaluator instance, later the API's history
 * and backtests — takes its calls from, so that together they never exceed the plan's calls per
 * minute (docs/itick.md, "REST budget").
 *
 * The item is a sliding log: the times of the last `limit` calls granted, plus `pausedUntil`, set
 * when iTick answered 429 (its `Retry-After`), which holds every caller until then. A call is
 * granted when fewer than `limit` grants lie in the last `windowMs` and no pause runs. A sliding
 * log rather than a fixed per-minute counter: a counter lets `2 × limit` calls through around a
 * minute boundary, which a plan that counts any 60 s would answer with 429s.
 *
 * Writes are optimistic: read (consistently), decide ({@link decideSlot}, pure), write with the
 * condition that the item's `version` is still the one read; a process that lost the race reads
 * again. At a few calls a minute the item sees a few writes a minute: no hot key.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { updateIfCondition } from './conditional-update';
import type { Db } from './dynamodb-client';
import { PK, restBudgetKey, TTL } from './item-keys';

/** How many calls in any window of `windowMs`. */
export interface RestWindow {
  limit: number;
  windowMs: number;
}

/** What the item holds. */
export interface RestBudgetState {
  /** Epoch ms of the most recent grants (at most `limit` of them), oldest first. */
  grants: number[];
  /** Epoch ms until which iTick asked every caller to wait (429 `Retry-After`); 0: none. */
  pausedUntil: number;
}

/** A slot granted, or not before `retryAt`: the budget is `spent` (the window is full) or `paused` (a 429). */
export type SlotDecision = { granted: true; grants: number[] } | { granted: false; retryAt: number; why: 'spent' | 'paused' };

/** An item lives a day past its last write (TTL), so a token no longer used leaves nothing behind. */
const ITEM_TTL_SECONDS = 86_400;

/** Read-decide-write rounds lost to other processes before giving up (each loss means someone else got a slot). */
const MAX_ROUNDS = 6;
/** After that many losses the caller is refused and may ask again this much later. */
const CONTENDED_RETRY_MS = 1_000;

/**
 * Whether a call may go now, and the grants to store if so (pure).
 * @example decideSlot({ grants: [0, 10, 20], pausedUntil: 0 }, { limit: 3, windowMs: 60_000 }, 30) // { granted: false, retryAt: 60_000, why: 'spent' }
 */
export function decideSlot(state: RestBudgetState, window: RestWindow, now: number): SlotDecision {
  if (state.pausedUntil > now) return { granted: false, retryAt: state.pausedUntil, why: 'paused' };
  const recent = state.grants.filter((at) => at > now - window.windowMs).sort((a, b) => a - b);
  if (recent.length >= window.limit) {
    // The window frees a slot when the grant `limit` places from the end leaves it.
    const freeing = recent[recent.length - window.limit] as number;
    return { granted: false, retryAt: freeing + window.windowMs, why: 'spent' };
  }
  return { granted: true, grants: [...recent, now].sort((a, b) => a - b).slice(-window.limit) };
}

const numbers = (value: unknown): number[] => (Array.isArray(value) ? value.map(Number).filter(Number.isFinite) : []);

/** The budget item of a token hash, or null before its first call. */
export async function readRestBudget(db: Db, tokenHash: string): Promise<(RestBudgetState & { version: number }) | null> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: restBudgetKey(tokenHash), ConsistentRead: true }));
  if (Item === undefined) return null;
  return { grants: numbers(Item.grants), pausedUntil: Number(Item.pausedUntil ?? 0) || 0, version: Number(Item.version ?? 0) || 0 };
}

/**
 * Takes one call from the token's budget at `now`, or says when to ask again. Throws only when
 * DynamoDB fails. A caller that lost the item to other processes {@link MAX_ROUNDS} times in a
 * row is refused as `spent` for a second: they are taking the slots.
 */
export async function takeRestSlot(db: Db, tokenHash: string, window: RestWindow, now: number): Promise<SlotDecision> {
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const current = await readRestBudget(db, tokenHash);
    const decision = decideSlot(current ?? { grants: [], pausedUntil: 0 }, window, now);
    if (!decision.granted) return decision;
    const written = await updateIfCondition(db, {
      TableName: db.tableName,
      Key: restBudgetKey(tokenHash),
      UpdateExpression: 'SET grants = :grants, #version = :next, #ttl = :ttl',
      ConditionExpression: current === null ? 'attribute_not_exists(#pk)' : '#version = :read',
      ExpressionAttributeNames: { '#version': 'version', '#ttl': TTL, ...(current === null ? { '#pk': PK } : {}) },
      ExpressionAttributeValues: {
        ':grants': decision.grants,
        ':next': (current?.version ?? 0) + 1,
        ':ttl': Math.floor(now / 1000) + ITEM_TTL_SECONDS,
        ...(current === null ? {} : { ':read': current.version }),
      },
    });
    // Lost to another process: read again.
    if (written) return decision;
  }
  return { granted: false, retryAt: now + CONTENDED_RETRY_MS, why: 'spent' };
}

/**
 * Holds every caller of the token until `until` (iTick's 429 `Retry-After`). A later pause
 * already stored wins; the version moves, so a grant decided before the pause is not written.
 */
export async function pauseRestBudget(db: Db, tokenHash: string, until: number, now: number): Promise<void> {
  await updateIfCondition(db, {
    TableName: db.tableName,
    Key: restBudgetKey(tokenHash),
    UpdateExpression: 'SET pausedUntil = :until, #version = if_not_exists(#version, :zero) + :one, #ttl = :ttl',
    ConditionExpression: 'attribute_not_exists(pausedUntil) OR pausedUntil < :until',
    ExpressionAttributeNames: { '#version': 'version', '#ttl': TTL },
    ExpressionAttributeValues: { ':until': until, ':zero': 0, ':one': 1, ':ttl': Math.floor(Math.max(now, until) / 1000) + ITEM_TTL_SECONDS },
  });
}

/**
 * Pacing lanes shared by every notifier instance: one item per lane (`PACE#<lane>`, e.g.
 * `PACE#telegram:chat:123456789`, `PACE#telegram:bot`, `PACE#ses:account`), so that Telegram's
 * 1 message a second per chat and ~30 a second per bot, and the SES account's sending rate, hold
 * for the deployment, not per instance.
 *
 * Each lane is a GCRA (generic cell rate algorithm, the token bucket as one number): the item holds
 * `tat`, the theoretical arrival time of the next message. With `T = periodMs / capacity` between
 * messages and a burst of `capacity`, a send reserved when the lane's `tat` becomes `tat'` may go at
 * `max(now, tat' − periodMs)`. A reservation is one UpdateItem, two when the lane is busy, never a
 * read-modify-write race:
 * 1. the lane is idle (`tat ≤ now` or no item): `tat = now + T`, the slot is now;
 * 2. otherwise `ADD tat T` (atomic, so concurrent reservations get distinct slots), the slot is
 *    `tat' − periodMs`; if the lane went idle between the two writes, 1 again.
 * Every reservation gets its own slot, so messages to one chat leave spaced even when their sends
 * are spread over instances. `holdOff` pushes a lane's slots past a time (a 429's `retry_after`).
 */
import type { PaceLane } from '../core/channels/definition';
import { updatedAttributesIfCondition, updateIfCondition } from './conditional-update';
import type { Db } from './dynamodb-client';
import { paceLaneKey, TTL } from './item-keys';

/** An idle lane's item goes an hour after its last slot (TTL): one that is not used leaves nothing behind. */
const ITEM_TTL_SECONDS = 3_600;
/** Rounds of the two writes lost to the lane going idle in between (each needs another instance's slot to pass). */
const MAX_ROUNDS = 4;

const spacingOf = ({ limit }: PaceLane) => limit.periodMs / limit.capacity;
const expiry = (tat: number) => Math.ceil(tat / 1000) + ITEM_TTL_SECONDS;

/**
 * Reserves the next slot on `lane` and answers when it is (epoch ms, ≥ now). Throws only when
 * DynamoDB fails.
 * @example const at = await reservePaceSlot(db, { key: 'telegram:bot', limit: { capacity: 30, periodMs: 1000 } }, Date.now());
 */
export async function reservePaceSlot(db: Db, lane: PaceLane, now: number): Promise<number> {
  const spacing = spacingOf(lane);
  const Key = paceLaneKey(lane.key);
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const idle = await updateIfCondition(db, {
      TableName: db.tableName,
      Key,
      UpdateExpression: 'SET tat = :tat, #ttl = :ttl',
      ConditionExpression: 'attribute_not_exists(tat) OR tat <= :now',
      ExpressionAttributeNames: { '#ttl': TTL },
      ExpressionAttributeValues: { ':tat': now + spacing, ':now': now, ':ttl': expiry(now + spacing) },
    });
    if (idle) return now;
    const busy = await updatedAttributesIfCondition(db, {
      TableName: db.tableName,
      Key,
      UpdateExpression: 'ADD tat :spacing SET #ttl = :ttl',
      ConditionExpression: 'tat > :now',
      ExpressionAttributeNames: { '#ttl': TTL },
      // The TTL is a bound, not exact: a lane is busy for seconds, the item lives an hour.
      ExpressionAttributeValues: { ':spacing': spacing, ':now': now, ':ttl': expiry(now + lane.limit.periodMs) },
      ReturnValues: 'UPDATED_NEW',
    });
    if (busy !== null) return Math.max(now, Number(busy.tat) - lane.limit.periodMs);
  }
  // Always reached only if the lane kept turning idle under us: a slot a period away is safe.
  return now + lane.limit.periodMs;
}

/** No slot on `lane` before `until` (epoch ms): the far side asked to wait (Telegram's 429 `retry_after`). */
export async function holdOffPaceLane(db: Db, lane: PaceLane, until: number): Promise<void> {
  // The first slot after the hold is `tat − periodMs + spacing`… so `tat` is set one period (less a spacing) past `until`.
  const tat = until + lane.limit.periodMs - spacingOf(lane);
  await updateIfCondition(db, {
    TableName: db.tableName,
    Key: paceLaneKey(lane.key),
    UpdateExpression: 'SET tat = :tat, #ttl = :ttl',
    ConditionExpression: 'attribute_not_exists(tat) OR tat < :tat',
    ExpressionAttributeNames: { '#ttl': TTL },
    ExpressionAttributeValues: { ':tat': tat, ':ttl': expiry(tat) },
  });
}

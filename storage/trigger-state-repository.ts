/**
 * The evaluator's writes to rules: claiming alerts, recording re-arms, marking rules expired.
 * Each write commits with the symbol's counter item, whose `rulesVersion` bump tells every
 * evaluator's rule cache to reload the symbol (functions/evaluator/rule-cache.ts), and whose
 * `activeRules` drops by the rules that leave the active set.
 *
 * Writes of one symbol from one batch are packed into shared transactions (as many as fit
 * DynamoDB's 100 items and 4 MB: 49 claims of two items each, plus the counter item once), and a
 * symbol's transactions run one after another: so 150 rules firing at once on one hot symbol make
 * 4 transactions that never conflict with each other, where 150 transactions of their own would
 * all fight over the counter item. Different symbols' transactions run at the same time.
 *
 * A claim writes the alert record and the rule's trigger state together, conditional on the rule
 * being active, of the version the engine judged, and not fired yet from this batch's ticks
 * (`firedThrough < fromPos`), and on the alert not existing yet. Whatever retries or races, an
 * alert is claimed once. The alert enters the delivery outbox (delivery-outbox.ts) in the same write.
 * A shared transaction is all or nothing: when some of its conditions fail (a duplicate, a stale
 * rule), the cancellation reasons tell which, those writes are settled, and the rest is written
 * again without them.
 *
 * Alert limits ride on the claim (docs/security.md, "Alerts per minute and the flood guard"):
 * - the flood guard: the rule item keeps its latest fire times (alert-limits.ts `judgeFire`), and
 *   the claim is conditional on `triggerCount` being the one the window was judged from, so the
 *   window is exact across instances. A claim judged from an older copy of the rule (the
 *   evaluator's cache lags its own last claim) reads the rule again and is written again. The fire
 *   past the guard pauses the rule (`pausedReason: "flood_guard"`) in its claim, and its alert
 *   record carries the pause notice as its message: delivered like any alert, in place of it.
 * - held back by the owner's alerts per minute (decided before the claim,
 *   alert-limits-repository.ts): the alert is recorded with every delivery `rate_limited` and
 *   kept out of the outbox; the minute's notice carrier also writes the notice, an alert record
 *   of its own (id `<alert id>.notice`) in the outbox, in the same transaction.
 */
import { withDeliveryStatus, type Alert } from '../core/rule-model';
import { DEFAULT_FLOOD_GUARD, floodNotice, judgeFire, type FloodGuardSettings } from './alert-limits';
import { alertItemKeys, alertKeyOf, DEFAULT_ALERT_RETENTION_DAYS, getAlert } from './alerts-repository';
import type { Db } from './dynamodb-client';
import { GSI1PK, GSI1SK, outboxIndexKeys, PK, ruleKey, TTL } from './item-keys';
import { getRule, type RuleRecord } from './rules-repository';
import { symbolCounterUpdate } from './symbols-repository';
import { DYNAMODB_TRANSACTION_LIMITS, groupWrites, TransactionCancelledError, writeTransaction, type TransactionItem, type TransactionLimits } from './transactions';

export interface ClaimRequest {
  record: RuleRecord;
  /** The alert record; its id and `triggeredAt` derive from the batch, so a retry writes the same key. */
  alert: Alert;
  /** Tick time (epoch ms) of the firing point. */
  firedAt: number;
  /** The rule's `armed` after firing (false for a `rearm` rule that still holds). */
  armed: boolean;
  /** A `once` rule: its status becomes `triggered` and it leaves the active set. */
  consumed: boolean;
  /** Positions of the batch's first and last tick. */
  fromPos: number;
  toPos: number;
  retentionDays?: number;
  now: Date;
  /** Default {@link DEFAULT_FLOOD_GUARD} (15 fires in 3 minutes). */
  floodGuard?: FloodGuardSettings;
  /**
   * Held back by the owner's alerts per minute: `alert.deliveries` are all `rate_limited` and the
   * alert stays out of the outbox; `notice` (the minute's one notice, its deliveries pending) is
   * written beside it.
   */
  heldBack?: { notice: Alert | null };
}

export type ClaimResult =
  /** `paused`: this fire tripped the flood guard: the rule is paused and the alert carries the notice. */
  | { status: 'claimed'; paused?: boolean }
  /** The alert was written before (a retried or raced batch): these deliveries are still pending. */
  | { status: 'duplicate'; pending: number[] }
  /** The rule is no longer active, changed version, or fired from these ticks already. */
  | { status: 'stale' };

/** Claims one alert: {@link claimAlerts} of one. */
export async function claimAlert(db: Db, request: ClaimRequest): Promise<ClaimResult> {
  const [result] = await claimAlerts(db, [request]);
  if (result === undefined) throw new Error('claimAlerts answered no result');
  return result;
}

/**
 * Claims alerts, answering one result per request in the same order. Claims of one symbol share
 * transactions (module header), so however many rules of a hot symbol fire together, their claims
 * do not conflict with each other.
 */
export async function claimAlerts(db: Db, requests: readonly ClaimRequest[], options: ClaimOptions = {}): Promise<ClaimResult[]> {
  return writeRuleGroups(
    db,
    requests.map((request) => claimWrite(db, request)),
    options.limits ?? DYNAMODB_TRANSACTION_LIMITS,
    options.onResult,
  );
}

export interface ClaimOptions {
  /** Default: DynamoDB's (100 items, 4 MB per transaction). */
  limits?: TransactionLimits;
  /** Hears each claim's result (by its index in the requests) as soon as its transaction settles. */
  onResult?: (index: number, result: ClaimResult) => void;
}

/** Rewrites of one claim (its rule read again) before the batch fails: each means another claim of the rule landed meanwhile. */
const MAX_CLAIM_REWRITES = 5;

/**
 * The claim's writes, judged from `rule` (the engine's copy, or the rule read again after the
 * claim found it had fired since: module header).
 */
function claimWrite(db: Db, request: ClaimRequest, rule: RuleRecord = request.record, rewrites = 0): RuleWrite<ClaimResult> {
  const { record } = request;
  const retentionSeconds = (request.retentionDays ?? DEFAULT_ALERT_RETENTION_DAYS) * 86_400;
  const guard = request.floodGuard ?? DEFAULT_FLOOD_GUARD;
  const verdict = judgeFire(rule.recentFires, record.version, request.firedAt, guard);
  const paused = verdict.flood && !request.consumed;
  const held = paused ? undefined : request.heldBack;
  const alert: Alert = paused ? withDeliveryStatus({ ...request.alert, message: floodNotice(record.symbol, guard) }, 'pending') : request.alert;
  const key = alertKeyOf(alert);
  const leaves = request.consumed || paused;
  const set = [
    'lastFiredAt = :firedAt',
    'firedThrough = :toPos',
    'armed = :armed',
    'lastTriggeredAt = :triggeredAt',
    'triggerCount = if_not_exists(triggerCount, :zero) + :one',
    'recentFires = :recent',
    ...(request.consumed ? ['#status = :triggered'] : paused ? ['#status = :paused', 'pausedReason = :flood'] : []),
  ];
  const readCount = rule.triggerCount;
  const alertItem = (written: Alert, inOutbox: boolean) => ({
    Put: {
      TableName: db.tableName,
      Item: {
        ...written,
        ...alertItemKeys(record.owner, written),
        ...(inOutbox ? outboxIndexKeys(alertKeyOf(written)) : {}),
        owner: record.owner,
        // The channels and note as they were when the alert fired: what the notifier delivers.
        channels: record.channels,
        note: record.note,
        // Delivery leases by position (deliveries-repository.ts); kept off the alert resource.
        leases: {},
        [TTL]: Math.floor(Date.parse(written.triggeredAt) / 1000) + retentionSeconds,
      },
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': PK },
    },
  });
  const notice = held?.notice ?? null;
  return {
    symbol: record.symbol,
    leaves,
    now: request.now,
    written: { status: 'claimed', ...(paused ? { paused: true } : {}) },
    items: [
      {
        Update: {
          TableName: db.tableName,
          Key: ruleKey(record.owner, record.id),
          UpdateExpression: `SET ${set.join(', ')}${leaves ? ' REMOVE #gpk, #gsk' : ''}`,
          ConditionExpression:
            'attribute_exists(#pk) AND #status = :active AND #version = :version AND (attribute_not_exists(firedThrough) OR firedThrough < :fromPos)' +
            // The flood window was judged from this count of fires (exact across instances).
            (readCount === 0 ? ' AND (attribute_not_exists(triggerCount) OR triggerCount = :readCount)' : ' AND triggerCount = :readCount'),
          ExpressionAttributeNames: {
            '#pk': PK,
            '#status': 'status',
            '#version': 'version',
            ...(leaves ? { '#gpk': GSI1PK, '#gsk': GSI1SK } : {}),
          },
          ExpressionAttributeValues: {
            ':firedAt': request.firedAt,
            ':toPos': request.toPos,
            ':fromPos': request.fromPos,
            ':armed': request.armed,
            ':triggeredAt': alert.triggeredAt,
            ':zero': 0,
            ':one': 1,
            ':active': 'active',
            ':version': record.version,
            ':recent': verdict.recent,
            ':readCount': readCount,
            ...(request.consumed ? { ':triggered': 'triggered' } : paused ? { ':paused': 'paused', ':flood': 'flood_guard' } : {}),
          },
        },
      },
      alertItem(alert, held === undefined),
      ...(notice === null ? [] : [alertItem(notice, true)]),
    ],
    // The alert exists: a retried or raced batch (its pending deliveries are queued again). The
    // rule fired since the copy judged: judged again from the rule as stored. Else the rule is stale.
    settle: async (reasons) => {
      if (reasons[1] === 'ConditionalCheckFailed') {
        const existing = await getAlert(db, record.owner, key);
        const pending = (existing?.deliveries ?? []).flatMap((d, i) => (d.status === 'pending' ? [i] : []));
        return { status: 'duplicate', pending };
      }
      if (reasons[2] === 'ConditionalCheckFailed' && reasons[0] !== 'ConditionalCheckFailed') {
        // The notice is there already (its alert is not: written by a claim that was then stale).
        return new Rewrite(claimWrite(db, { ...request, heldBack: { notice: null } }, rule, rewrites));
      }
      const stored = await getRule(db, record.owner, record.id);
      const firedSince =
        stored !== null &&
        stored.status === 'active' &&
        stored.version === record.version &&
        (stored.firedThrough === undefined || stored.firedThrough < request.fromPos) &&
        stored.triggerCount !== readCount;
      if (!firedSince) return { status: 'stale' };
      if (rewrites >= MAX_CLAIM_REWRITES) throw new Error(`the claim of rule ${record.id} was overtaken by other claims ${rewrites} times`);
      return new Rewrite(claimWrite(db, request, stored, rewrites + 1));
    },
  };
}

/**
 * Records that a rule re-armed (or disarmed) without firing. Ignored when the rule changed or
 * left the active set meanwhile: its next version starts armed anyway.
 */
export async function recordArmed(db: Db, record: RuleRecord, armed: boolean, now: Date): Promise<void> {
  await recordArmedAll(db, [{ record, armed }], now);
}

/** {@link recordArmed} for many rules, sharing transactions per symbol like claims. */
export async function recordArmedAll(
  db: Db,
  changes: ReadonlyArray<{ record: RuleRecord; armed: boolean }>,
  now: Date,
  limits: TransactionLimits = DYNAMODB_TRANSACTION_LIMITS,
): Promise<void> {
  await writeRuleGroups(
    db,
    changes.map(({ record, armed }) =>
      ignoredWhenStale(record, false, now, {
        Update: {
          TableName: db.tableName,
          Key: ruleKey(record.owner, record.id),
          UpdateExpression: 'SET armed = :armed',
          ConditionExpression: 'attribute_exists(#pk) AND #status = :active AND #version = :version',
          ExpressionAttributeNames: { '#pk': PK, '#status': 'status', '#version': 'version' },
          ExpressionAttributeValues: { ':armed': armed, ':active': 'active', ':version': record.version },
        },
      }),
    ),
    limits,
  );
}

/** Marks an active rule whose `expiresAt` has passed as `expired`, taking it out of the active set. */
export async function expireRule(db: Db, record: RuleRecord, now: Date): Promise<void> {
  await expireRules(db, [record], now);
}

/** {@link expireRule} for many rules (those not past `expiresAt` are left alone), sharing transactions per symbol. */
export async function expireRules(db: Db, records: readonly RuleRecord[], now: Date, limits: TransactionLimits = DYNAMODB_TRANSACTION_LIMITS): Promise<void> {
  const due = records.filter((record) => record.expiresAt !== null && Date.parse(record.expiresAt) <= now.getTime());
  await writeRuleGroups(
    db,
    due.map((record) =>
      ignoredWhenStale(record, true, now, {
        Update: {
          TableName: db.tableName,
          Key: ruleKey(record.owner, record.id),
          UpdateExpression: 'SET #status = :expired REMOVE #gpk, #gsk',
          ConditionExpression: 'attribute_exists(#pk) AND #status = :active AND #version = :version',
          ExpressionAttributeNames: { '#pk': PK, '#status': 'status', '#version': 'version', '#gpk': GSI1PK, '#gsk': GSI1SK },
          ExpressionAttributeValues: { ':expired': 'expired', ':active': 'active', ':version': record.version },
        },
      }),
    ),
    limits,
  );
}

/** A write of one rule item whose failed condition (the rule changed or left the active set) means there is nothing to do. */
function ignoredWhenStale(record: RuleRecord, leaves: boolean, now: Date, item: TransactionItem): RuleWrite<undefined> {
  return { symbol: record.symbol, leaves, now, items: [item], written: undefined, settle: () => Promise.resolve(undefined) };
}

/** One rule's write: items that commit together, the first being the rule's. */
interface RuleWrite<R> {
  symbol: string;
  items: readonly TransactionItem[];
  /** Whether the rule leaves the symbol's active set (`activeRules` − 1). */
  leaves: boolean;
  now: Date;
  /** The result once the items are written. */
  written: R;
  /**
   * The result when one of the items' conditions failed (`reasons[i]` is item i's cancellation
   * code), or a {@link Rewrite}: the write to try again in its place.
   */
  settle(reasons: readonly string[]): Promise<R | Rewrite<R>>;
}

/** What a write's settle answers when the write is to be made again, differently (a claim judged from a newer rule). */
class Rewrite<R> {
  constructor(readonly write: RuleWrite<R>) {}
}

/**
 * Writes rule writes grouped per symbol (module header), answering each write's result in order.
 * Throws what a transaction threw when it is not explained by the writes' own conditions (still
 * conflicting after writeTransaction's retries, throttled, unreachable): the batch is retried.
 */
async function writeRuleGroups<R>(db: Db, writes: readonly RuleWrite<R>[], limits: TransactionLimits, onResult?: (index: number, result: R) => void): Promise<R[]> {
  const results = new Map<number, R>();
  const settled = (index: number, result: R) => {
    results.set(index, result);
    onResult?.(index, result);
  };
  const bySymbol = new Map<string, number[]>();
  writes.forEach((write, i) => {
    const indexes = bySymbol.get(write.symbol);
    if (indexes === undefined) bySymbol.set(write.symbol, [i]);
    else indexes.push(i);
  });
  // Every symbol's writes run to their end before a failure is thrown: nothing is still writing (or settling) behind it.
  const outcomes = await Promise.allSettled(
    [...bySymbol].map(async ([symbol, indexes]) => {
      const reserved = [symbolCounterUpdate(db, symbol, -indexes.length, new Date(0))];
      for (const group of groupWrites(indexes, (i) => writes[i]?.items ?? [], reserved, limits)) {
        await writeGroup(db, symbol, group, writes, settled);
      }
    }),
  );
  for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
  return writes.map((_, i) => {
    if (!results.has(i)) throw new Error(`rule write ${i} has no result`);
    return results.get(i) as R;
  });
}

/** One group's transaction, written again without the writes whose conditions failed until the rest commits. */
async function writeGroup<R>(
  db: Db,
  symbol: string,
  group: readonly number[],
  writes: readonly RuleWrite<R>[],
  settled: (index: number, result: R) => void,
): Promise<void> {
  const rewritten = new Map<number, RuleWrite<R>>();
  const writeOf = (i: number): RuleWrite<R> => {
    const write = rewritten.get(i) ?? writes[i];
    if (write === undefined) throw new Error(`no rule write ${i}`);
    return write;
  };
  let open = group;
  while (open.length > 0) {
    const leaving = open.filter((i) => writeOf(i).leaves).length;
    const first = writeOf(open[0] as number);
    try {
      await writeTransaction(db, [...open.flatMap((i) => writeOf(i).items), symbolCounterUpdate(db, symbol, leaving === 0 ? 0 : -leaving, first.now)]);
      for (const i of open) settled(i, writeOf(i).written);
      return;
    } catch (error) {
      if (!(error instanceof TransactionCancelledError)) throw error;
      const again: number[] = [];
      let explained = false;
      let offset = 0;
      for (const i of open) {
        const write = writeOf(i);
        const reasons = error.reasons.slice(offset, offset + write.items.length);
        offset += write.items.length;
        if (!reasons.includes('ConditionalCheckFailed')) {
          again.push(i);
          continue;
        }
        const outcome = await write.settle(reasons);
        if (outcome instanceof Rewrite) {
          rewritten.set(i, outcome.write);
          again.push(i);
          explained = true;
        } else {
          settled(i, outcome);
        }
      }
      // Nothing the writes' own conditions explain (the counter item, a conflict that outlasted the retries).
      if (again.length === open.length && !explained) throw error;
      open = again;
    }
  }
}

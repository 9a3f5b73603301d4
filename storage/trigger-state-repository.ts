/**
 * The evaluator's writes to rules: claiming an alert, recording a re-arm, marking a rule expired.
 * Each is one transaction with the symbol's counter item, whose `rulesVersion` bump tells every
 * evaluator's rule cache to reload the symbol (functions/evaluator/rule-cache.ts).
 *
 * A claim writes the alert record and the rule's trigger state together, conditional on the rule
 * being active, of the version the engine judged, and not fired yet from this batch's ticks
 * (`firedThrough < fromPos`), and on the alert not existing yet. Whatever retries or races, an
 * alert is claimed once. The alert enters the delivery outbox (delivery-outbox.ts) in the same write.
 */
import type { Alert } from '../core/rule-model';
import { alertKeyOf, DEFAULT_ALERT_RETENTION_DAYS, getAlert } from './alerts-repository';
import type { Db } from './dynamodb-client';
import { alertKey, GSI1PK, GSI1SK, outboxIndexKeys, PK, ruleKey, TTL } from './item-keys';
import type { RuleRecord } from './rules-repository';
import { symbolCounterUpdate } from './symbols-repository';
import { TransactionCancelledError, writeTransaction } from './transactions';

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
}

export type ClaimResult =
  | { status: 'claimed' }
  /** The alert was written before (a retried or raced batch): these deliveries are still pending. */
  | { status: 'duplicate'; pending: number[] }
  /** The rule is no longer active, changed version, or fired from these ticks already. */
  | { status: 'stale' };

export async function claimAlert(db: Db, request: ClaimRequest): Promise<ClaimResult> {
  const { record, alert, now } = request;
  const retentionSeconds = (request.retentionDays ?? DEFAULT_ALERT_RETENTION_DAYS) * 86_400;
  const key = alertKeyOf(alert);
  const set = [
    'lastFiredAt = :firedAt',
    'firedThrough = :toPos',
    'armed = :armed',
    'lastTriggeredAt = :triggeredAt',
    'triggerCount = if_not_exists(triggerCount, :zero) + :one',
    ...(request.consumed ? ['#status = :triggered'] : []),
  ];
  try {
    await writeTransaction(db, [
      {
        Update: {
          TableName: db.tableName,
          Key: ruleKey(record.owner, record.id),
          UpdateExpression: `SET ${set.join(', ')}${request.consumed ? ' REMOVE #gpk, #gsk' : ''}`,
          ConditionExpression:
            'attribute_exists(#pk) AND #status = :active AND #version = :version AND (attribute_not_exists(firedThrough) OR firedThrough < :fromPos)',
          ExpressionAttributeNames: {
            '#pk': PK,
            '#status': 'status',
            '#version': 'version',
            ...(request.consumed ? { '#gpk': GSI1PK, '#gsk': GSI1SK } : {}),
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
            ...(request.consumed ? { ':triggered': 'triggered' } : {}),
          },
        },
      },
      {
        Put: {
          TableName: db.tableName,
          Item: {
            ...alert,
            ...alertKey(record.owner, key),
            ...outboxIndexKeys(key),
            owner: record.owner,
            // The channels and note as they were when the alert fired: what the notifier delivers.
            channels: record.channels,
            note: record.note,
            // Delivery leases by position (deliveries-repository.ts); kept off the alert resource.
            leases: {},
            [TTL]: Math.floor(Date.parse(alert.triggeredAt) / 1000) + retentionSeconds,
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
        },
      },
      symbolCounterUpdate(db, record.symbol, request.consumed ? -1 : 0, now),
    ]);
    return { status: 'claimed' };
  } catch (error) {
    if (!(error instanceof TransactionCancelledError)) throw error;
    if (error.failedCondition(1)) {
      const existing = await getAlert(db, record.owner, key);
      const pending = (existing?.deliveries ?? []).flatMap((d, i) => (d.status === 'pending' ? [i] : []));
      return { status: 'duplicate', pending };
    }
    if (error.failedCondition(0)) return { status: 'stale' };
    throw error;
  }
}

/**
 * Records that a rule re-armed (or disarmed) without firing. Ignored when the rule changed or
 * left the active set meanwhile: its next version starts armed anyway.
 */
export async function recordArmed(db: Db, record: RuleRecord, armed: boolean, now: Date): Promise<void> {
  await ignoringStaleRule(
    writeTransaction(db, [
      {
        Update: {
          TableName: db.tableName,
          Key: ruleKey(record.owner, record.id),
          UpdateExpression: 'SET armed = :armed',
          ConditionExpression: 'attribute_exists(#pk) AND #status = :active AND #version = :version',
          ExpressionAttributeNames: { '#pk': PK, '#status': 'status', '#version': 'version' },
          ExpressionAttributeValues: { ':armed': armed, ':active': 'active', ':version': record.version },
        },
      },
      symbolCounterUpdate(db, record.symbol, 0, now),
    ]),
  );
}

/** Marks an active rule whose `expiresAt` has passed as `expired`, taking it out of the active set. */
export async function expireRule(db: Db, record: RuleRecord, now: Date): Promise<void> {
  if (record.expiresAt === null || Date.parse(record.expiresAt) > now.getTime()) return;
  await ignoringStaleRule(
    writeTransaction(db, [
      {
        Update: {
          TableName: db.tableName,
          Key: ruleKey(record.owner, record.id),
          UpdateExpression: 'SET #status = :expired REMOVE #gpk, #gsk',
          ConditionExpression: 'attribute_exists(#pk) AND #status = :active AND #version = :version',
          ExpressionAttributeNames: { '#pk': PK, '#status': 'status', '#version': 'version', '#gpk': GSI1PK, '#gsk': GSI1SK },
          ExpressionAttributeValues: { ':expired': 'expired', ':active': 'active', ':version': record.version },
        },
      },
      symbolCounterUpdate(db, record.symbol, -1, now),
    ]),
  );
}

async function ignoringStaleRule(write: Promise<void>): Promise<void> {
  try {
    await write;
  } catch (error) {
    if (error instanceof TransactionCancelledError && error.failedCondition(0)) return;
    throw error;
  }
}

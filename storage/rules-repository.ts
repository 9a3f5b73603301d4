/**
 * Rules in DynamoDB: one item per rule in its owner's partition. While a rule is `active` it also
 * carries the keys of the sparse active-rules-by-symbol index. Every write that changes the
 * owner's rule count or the set of active rules is one transaction with the counters it affects,
 * conditional on the rule being as it was read, so concurrent writers (another PATCH, the
 * evaluator) can never be overwritten or counted twice.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { rulePatchSchema, storedRuleSchema, type StoredRule, type StoredRuleStatus } from '../core/rule-model';
import type { Db } from './dynamodb-client';
import {
  activeRuleIndexKeys,
  GSI1PK,
  GSI1SK,
  ownerPartition,
  PK,
  RULE_SK_PREFIX,
  ruleKey,
  SK,
  symbolIndexPartition,
} from './item-keys';
import { ACTIVE_RULES_BY_SYMBOL_INDEX } from './table-definition';
import { encodeCursor } from './cursor';
import { queryAll, queryPage, type Page } from './query-page';
import { ruleCountUpdate } from './owners-repository';
import { symbolCounterUpdate } from './symbols-repository';
import { TransactionCancelledError, writeTransaction, type TransactionItem } from './transactions';

/** Trigger state, written by the evaluator with conditional updates (docs/storage.md). */
export interface RuleTriggerState {
  /** 1 on create, +1 on every change through the API. */
  version: number;
  /** True on create and whenever the rule is changed or resumed: the next match may fire. */
  armed: boolean;
  /** Epoch ms of the tick that last fired the rule. */
  lastFiredAt?: number;
  /** The evaluator's claim watermark (tick position up to which firings are claimed). */
  firedThrough?: number;
  /** The flood guard's window: tick times of the latest fires of `version` (storage/alert-limits.ts). */
  recentFires?: { version: number; at: number[] };
}

/** A rule as stored: the API resource without the feed's verdict (a stored `status`), its owner and its trigger state. */
export type RuleRecord = StoredRule & RuleTriggerState & { owner: string };

/** Raised when the owner already has `quota` rules. */
export class RuleQuotaExceededError extends Error {
  override readonly name = 'RuleQuotaExceededError';
  constructor(readonly quota: number) {
    super(`rule quota of ${quota} reached`);
  }
}

/** Raised when the rule changed (or vanished) between the read and the conditional write. */
export class ConcurrentRuleChangeError extends Error {
  override readonly name = 'ConcurrentRuleChangeError';
  constructor() {
    super('the rule changed while it was being written');
  }
}

/** The fields of the rule resource, from its schema. */
const RULE_FIELDS = Object.keys(storedRuleSchema.shape) as (keyof StoredRule)[];

/**
 * What an API write sets: the fields a patch may carry (from its schema), plus the bookkeeping
 * of a change. Trigger state and counters belong to the evaluator and are never written here.
 */
const CHANGEABLE_FIELDS = [...(Object.keys(rulePatchSchema.shape) as (keyof RuleRecord)[]), 'updatedAt', 'version', 'armed', 'pausedReason'] as const;

export function toRuleRecord(item: Record<string, unknown>): RuleRecord {
  const record = Object.fromEntries(RULE_FIELDS.map((field) => [field, item[field] ?? null])) as unknown as StoredRule;
  return {
    ...record,
    triggerCount: Number(item.triggerCount ?? 0),
    owner: String(item.owner),
    version: Number(item.version),
    armed: item.armed === true,
    ...(typeof item.lastFiredAt === 'number' ? { lastFiredAt: item.lastFiredAt } : {}),
    ...(typeof item.firedThrough === 'number' ? { firedThrough: item.firedThrough } : {}),
    ...(isRecentFires(item.recentFires) ? { recentFires: item.recentFires } : {}),
  };
}

function isRecentFires(value: unknown): value is { version: number; at: number[] } {
  if (typeof value !== 'object' || value === null) return false;
  const { version, at } = value as Record<string, unknown>;
  return typeof version === 'number' && Array.isArray(at) && at.every((t) => typeof t === 'number');
}

const isActive = (status: StoredRuleStatus) => status === 'active';

/**
 * Updates of the watched-symbol items a rule write touches: every symbol on which the rule is
 * active before or after the write, with the change in its count of active rules (the version
 * of its rules moves in every case, so the evaluator reloads them).
 */
function watchedSymbolChanges(db: Db, before: RuleRecord | null, after: RuleRecord | null, now: Date): TransactionItem[] {
  const was = before !== null && isActive(before.status) ? before.symbol : null;
  const is = after !== null && isActive(after.status) ? after.symbol : null;
  if (was !== null && was === is) return [symbolCounterUpdate(db, was, 0, now)];
  return [...(was === null ? [] : [symbolCounterUpdate(db, was, -1, now)]), ...(is === null ? [] : [symbolCounterUpdate(db, is, 1, now)])];
}

/** Conditions that the stored rule is still the one that was read. */
const unchangedSince = (before: RuleRecord) => ({
  ConditionExpression: 'attribute_exists(#pk) AND #version = :readVersion AND #status = :readStatus',
  names: { '#pk': PK, '#version': 'version', '#status': 'status' },
  values: { ':readVersion': before.version, ':readStatus': before.status },
});

/**
 * Stores a new rule, counting it against the owner's quota.
 * @throws RuleQuotaExceededError when the owner already has `quota` rules (nothing is written).
 */
export async function createRule(db: Db, rule: RuleRecord, options: { quota: number; now: Date }): Promise<void> {
  const item = {
    ...rule,
    ...ruleKey(rule.owner, rule.id),
    ...(isActive(rule.status) ? activeRuleIndexKeys(rule.symbol, rule.id) : {}),
  };
  try {
    await writeTransaction(db, [
      {
        Put: {
          TableName: db.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
        },
      },
      ruleCountUpdate(db, rule.owner, 1, options.quota),
      ...watchedSymbolChanges(db, null, rule, options.now),
    ]);
  } catch (error) {
    if (error instanceof TransactionCancelledError && error.failedCondition(1)) throw new RuleQuotaExceededError(options.quota);
    throw error;
  }
}

/** The owner's rule, or null: another owner's rule is as absent as a missing one. */
export async function getRule(db: Db, owner: string, ruleId: string): Promise<RuleRecord | null> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: ruleKey(owner, ruleId), ConsistentRead: true }));
  return Item === undefined ? null : toRuleRecord(Item);
}

export interface ListRulesOptions {
  limit: number;
  cursor?: string | undefined;
  symbol?: string | undefined;
  /** Filters on what DynamoDB cannot compute (e.g. the status as of now). */
  keep?: (rule: RuleRecord) => boolean;
}

/** The owner's rules in id order, one page at a time. */
export async function listRules(db: Db, owner: string, options: ListRulesOptions): Promise<Page<RuleRecord>> {
  const partition = ownerPartition(owner);
  const bySymbol = options.symbol === undefined ? {} : { FilterExpression: '#symbol = :symbol' };
  return queryPage(db, {
    partition,
    sortKeyPrefix: RULE_SK_PREFIX,
    query: {
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ...bySymbol,
      ExpressionAttributeNames: { '#pk': PK, '#sk': SK, ...(options.symbol === undefined ? {} : { '#symbol': 'symbol' }) },
      ExpressionAttributeValues: {
        ':pk': partition,
        ':prefix': RULE_SK_PREFIX,
        ...(options.symbol === undefined ? {} : { ':symbol': options.symbol }),
      },
      ConsistentRead: true,
    },
    limit: options.limit,
    cursor: options.cursor,
    toItem: toRuleRecord,
    keep: options.keep,
  });
}

/**
 * The cursor of the owner's listing that continues right after `rule`: for a caller that filters
 * a page further and ends its own page on a rule inside it (functions/api/rules-service.ts).
 */
export function ruleListCursorAfter(rule: Pick<RuleRecord, 'id'>): string {
  return encodeCursor(`${RULE_SK_PREFIX}${rule.id}`);
}

/**
 * Writes the API-changeable fields of `after` over the stored rule, provided it is still
 * `before` (same version and status), and moves the active-rule counters with it.
 * @throws ConcurrentRuleChangeError when the rule changed since `before` was read.
 */
export async function updateRule(db: Db, before: RuleRecord, after: RuleRecord, now: Date): Promise<void> {
  const guard = unchangedSince(before);
  const names: Record<string, string> = { ...guard.names, '#gpk': GSI1PK, '#gsk': GSI1SK };
  const values: Record<string, unknown> = { ...guard.values };
  const assignments = CHANGEABLE_FIELDS.map((field, i) => {
    names[`#f${i}`] = field;
    values[`:f${i}`] = after[field];
    return `#f${i} = :f${i}`;
  });
  let updateExpression: string;
  if (isActive(after.status)) {
    const indexKeys = activeRuleIndexKeys(after.symbol, after.id);
    Object.assign(values, { ':gpk': indexKeys[GSI1PK], ':gsk': indexKeys[GSI1SK] });
    updateExpression = `SET ${[...assignments, '#gpk = :gpk', '#gsk = :gsk'].join(', ')}`;
  } else {
    updateExpression = `SET ${assignments.join(', ')} REMOVE #gpk, #gsk`;
  }
  await writeGuarded(db, [
    {
      Update: {
        TableName: db.tableName,
        Key: ruleKey(before.owner, before.id),
        UpdateExpression: updateExpression,
        ConditionExpression: guard.ConditionExpression,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
    ...watchedSymbolChanges(db, before, after, now),
  ]);
}

/**
 * Deletes the rule, provided it is still `before`, and releases its counters.
 * @throws ConcurrentRuleChangeError when the rule changed since `before` was read.
 */
export async function deleteRule(db: Db, before: RuleRecord, now: Date): Promise<void> {
  const guard = unchangedSince(before);
  await writeGuarded(db, [
    {
      Delete: {
        TableName: db.tableName,
        Key: ruleKey(before.owner, before.id),
        ConditionExpression: guard.ConditionExpression,
        ExpressionAttributeNames: guard.names,
        ExpressionAttributeValues: guard.values,
      },
    },
    ruleCountUpdate(db, before.owner, -1),
    ...watchedSymbolChanges(db, before, null, now),
  ]);
}

/** A transaction whose first item is the guarded rule write. */
async function writeGuarded(db: Db, items: TransactionItem[]): Promise<void> {
  try {
    await writeTransaction(db, items);
  } catch (error) {
    if (error instanceof TransactionCancelledError && error.failedCondition(0)) throw new ConcurrentRuleChangeError();
    throw error;
  }
}

/**
 * Every active rule on `symbol`, of every owner: a Query of the sparse active-rules index (what
 * the evaluator reads for each symbol of a batch). Rules whose `expiresAt` has passed are still
 * listed until the evaluator marks them `expired`.
 */
export async function listActiveRulesBySymbol(db: Db, symbol: string): Promise<RuleRecord[]> {
  const items = await queryAll(db, {
    IndexName: ACTIVE_RULES_BY_SYMBOL_INDEX.indexName,
    KeyConditionExpression: '#gpk = :gpk',
    ExpressionAttributeNames: { '#gpk': GSI1PK },
    ExpressionAttributeValues: { ':gpk': symbolIndexPartition(symbol) },
  });
  return items.map(toRuleRecord);
}

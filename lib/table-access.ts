/**
 * What each function and task may do to the table, by partition: the least-privilege grants of
 * issue #16. Every entry names the actions a component's code sends and the partition kinds they
 * touch, spelled by storage/item-keys.ts (so a renamed prefix moves here by itself); the Storage
 * construct turns each into IAM statements with a `dynamodb:LeadingKeys` condition
 * (lib/constructs/storage.ts). docs/security.md ("Least privilege in AWS") has the same table with the code that needs
 * each line. Transactions need no action of their own: DynamoDB authorizes each item of one by
 * its Put/Update/Delete/ConditionCheck, under the same LeadingKeys condition.
 *
 * No entry writes an `APIKEY#` item: only the keys CLI does, with the operator's own credentials.
 */
import {
  alertPartition,
  alertRuleIndexPartition,
  apiKeyItemKey,
  connectionOwnerKey,
  connectionPartition,
  DELIVERY_OUTBOX_PARTITION,
  heartbeatKey,
  ownerPartition,
  PK,
  ownerMinuteKey,
  paceLaneKey,
  restBudgetKey,
  symbolIndexPartition,
  SYMBOLS_PARTITION,
  WATCHES_PARTITION,
  webhookSecretKey,
} from '../storage/item-keys';
import { ACTIVE_RULES_BY_SYMBOL_INDEX, ALERTS_BY_RULE_INDEX, DELIVERY_OUTBOX_INDEX } from '../storage/table-definition';

/** The item-level actions the system uses (never `dynamodb:*`, never Scan). */
export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:Query'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:ConditionCheckItem';

const ANY = '*';
const partitionOf = (key: Record<string, string>): string => {
  const value = key[PK];
  if (value === undefined) throw new Error('an item key without its partition key');
  return value;
};

/** The partition-key patterns (IAM `StringLike`) of each item kind: `OWNER#*` holds every owner's rules and profile. */
export const PARTITIONS = {
  /** Rules (`RULE#<id>`) and the owner's profile (`PROFILE`: the rule count). */
  owners: ownerPartition(ANY),
  /** `WEBHOOKSECRET#<owner>`: webhook signing secrets, the notifier's alone. */
  webhookSecrets: partitionOf(webhookSecretKey(ANY)),
  alerts: alertPartition(ANY),
  symbols: SYMBOLS_PARTITION,
  apiKeys: partitionOf(apiKeyItemKey(ANY)),
  connections: connectionPartition(ANY),
  /** `CONNID#<id>`: a connection's owner (`CONN`) and its watch list (`WATCHING`). */
  connectionIds: partitionOf(connectionOwnerKey(ANY)),
  watches: WATCHES_PARTITION,
  heartbeat: partitionOf(heartbeatKey()),
  restBudget: partitionOf(restBudgetKey(ANY)),
  /** `ALERTLIMIT#<owner>`: an owner's alerts per minute (OWNER_ALERTS_PER_MINUTE). */
  alertLimits: partitionOf(ownerMinuteKey(ANY, ANY)),
  /** `PACE#<lane>`: the notifiers' pacing lanes (Telegram per chat and per bot, the SES account). */
  paceLanes: partitionOf(paceLaneKey(ANY)),
} as const;
export type PartitionKind = keyof typeof PARTITIONS;

/** The index-partition patterns of the sparse indexes Query reads (LeadingKeys there is the index's partition key). */
export const INDEX_PARTITIONS = {
  [ACTIVE_RULES_BY_SYMBOL_INDEX.indexName]: symbolIndexPartition(ANY),
  [DELIVERY_OUTBOX_INDEX.indexName]: DELIVERY_OUTBOX_PARTITION,
  [ALERTS_BY_RULE_INDEX.indexName]: alertRuleIndexPartition(ANY, ANY),
} as const satisfies Record<string, string>;

/** Some actions on some partition kinds of the base table. */
export interface PartitionGrant {
  readonly actions: readonly TableAction[];
  readonly partitions: readonly PartitionKind[];
}

/** Query on one index, limited to the index partitions the code reads. */
export interface IndexGrant {
  readonly index: keyof typeof INDEX_PARTITIONS;
}

export interface TableAccess {
  readonly table: readonly PartitionGrant[];
  readonly indexes?: readonly IndexGrant[];
}

const READ: readonly TableAction[] = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
const RULE_WRITE: readonly TableAction[] = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'];

/**
 * Rules routes. Reads: GetItem of a rule, Query of the owner's `RULE#` items, BatchGetItem of the
 * page's `SYMBOLS` items (their feed state). Writes (create, update, delete): one transaction of
 * the rule, the owner's profile (rule count, quota) and the symbol's counter.
 */
const RULES_READ: TableAccess = { table: [{ actions: READ, partitions: ['owners', 'symbols'] }] };
const RULES_WRITE: TableAccess = { table: [...RULES_READ.table, { actions: RULE_WRITE, partitions: ['owners', 'symbols'] }] };

/** A deleted connection: GetItem of `CONNID#<id>/CONN`, DeleteItem of both connection items. */
const DELETE_CONNECTION: PartitionGrant[] = [
  { actions: ['dynamodb:GetItem'], partitions: ['connectionIds'] },
  { actions: ['dynamodb:DeleteItem'], partitions: ['connections', 'connectionIds'] },
];
/** Forgotten watches: GetItem of the watch list, one transaction deleting it and its `WATCH` items. */
const FORGET_WATCHES: PartitionGrant[] = [
  { actions: ['dynamodb:GetItem'], partitions: ['connectionIds'] },
  { actions: ['dynamodb:DeleteItem'], partitions: ['watches', 'connectionIds'] },
];

/** Every component's access, by the name the constructs use (HTTP routes by operation id). */
export const TABLE_ACCESS = {
  /** findApiKey: GetItem of `APIKEY#<hash>`. Read only: it cannot mint or revive a key. */
  apiAuthorizer: { table: [{ actions: ['dynamodb:GetItem'], partitions: ['apiKeys'] }] },
  socketAuthorizer: { table: [{ actions: ['dynamodb:GetItem'], partitions: ['apiKeys'] }] },
  createRule: RULES_WRITE,
  listRules: RULES_READ,
  getRule: RULES_READ,
  updateRule: RULES_WRITE,
  deleteRule: RULES_WRITE,
  /** listAlerts: Query of `ALERTS#<owner>`; with `?ruleId=`, Query of the alerts-by-rule index (`ALERTRULE#<owner>#<ruleId>`). */
  listAlerts: { table: [{ actions: ['dynamodb:Query'], partitions: ['alerts'] }], indexes: [{ index: ALERTS_BY_RULE_INDEX.indexName }] },
  /**
   * readHeartbeat: GetItem of `HEARTBEAT/ingest`. With a key (the route authorizes itself, since
   * it also answers without one): findApiKey (GetItem of `APIKEY#<hash>`), the caller's rules
   * (Query of `OWNER#<owner>`) and profile (GetItem), its socket slots (Query of `CONN#<owner>`),
   * its alerts this minute (GetItem of `ALERTLIMIT#<owner>`).
   */
  getHealth: {
    table: [
      { actions: ['dynamodb:GetItem'], partitions: ['heartbeat', 'apiKeys', 'alertLimits'] },
      { actions: ['dynamodb:GetItem', 'dynamodb:Query'], partitions: ['owners'] },
      { actions: ['dynamodb:Query'], partitions: ['connections'] },
    ],
  },
  /**
   * openConnection: Query of the owner's socket slots (`CONN#<owner>/SLOT#*`), then one
   * transaction of a slot (conditional Put), `CONN#<owner>/<id>` and `CONNID#<id>/CONN`.
   */
  socketConnect: {
    table: [
      { actions: ['dynamodb:Query'], partitions: ['connections'] },
      { actions: ['dynamodb:PutItem'], partitions: ['connections', 'connectionIds'] },
    ],
  },
  socketDisconnect: { table: [...DELETE_CONNECTION, ...FORGET_WATCHES] },
  /** setWatches: GetItem of the watch list, one transaction putting and deleting `WATCH` items and the list. */
  socketWatch: {
    table: [
      { actions: ['dynamodb:GetItem'], partitions: ['connectionIds'] },
      { actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'], partitions: ['watches', 'connectionIds'] },
    ],
  },
  /**
   * The evaluator: Query of `SYMBOLS` and of GSI1 (`SYM#<symbol>`), GSI3 (`OUTBOX`); the claim
   * transaction (UpdateItem of the rule, PutItem of the alert, UpdateItem of the symbol), re-arms
   * and expiries (UpdateItem of the rule with the symbol), markQueued (UpdateItem of the alert),
   * setSymbolWarmUp (UpdateItem of the symbol), the REST budget (GetItem, UpdateItem). No DeleteItem,
   * nothing on keys, connections or watches.
   */
  evaluator: {
    table: [
      { actions: ['dynamodb:Query', 'dynamodb:UpdateItem'], partitions: ['symbols'] },
      // GetItem: a claim that lost its condition reads the rule (flood window) or the alert (a duplicate) it met.
      { actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], partitions: ['owners'] },
      { actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], partitions: ['alerts'] },
      { actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], partitions: ['restBudget', 'alertLimits'] },
    ],
    indexes: [{ index: ACTIVE_RULES_BY_SYMBOL_INDEX.indexName }, { index: DELIVERY_OUTBOX_INDEX.indexName }],
  },
  /** The outbox sweeper: Query of GSI3 (`OUTBOX`), markQueued (UpdateItem of the alert). */
  outboxSweeper: {
    table: [{ actions: ['dynamodb:UpdateItem'], partitions: ['alerts'] }],
    indexes: [{ index: DELIVERY_OUTBOX_INDEX.indexName }],
  },
  /**
   * The notifier: GetItem and UpdateItem of the alert (lease, outcome); Query of `CONN#<owner>`
   * and deleting gone connections (dashboard push); GetItem of the owner's webhook secret item
   * (`WEBHOOKSECRET#<owner>`; the only role that reads that partition); UpdateItem of the pacing
   * lanes (`PACE#*`). Nothing in `OWNER#`.
   */
  notifier: {
    table: [
      { actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], partitions: ['alerts'] },
      { actions: ['dynamodb:UpdateItem'], partitions: ['paceLanes'] },
      { actions: ['dynamodb:Query'], partitions: ['connections'] },
      ...DELETE_CONNECTION,
      { actions: ['dynamodb:GetItem'], partitions: ['webhookSecrets'] },
    ],
  },
  /** The ingest task: Query of `SYMBOLS` and `WATCH`, PutItem of its heartbeat, markSymbolInvalid (UpdateItem, conditional on the item). */
  ingestTask: {
    table: [
      { actions: ['dynamodb:Query', 'dynamodb:UpdateItem'], partitions: ['symbols'] },
      { actions: ['dynamodb:Query'], partitions: ['watches'] },
      { actions: ['dynamodb:PutItem'], partitions: ['heartbeat'] },
    ],
  },
  /** The feed watchdog's state machine: GetItem of `HEARTBEAT/ingest`. */
  feedWatchdog: { table: [{ actions: ['dynamodb:GetItem'], partitions: ['heartbeat'] }] },
  /** With live prices: forgetting a gone page's watches. */
  ingestTaskLivePrices: { table: FORGET_WATCHES },
} as const satisfies Record<string, TableAccess>;
export type AccessName = keyof typeof TABLE_ACCESS;

/** A component's access by name; an HTTP route without an entry is an error at synth, not a table-wide grant. */
export function tableAccessOf(name: string): TableAccess {
  if (!Object.hasOwn(TABLE_ACCESS, name)) throw new Error(`lib/table-access.ts has no entry for ${name}: add what its code reads and writes`);
  return TABLE_ACCESS[name as AccessName];
}

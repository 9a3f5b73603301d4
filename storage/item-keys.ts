/**
 * The key values of every item kind in the table: the one place that knows how `PK`/`SK` and the
 * index keys are spelled. Attribute names come from table-definition.ts; docs/storage.md shows
 * the resulting layout.
 */
import { ACTIVE_RULES_BY_SYMBOL_INDEX, ALERTS_BY_RULE_INDEX, API_KEYS_INDEX, DELIVERY_OUTBOX_INDEX, TABLE } from './table-definition';

export const PK = TABLE.partitionKey.name;
export const SK = TABLE.sortKey.name;
export const TTL = TABLE.timeToLiveAttribute;
export const GSI1PK = ACTIVE_RULES_BY_SYMBOL_INDEX.partitionKey.name;
export const GSI1SK = ACTIVE_RULES_BY_SYMBOL_INDEX.sortKey.name;
export const GSI2PK = API_KEYS_INDEX.partitionKey.name;
export const GSI2SK = API_KEYS_INDEX.sortKey.name;
export const GSI3PK = DELIVERY_OUTBOX_INDEX.partitionKey.name;
export const GSI3SK = DELIVERY_OUTBOX_INDEX.sortKey.name;
export const GSI4PK = ALERTS_BY_RULE_INDEX.partitionKey.name;
export const GSI4SK = ALERTS_BY_RULE_INDEX.sortKey.name;

export type ItemKey = Record<string, string>;

const key = (pk: string, sk: string): ItemKey => ({ [PK]: pk, [SK]: sk });

export const RULE_SK_PREFIX = 'RULE#';
export const ALERT_SK_PREFIX = 'ALERT#';

export const ownerPartition = (owner: string) => `OWNER#${owner}`;
export const ruleKey = (owner: string, ruleId: string) => key(ownerPartition(owner), `${RULE_SK_PREFIX}${ruleId}`);
export const ownerProfileKey = (owner: string) => key(ownerPartition(owner), 'PROFILE');
/**
 * An owner's webhook signing secrets, in a partition of their own so that IAM (`LeadingKeys`) can
 * give them to the notifier alone: the rules routes must read `OWNER#<owner>` (rules, rule count).
 */
export const webhookSecretKey = (owner: string) => key(`WEBHOOKSECRET#${owner}`, 'SECRET');

/** Index keys a rule carries while it is active (and only then). */
export const activeRuleIndexKeys = (symbol: string, ruleId: string) => ({
  [GSI1PK]: symbolIndexPartition(symbol),
  [GSI1SK]: `${RULE_SK_PREFIX}${ruleId}`,
});
export const symbolIndexPartition = (symbol: string) => `SYM#${symbol}`;

export const SYMBOLS_PARTITION = 'SYMBOLS';
export const watchedSymbolKey = (symbol: string) => key(SYMBOLS_PARTITION, symbol);

export const alertPartition = (owner: string) => `ALERTS#${owner}`;
/** Sort key of an alert: ISO time first, so the partition sorts by time (newest first when read backwards). */
export const alertSortKey = (triggeredAt: string, alertId: string) => `${ALERT_SK_PREFIX}${triggeredAt}#${alertId}`;
export const alertKey = (owner: string, sortKey: string) => key(alertPartition(owner), sortKey);
/**
 * Index keys every alert carries for `GET /alerts?ruleId=`: one index partition per owner and
 * rule (owner ids and rule ids never hold `#`), sorted by the alert's own sort key, so the index
 * reads newest first and a cursor (an alert sort key) means the same position in both listings.
 */
export const alertRuleIndexPartition = (owner: string, ruleId: string) => `ALERTRULE#${owner}#${ruleId}`;
export const alertRuleIndexKeys = (owner: string, ruleId: string, alertSortKey: string) => ({
  [GSI4PK]: alertRuleIndexPartition(owner, ruleId),
  [GSI4SK]: alertSortKey,
});
export const DELIVERY_OUTBOX_PARTITION = 'OUTBOX';
/** Index keys an alert carries until its deliveries are queued; the sort key orders by trigger time. */
export const outboxIndexKeys = (alertSortKey: string) => ({ [GSI3PK]: DELIVERY_OUTBOX_PARTITION, [GSI3SK]: alertSortKey });

export const apiKeyItemKey = (keyHash: string) => key(`APIKEY#${keyHash}`, 'APIKEY');
export const API_KEYS_PARTITION = 'APIKEYS';
export const apiKeyIndexKeys = (owner: string, keyId: string) => ({
  [GSI2PK]: API_KEYS_PARTITION,
  [GSI2SK]: `${owner}#${keyId}`,
});

export const connectionPartition = (owner: string) => `CONN#${owner}`;
export const connectionKey = (owner: string, connectionId: string) => key(connectionPartition(owner), connectionId);
export const connectionOwnerKey = (connectionId: string) => key(`CONNID#${connectionId}`, 'CONN');
/**
 * One of an owner's dashboard socket slots (the per-owner socket limit), beside its connections:
 * connection ids (API Gateway's base64) never hold `#`, so `SLOT#` never names a connection.
 */
export const CONNECTION_SLOT_PREFIX = 'SLOT#';
export const connectionSlotKey = (owner: string, slot: number) => key(connectionPartition(owner), `${CONNECTION_SLOT_PREFIX}${slot}`);

/**
 * Live-price watches of dashboard connections: all in one partition, sorted by symbol, so the
 * ingest task reads every watch in one Query (or one symbol's watchers with `begins_with`).
 * Symbols never hold `#` (CODE$REGION), so `<symbol>#` prefixes exactly one symbol.
 */
export const WATCHES_PARTITION = 'WATCH';
export const watchSortKey = (symbol: string, connectionId: string) => `${symbol}#${connectionId}`;
export const watchKey = (symbol: string, connectionId: string) => key(WATCHES_PARTITION, watchSortKey(symbol, connectionId));
/** What one connection watches, beside its connection → owner item: a disconnect names only the connection. */
export const connectionWatchesKey = (connectionId: string) => key(`CONNID#${connectionId}`, 'WATCHING');

export const heartbeatKey = (source = 'ingest') => key('HEARTBEAT', source);

/** The REST budget of one iTick token, named by a hash of the token (never the token itself). */
export const restBudgetKey = (tokenHash: string) => key(`RESTBUDGET#${tokenHash}`, 'BUDGET');

/** A pacing lane of the notifiers (storage/send-pacing-repository.ts), e.g. `telegram:bot`. */
export const paceLaneKey = (lane: string) => key(`PACE#${lane}`, 'PACE');

/** One owner's alerts of one minute, counted against OWNER_ALERTS_PER_MINUTE (storage/alert-limits-repository.ts). */
export const ownerMinuteKey = (owner: string, minute: string) => key(`ALERTLIMIT#${owner}`, `MINUTE#${minute}`);

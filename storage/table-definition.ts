/**
 * The one DynamoDB table of stock-alerts, defined once. The CDK stack, the local stack, the test
 * setup and the repositories all read this module: no key schema is written anywhere else.
 *
 * The shape mirrors the props of a CDK `Table`/`TableV2` (`partitionKey: { name, type }`,
 * `globalSecondaryIndexes`, `timeToLiveAttribute`), with plain strings where CDK has enums whose
 * values are those same strings (`AttributeType.STRING === 'S'`, `ProjectionType.ALL === 'ALL'`).
 * Item layouts and access patterns: docs/storage.md.
 */
import type { CreateTableCommandInput, UpdateTimeToLiveCommandInput } from '@aws-sdk/client-dynamodb';

export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N';
}

export interface GlobalSecondaryIndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  readonly projectionType: 'ALL';
}

export interface TableDefinition {
  /** Table name when `TABLE_NAME` is not set. */
  readonly defaultName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  /** Attribute holding an expiry time in epoch seconds; DynamoDB deletes the item some time after it. */
  readonly timeToLiveAttribute: string;
  readonly billingMode: 'PAY_PER_REQUEST';
  readonly globalSecondaryIndexes: readonly GlobalSecondaryIndexDefinition[];
}

/** Global secondary index number `n`: keys `GSI<n>PK` / `GSI<n>SK`, every attribute projected. */
const globalIndex = <N extends number>(n: N) =>
  ({
    indexName: `GSI${n}`,
    partitionKey: { name: `GSI${n}PK`, type: 'S' },
    sortKey: { name: `GSI${n}SK`, type: 'S' },
    projectionType: 'ALL',
  }) as const satisfies GlobalSecondaryIndexDefinition;

/** Sparse index of the rules that are `active`, by symbol: what the evaluator and ingest task read. */
export const ACTIVE_RULES_BY_SYMBOL_INDEX = globalIndex(1);

/** Index of every API key, by owner and key id: `keys list` and `keys revoke`. */
export const API_KEYS_INDEX = globalIndex(2);

/**
 * Sparse index of alerts whose deliveries may not have been queued yet (the outbox): a claim
 * writes the alert with these keys, the evaluator removes them once the deliveries are queued,
 * and the outbox sweeper queues whatever is left after a crash or a queue outage.
 */
export const DELIVERY_OUTBOX_INDEX = globalIndex(3);

/**
 * Sparse index of alerts by owner and rule, sorted like the alert history (by trigger time):
 * `GET /alerts?ruleId=` reads one rule's alerts instead of filtering the owner's whole history.
 * Only alert items carry its keys.
 */
export const ALERTS_BY_RULE_INDEX = globalIndex(4);

export const TABLE = {
  defaultName: 'stock-alerts',
  partitionKey: { name: 'PK', type: 'S' },
  sortKey: { name: 'SK', type: 'S' },
  timeToLiveAttribute: 'ttl',
  billingMode: 'PAY_PER_REQUEST',
  globalSecondaryIndexes: [ACTIVE_RULES_BY_SYMBOL_INDEX, API_KEYS_INDEX, DELIVERY_OUTBOX_INDEX, ALERTS_BY_RULE_INDEX],
} as const satisfies TableDefinition;

/** The CreateTable request for `definition` under `tableName` (tests and the local stack). */
export function toCreateTableInput(tableName: string, definition: TableDefinition = TABLE): CreateTableCommandInput {
  const keyAttributes = [
    definition.partitionKey,
    definition.sortKey,
    ...definition.globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ];
  const attributeDefinitions = [...new Map(keyAttributes.map((a) => [a.name, a])).values()].map((a) => ({
    AttributeName: a.name,
    AttributeType: a.type,
  }));
  return {
    TableName: tableName,
    BillingMode: definition.billingMode,
    AttributeDefinitions: attributeDefinitions,
    KeySchema: [
      { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: definition.sortKey.name, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: definition.globalSecondaryIndexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: index.projectionType },
    })),
  };
}

/** The UpdateTimeToLive request that switches on TTL (CreateTable cannot). */
export function toTimeToLiveInput(tableName: string, definition: TableDefinition = TABLE): UpdateTimeToLiveCommandInput {
  return {
    TableName: tableName,
    TimeToLiveSpecification: { AttributeName: definition.timeToLiveAttribute, Enabled: true },
  };
}

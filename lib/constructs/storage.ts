/**
 * The one DynamoDB table, built from storage/table-definition.ts (no key or index name is written
 * here), and the only way other constructs get access to it: {@link Storage.grant} with a
 * component's entry of lib/table-access.ts — the exact actions, on the partition kinds it uses
 * (a `dynamodb:LeadingKeys` condition on every statement), and Query on the indexes it reads,
 * limited to their partitions. Never `dynamodb:*`, never Scan, never a whole index.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TABLE, type KeyAttribute, type TableDefinition } from '../../storage/table-definition';
import { INDEX_PARTITIONS, PARTITIONS, type TableAccess, type TableAction } from '../table-access';

export type { TableAction };

/** The IAM condition key that limits an item action to partition keys (of the index, for an index Query). */
export const LEADING_KEYS = 'dynamodb:LeadingKeys';

export interface StorageProps {
  /** The table's shape; the shared definition unless a test passes another. */
  readonly definition?: TableDefinition;
}

const attributeType = (attribute: KeyAttribute): dynamodb.AttributeType =>
  attribute.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER;

export class Storage extends Construct {
  readonly table: dynamodb.TableV2;
  private readonly indexNames: ReadonlySet<string>;

  constructor(scope: Construct, id: string, props: StorageProps = {}) {
    super(scope, id);
    const definition = props.definition ?? TABLE;
    if (definition.billingMode !== 'PAY_PER_REQUEST') throw new Error(`unsupported billing mode ${String(definition.billingMode)}`);
    this.indexNames = new Set(definition.globalSecondaryIndexes.map((index) => index.indexName));
    // No tableName: CloudFormation names it, so two stacks in one account never collide; the
    // functions get it as TABLE_NAME and the stack outputs it for the keys CLI.
    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: definition.partitionKey.name, type: attributeType(definition.partitionKey) },
      sortKey: { name: definition.sortKey.name, type: attributeType(definition.sortKey) },
      billing: dynamodb.Billing.onDemand(),
      timeToLiveAttribute: definition.timeToLiveAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      globalSecondaryIndexes: definition.globalSecondaryIndexes.map((index) => ({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey.name, type: attributeType(index.partitionKey) },
        sortKey: { name: index.sortKey.name, type: attributeType(index.sortKey) },
        projectionType: dynamodb.ProjectionType.ALL,
      })),
      // Rules, keys and alert history are the users' data: `cdk destroy` leaves the table (docs/deploy.md says how to delete it).
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  get tableName(): string {
    return this.table.tableName;
  }

  /**
   * Allows `grantee` exactly `access`: each partition grant as one statement on the table with
   * `ForAllValues:StringLike` on `dynamodb:LeadingKeys` (so every key of a request, and every
   * item of a batch or transaction, must be in those partitions), each index grant as Query on
   * that index only, limited to the index partitions the code reads.
   * @example storage.grant(fn, TABLE_ACCESS.evaluator)
   */
  grant(grantee: iam.IGrantable, access: TableAccess): void {
    for (const { actions, partitions } of access.table) {
      if (actions.length === 0 || partitions.length === 0) throw new Error('a partition grant needs actions and partitions');
      iam.Grant.addToPrincipal({
        grantee,
        actions: [...actions],
        resourceArns: [this.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { [LEADING_KEYS]: partitions.map((kind) => PARTITIONS[kind]) } },
      });
    }
    for (const { index } of access.indexes ?? []) {
      if (!this.indexNames.has(index)) throw new Error(`the table has no index ${index}`);
      iam.Grant.addToPrincipal({
        grantee,
        // An index serves reads only, and the code reads them with Query.
        actions: ['dynamodb:Query'],
        resourceArns: [`${this.table.tableArn}/index/${index}`],
        conditions: { 'ForAllValues:StringLike': { [LEADING_KEYS]: [INDEX_PARTITIONS[index]] } },
      });
    }
  }
}

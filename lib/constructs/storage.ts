/**
 * The one DynamoDB table, built from storage/table-definition.ts (no key or index name is written
 * here), and the only way other constructs get access to it: {@link Storage.grant} with the exact
 * actions and indexes a function uses, never `dynamodb:*` and never every index.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TABLE, type KeyAttribute, type TableDefinition } from '../../storage/table-definition';

/** The item-level actions the system uses. Transactions need no action of their own: each item in one is authorized by its Put/Update/Delete/ConditionCheck. */
export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:Query'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:ConditionCheckItem';

export const TABLE_READ: readonly TableAction[] = ['dynamodb:GetItem', 'dynamodb:Query'];
export const TABLE_READ_WRITE: readonly TableAction[] = [
  ...TABLE_READ,
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
];

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
   * Allows `grantee` exactly `actions` on the table and, for Query, on the named indexes only.
   * @example storage.grant(fn, TABLE_READ, [ACTIVE_RULES_BY_SYMBOL_INDEX.indexName])
   */
  grant(grantee: iam.IGrantable, actions: readonly TableAction[], indexes: readonly string[] = []): iam.Grant {
    for (const index of indexes) {
      if (!this.indexNames.has(index)) throw new Error(`the table has no index ${index}`);
    }
    if (indexes.length > 0 && !actions.includes('dynamodb:Query')) throw new Error('an index is only read with Query: grant dynamodb:Query with it');
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: [...actions],
      resourceArns: [this.table.tableArn],
    });
    if (indexes.length > 0) {
      iam.Grant.addToPrincipal({
        grantee,
        // An index serves reads only.
        actions: actions.filter((action) => action === 'dynamodb:Query'),
        resourceArns: indexes.map((index) => `${this.table.tableArn}/index/${index}`),
      });
    }
    return grant;
  }
}

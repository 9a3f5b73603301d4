import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { LEADING_KEYS, Storage } from '../../lib/constructs/storage';
import { TABLE } from '../../storage/table-definition';
import { nagFindings, testStack } from './stack-fixture';

const stack = testStack();
const storage = new Storage(stack, 'Storage');
const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
storage.grant(reader, { table: [{ actions: ['dynamodb:GetItem', 'dynamodb:Query'], partitions: ['owners', 'symbols'] }], indexes: [{ index: 'GSI1' }] });
const writer = new iam.Role(stack, 'Writer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
storage.grant(writer, { table: [{ actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'], partitions: ['watches'] }] });
const template = Template.fromStack(stack);
const [tableId, table] = Object.entries(template.findResources('AWS::DynamoDB::GlobalTable'))[0] ?? [];
const properties = (table as { Properties: Record<string, unknown> } | undefined)?.Properties ?? {};

describe('Storage', () => {
  it('builds the one table from the shared definition: keys, every index, TTL attribute', () => {
    expect(tableId).toBeDefined();
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    expect(properties.KeySchema).toEqual([
      { AttributeName: TABLE.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey.name, KeyType: 'RANGE' },
    ]);
    expect(properties.GlobalSecondaryIndexes).toEqual(
      TABLE.globalSecondaryIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    );
    expect(properties.TimeToLiveSpecification).toEqual({ AttributeName: TABLE.timeToLiveAttribute, Enabled: true });
  });

  it('bills on demand, keeps point-in-time recovery on and lets CloudFormation name the table', () => {
    expect(properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(properties.Replicas).toEqual([expect.objectContaining({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })]);
    expect(properties.TableName).toBeUndefined();
  });

  it('is retained when the stack is deleted or the table replaced: it holds the users’ rules and keys', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('grants exactly the named actions, on the named partitions of the table and only on the named indexes and their partitions', () => {
    const statements = Object.entries(template.findResources('AWS::IAM::Policy')).flatMap(([id, policy]) =>
      (policy as { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } }).Properties.PolicyDocument.Statement.map(
        (statement) => ({ id, ...statement }),
      ),
    );
    const readerStatements = statements.filter((s) => s.id.startsWith('ReaderDefaultPolicy'));
    expect(readerStatements).toEqual([
      expect.objectContaining({
        Action: ['dynamodb:GetItem', 'dynamodb:Query'],
        Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
        Condition: { 'ForAllValues:StringLike': { [LEADING_KEYS]: ['OWNER#*', 'SYMBOLS'] } },
      }),
      expect.objectContaining({
        Action: 'dynamodb:Query',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, '/index/GSI1']] },
        Condition: { 'ForAllValues:StringLike': { [LEADING_KEYS]: ['SYM#*'] } },
      }),
    ]);
    expect(statements.filter((s) => s.id.startsWith('WriterDefaultPolicy'))).toEqual([
      expect.objectContaining({
        Action: ['dynamodb:DeleteItem', 'dynamodb:PutItem'],
        Condition: { 'ForAllValues:StringLike': { [LEADING_KEYS]: ['WATCH'] } },
      }),
    ]);
    for (const statement of statements) {
      for (const action of [statement.Action].flat()) expect(action).not.toMatch(/\*/);
    }
  });

  it('refuses a grant on an index that does not exist, or a partition grant without actions or partitions', () => {
    expect(() => storage.grant(reader, { table: [], indexes: [{ index: 'NoSuchIndex' as 'GSI1' }] })).toThrow('the table has no index NoSuchIndex');
    expect(() => storage.grant(reader, { table: [{ actions: [], partitions: ['owners'] }] })).toThrow(/needs actions and partitions/);
  });

  it('passes cdk-nag AwsSolutions', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

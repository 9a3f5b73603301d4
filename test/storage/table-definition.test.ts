import { describe, expect, it } from 'vitest';
import { TABLE, toCreateTableInput, toTimeToLiveInput } from '../../storage/table-definition';

describe('table definition', () => {
  it('turns into a CreateTable request with each key attribute defined once', () => {
    const input = toCreateTableInput('alerts-test');

    expect(input.TableName).toBe('alerts-test');
    expect(input.BillingMode).toBe('PAY_PER_REQUEST');
    expect(input.KeySchema).toEqual([
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ]);
    expect(input.AttributeDefinitions?.map((a) => a.AttributeName)).toEqual(['PK', 'SK', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK', 'GSI3PK', 'GSI3SK', 'GSI4PK', 'GSI4SK']);
    expect(input.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.Projection?.ProjectionType])).toEqual([
      ['GSI1', 'ALL'],
      ['GSI2', 'ALL'],
      ['GSI3', 'ALL'],
      ['GSI4', 'ALL'],
    ]);
  });

  it('switches on TTL on the ttl attribute', () => {
    expect(toTimeToLiveInput('alerts-test')).toEqual({
      TableName: 'alerts-test',
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    });
  });

  it('is named stock-alerts unless TABLE_NAME says otherwise', () => {
    expect(TABLE.defaultName).toBe('stock-alerts');
  });
});

import { describe, expect, it } from 'vitest';
import { createDb } from '../../storage/dynamodb-client';
import { symbolCounterUpdate } from '../../storage/symbols-repository';
import { T0 } from '../support/api-fixtures';

describe('watched symbols', () => {
  it('builds the symbol update a rule transaction (or the evaluator’s) carries: count and version', () => {
    const db = createDb({ endpoint: 'http://127.0.0.1:1', tableName: 'stock-alerts' });
    expect(symbolCounterUpdate(db, 'AAPL$US', -1, T0)).toEqual({
      Update: {
        TableName: 'stock-alerts',
        Key: { PK: 'SYMBOLS', SK: 'AAPL$US' },
        UpdateExpression: 'ADD activeRules :delta, rulesVersion :one SET updatedAt = :now',
        ExpressionAttributeValues: { ':delta': -1, ':one': 1, ':now': T0.toISOString() },
      },
    });
  });
});

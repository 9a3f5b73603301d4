import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { CONNECTION_TTL_SECONDS, deleteConnection, listConnectionsByOwner, putConnection } from '../../storage/connections-repository';
import { connectionOwnerKey } from '../../storage/item-keys';
import { T0 } from '../support/api-fixtures';
import { uniqueOwner, useDynamoDbTable } from '../support/dynamodb';

const table = useDynamoDbTable();

describe('connections repository', () => {
  it('lists an owner’s open connections and forgets one on disconnect', async () => {
    const [owner, other] = [uniqueOwner(), uniqueOwner()];
    await putConnection(table.db, { owner, connectionId: 'conn-1', now: T0 });
    await putConnection(table.db, { owner, connectionId: 'conn-2', now: T0 });
    await putConnection(table.db, { owner: other, connectionId: 'conn-3', now: T0 });

    expect((await listConnectionsByOwner(table.db, owner, T0)).map((c) => c.connectionId)).toEqual(['conn-1', 'conn-2']);

    await deleteConnection(table.db, 'conn-1');
    expect(await listConnectionsByOwner(table.db, owner, T0)).toEqual([{ connectionId: 'conn-2', owner, connectedAt: T0.toISOString() }]);
    const reverse = await table.db.doc.send(new GetCommand({ TableName: table.tableName, Key: connectionOwnerKey('conn-1') }));
    expect(reverse.Item).toBeUndefined();
  });

  it('keeps the id of the key that opened a connection, and none for a connection stored without one', async () => {
    const owner = uniqueOwner();
    await putConnection(table.db, { owner, connectionId: 'with-key', now: T0, keyId: 'Key0000001' });
    await putConnection(table.db, { owner, connectionId: 'without-key', now: T0 });

    expect(await listConnectionsByOwner(table.db, owner, T0)).toEqual([
      { connectionId: 'with-key', owner, connectedAt: T0.toISOString(), keyId: 'Key0000001' },
      { connectionId: 'without-key', owner, connectedAt: T0.toISOString() },
    ]);
  });

  it('skips connections past their three-hour TTL that DynamoDB has not deleted yet', async () => {
    const owner = uniqueOwner();
    await putConnection(table.db, { owner, connectionId: 'old', now: T0 });
    const afterTtl = new Date(T0.getTime() + (CONNECTION_TTL_SECONDS + 1) * 1000);

    expect(await listConnectionsByOwner(table.db, owner, afterTtl)).toEqual([]);
  });

  it('ignores a disconnect of a connection it never saw', async () => {
    await expect(deleteConnection(table.db, 'never-connected')).resolves.toBeUndefined();
  });
});

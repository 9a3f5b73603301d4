import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  CONNECTION_TTL_SECONDS,
  countOpenConnections,
  deleteConnection,
  listConnectionsByOwner,
  openConnection,
  putConnection,
} from '../../storage/connections-repository';
import { connectionOwnerKey, connectionSlotKey } from '../../storage/item-keys';
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

describe('dashboard socket slots (the per-owner limit)', () => {
  const afterTtl = new Date(T0.getTime() + (CONNECTION_TTL_SECONDS + 1) * 1000);

  it('opens connections into free slots up to the limit, refuses the next, and lists no slot as a connection', async () => {
    const owner = uniqueOwner();
    expect(await openConnection(table.db, { owner, connectionId: 'a', now: T0, keyId: 'Key0000001' }, 2)).toEqual({ opened: true, slot: 0 });
    expect(await openConnection(table.db, { owner, connectionId: 'b', now: T0 }, 2)).toEqual({ opened: true, slot: 1 });
    expect(await openConnection(table.db, { owner, connectionId: 'c', now: T0 }, 2)).toEqual({ opened: false, open: 2 });

    expect((await listConnectionsByOwner(table.db, owner, T0)).map((c) => c.connectionId)).toEqual(['a', 'b']);
    expect(await countOpenConnections(table.db, owner, T0)).toBe(2);
    expect(await countOpenConnections(table.db, uniqueOwner(), T0)).toBe(0);
  });

  it('frees the slot on disconnect, so that the next connection takes it', async () => {
    const owner = uniqueOwner();
    await openConnection(table.db, { owner, connectionId: 'a', now: T0 }, 2);
    await openConnection(table.db, { owner, connectionId: 'b', now: T0 }, 2);
    await deleteConnection(table.db, 'a');

    expect(await countOpenConnections(table.db, owner, T0)).toBe(1);
    expect(await openConnection(table.db, { owner, connectionId: 'c', now: T0 }, 2)).toEqual({ opened: true, slot: 0 });
  });

  it('gives the slot of a connection whose disconnect was lost to a new one once it expires, and the late disconnect leaves it alone', async () => {
    const owner = uniqueOwner();
    await openConnection(table.db, { owner, connectionId: 'crashed', now: T0 }, 1);
    expect(await openConnection(table.db, { owner, connectionId: 'early', now: T0 }, 1)).toEqual({ opened: false, open: 1 });

    expect(await openConnection(table.db, { owner, connectionId: 'later', now: afterTtl }, 1)).toEqual({ opened: true, slot: 0 });
    await deleteConnection(table.db, 'crashed');
    const slot = await table.db.doc.send(new GetCommand({ TableName: table.tableName, Key: connectionSlotKey(owner, 0), ConsistentRead: true }));
    expect(slot.Item).toMatchObject({ connectionId: 'later' });
    expect(await countOpenConnections(table.db, owner, afterTtl)).toBe(1);
  });

  it('never holds more than the limit under concurrent connects', async () => {
    const owner = uniqueOwner();
    const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => openConnection(table.db, { owner, connectionId: `c${i}`, now: T0 }, 3)));

    const opened = outcomes.filter((outcome) => outcome.opened);
    expect(opened.map((outcome) => (outcome.opened ? outcome.slot : -1)).sort()).toEqual([0, 1, 2]);
    expect(await countOpenConnections(table.db, owner, T0)).toBe(3);
    expect(await listConnectionsByOwner(table.db, owner, T0)).toHaveLength(3);
  });

  it('counts slots held past a lowered limit and opens nothing until enough are free', async () => {
    const owner = uniqueOwner();
    for (const id of ['a', 'b', 'c']) await openConnection(table.db, { owner, connectionId: id, now: T0 }, 3);
    await deleteConnection(table.db, 'a');

    expect(await openConnection(table.db, { owner, connectionId: 'd', now: T0 }, 2)).toEqual({ opened: false, open: 2 });
  });
});

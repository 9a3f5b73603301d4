/**
 * Dashboard WebSocket connections: per owner (to push an owner's alerts to all its open
 * dashboards) and per connection id (a disconnect names only the connection). Both items expire
 * by TTL after three hours, the API Gateway WebSocket connection limit, in case a disconnect is lost.
 * Each item also names the API key the connection was opened with, so that revoking a key closes
 * exactly that key's dashboards (cli/dashboard-closer.ts); items written before keys were tracked
 * have none.
 *
 * The per-owner socket limit (DASHBOARD_SOCKETS_PER_OWNER, api.md "Limits and flood guard") is
 * held by slot items beside the connections, `CONN#<owner>` / `SLOT#<n>` for n < limit: opening a
 * connection claims a free slot in the same transaction that writes the connection, with a
 * condition (the slot is absent or expired), so concurrent connects can never hold more slots than
 * there are. A disconnect frees its slot (only if it still holds it); a slot whose disconnect was
 * lost expires with its connection (the same TTL), so a crashed client's slot always comes back.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './dynamodb-client';
import { connectionKey, connectionOwnerKey, connectionPartition, connectionSlotKey, CONNECTION_SLOT_PREFIX, PK, SK, TTL } from './item-keys';
import { queryAll } from './query-page';
import { TransactionCancelledError, writeTransaction, type TransactionItem } from './transactions';

export const CONNECTION_TTL_SECONDS = 3 * 60 * 60;

export interface Connection {
  connectionId: string;
  owner: string;
  connectedAt: string;
  /** Id of the API key that opened it; absent on connections stored before keys were tracked. */
  keyId?: string;
}

export interface NewConnection {
  owner: string;
  connectionId: string;
  now: Date;
  keyId?: string;
}

const epochSeconds = (now: Date) => Math.floor(now.getTime() / 1000);

/** The two connection items (by owner, by id), each naming the slot it holds when it holds one. */
function connectionPuts(db: Db, connection: NewConnection, slot?: number): TransactionItem[] {
  const { owner, connectionId, now, keyId } = connection;
  const fields = {
    owner,
    connectionId,
    connectedAt: now.toISOString(),
    [TTL]: epochSeconds(now) + CONNECTION_TTL_SECONDS,
    ...(keyId === undefined || keyId === '' ? {} : { keyId }),
    ...(slot === undefined ? {} : { slot }),
  };
  return [
    { Put: { TableName: db.tableName, Item: { ...connectionKey(owner, connectionId), ...fields } } },
    { Put: { TableName: db.tableName, Item: { ...connectionOwnerKey(connectionId), ...fields } } },
  ];
}

/**
 * Stores a connection without taking a slot: for fixtures and tools that seed connections. The
 * dashboard's `$connect` uses {@link openConnection}, which enforces the owner's limit.
 */
export async function putConnection(db: Db, connection: NewConnection): Promise<void> {
  await writeTransaction(db, connectionPuts(db, connection));
}

/** What {@link openConnection} did: stored the connection in a slot, or refused it with the owner's open count. */
export type OpenConnectionOutcome = { opened: true; slot: number } | { opened: false; open: number };

/**
 * Stores a connection if its owner holds fewer than `limit` live slots: claims the first free
 * (absent or expired) slot below `limit` together with the connection items, in one transaction
 * whose condition is that the slot is still free. A slot taken meanwhile by a concurrent connect
 * fails only that attempt, and the next free slot is tried.
 */
export async function openConnection(db: Db, connection: NewConnection, limit: number): Promise<OpenConnectionOutcome> {
  const held = await liveSlots(db, connection.owner, connection.now);
  // Slots at or past `limit` (held before the limit was lowered) count too.
  if (held.size >= limit) return { opened: false, open: held.size };
  const nowSeconds = epochSeconds(connection.now);
  for (let slot = 0; slot < limit; slot += 1) {
    if (held.has(slot)) continue;
    const claim: TransactionItem = {
      Put: {
        TableName: db.tableName,
        Item: { ...connectionSlotKey(connection.owner, slot), connectionId: connection.connectionId, [TTL]: nowSeconds + CONNECTION_TTL_SECONDS },
        ConditionExpression: 'attribute_not_exists(#pk) OR #ttl <= :now',
        ExpressionAttributeNames: { '#pk': PK, '#ttl': TTL },
        ExpressionAttributeValues: { ':now': nowSeconds },
      },
    };
    try {
      await writeTransaction(db, [claim, ...connectionPuts(db, connection, slot)]);
      return { opened: true, slot };
    } catch (error) {
      if (error instanceof TransactionCancelledError && error.failedCondition(0)) continue;
      throw error;
    }
  }
  return { opened: false, open: (await liveSlots(db, connection.owner, connection.now)).size };
}

/** The slot numbers of the owner's live (unexpired) slot items, read consistently. */
async function liveSlots(db: Db, owner: string, now: Date): Promise<Set<number>> {
  const items = await queryAll(db, {
    ConsistentRead: true,
    KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :slot)',
    FilterExpression: '#ttl > :now',
    ExpressionAttributeNames: { '#pk': PK, '#sk': SK, '#ttl': TTL },
    ExpressionAttributeValues: { ':pk': connectionPartition(owner), ':slot': CONNECTION_SLOT_PREFIX, ':now': epochSeconds(now) },
  });
  return new Set(items.map((item) => Number(String(item[SK]).slice(CONNECTION_SLOT_PREFIX.length))));
}

/** How many dashboard sockets the owner holds against its limit (live slots). */
export async function countOpenConnections(db: Db, owner: string, now: Date): Promise<number> {
  return (await liveSlots(db, owner, now)).size;
}

/** Forgets a connection (on disconnect, or when the management API says it is gone), and frees its slot. */
export async function deleteConnection(db: Db, connectionId: string): Promise<void> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: connectionOwnerKey(connectionId) }));
  if (Item !== undefined) {
    const owner = String(Item.owner);
    await db.doc.send(new DeleteCommand({ TableName: db.tableName, Key: connectionKey(owner, connectionId) }));
    if (typeof Item.slot === 'number') await freeSlot(db, owner, Item.slot, connectionId);
  }
  await db.doc.send(new DeleteCommand({ TableName: db.tableName, Key: connectionOwnerKey(connectionId) }));
}

/** Deletes the slot if this connection still holds it (after an expiry another connection may). */
async function freeSlot(db: Db, owner: string, slot: number, connectionId: string): Promise<void> {
  try {
    await db.doc.send(
      new DeleteCommand({
        TableName: db.tableName,
        Key: connectionSlotKey(owner, slot),
        ConditionExpression: 'connectionId = :id',
        ExpressionAttributeValues: { ':id': connectionId },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/** The owner's open connections (TTL deletes lazily, so expired ones are skipped here). */
export async function listConnectionsByOwner(db: Db, owner: string, now: Date): Promise<Connection[]> {
  const items = await queryAll(db, {
    KeyConditionExpression: '#pk = :pk',
    FilterExpression: '#ttl > :now',
    ExpressionAttributeNames: { '#pk': PK, '#ttl': TTL },
    ExpressionAttributeValues: { ':pk': connectionPartition(owner), ':now': epochSeconds(now) },
  });
  // The partition also holds the owner's socket slots (a filter may not name the sort key).
  return items.filter((item) => !String(item[SK]).startsWith(CONNECTION_SLOT_PREFIX)).map((item) => ({
    connectionId: String(item[SK]),
    owner,
    connectedAt: String(item.connectedAt),
    ...(typeof item.keyId === 'string' ? { keyId: item.keyId } : {}),
  }));
}

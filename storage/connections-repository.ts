/**
 * Dashboard WebSocket connections: per owner (to push an owner's alerts to all its open
 * dashboards) and per connection id (a disconnect names only the connection). Both items expire
 * by TTL after three hours, the API Gateway WebSocket connection limit, in case a disconnect is lost.
 * Each item also names the API key the connection was opened with, so that revoking a key closes
 * exactly that key's dashboards (cli/dashboard-closer.ts); items written before keys were tracked
 * have none.
 */
import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './dynamodb-client';
import { connectionKey, connectionOwnerKey, connectionPartition, PK, SK, TTL } from './item-keys';
import { queryAll } from './query-page';
import { writeTransaction } from './transactions';

export const CONNECTION_TTL_SECONDS = 3 * 60 * 60;

export interface Connection {
  connectionId: string;
  owner: string;
  connectedAt: string;
  /** Id of the API key that opened it; absent on connections stored before keys were tracked. */
  keyId?: string;
}

export async function putConnection(db: Db, connection: { owner: string; connectionId: string; now: Date; keyId?: string }): Promise<void> {
  const { owner, connectionId, now, keyId } = connection;
  const expires = Math.floor(now.getTime() / 1000) + CONNECTION_TTL_SECONDS;
  const fields = { owner, connectionId, connectedAt: now.toISOString(), [TTL]: expires, ...(keyId === undefined || keyId === '' ? {} : { keyId }) };
  await writeTransaction(db, [
    { Put: { TableName: db.tableName, Item: { ...connectionKey(owner, connectionId), ...fields } } },
    { Put: { TableName: db.tableName, Item: { ...connectionOwnerKey(connectionId), ...fields } } },
  ]);
}

/** Forgets a connection (on disconnect, or when the management API says it is gone). */
export async function deleteConnection(db: Db, connectionId: string): Promise<void> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: connectionOwnerKey(connectionId) }));
  if (Item !== undefined) {
    await db.doc.send(new DeleteCommand({ TableName: db.tableName, Key: connectionKey(String(Item.owner), connectionId) }));
  }
  await db.doc.send(new DeleteCommand({ TableName: db.tableName, Key: connectionOwnerKey(connectionId) }));
}

/** The owner's open connections (TTL deletes lazily, so expired ones are skipped here). */
export async function listConnectionsByOwner(db: Db, owner: string, now: Date): Promise<Connection[]> {
  const items = await queryAll(db, {
    KeyConditionExpression: '#pk = :pk',
    FilterExpression: '#ttl > :now',
    ExpressionAttributeNames: { '#pk': PK, '#ttl': TTL },
    ExpressionAttributeValues: { ':pk': connectionPartition(owner), ':now': Math.floor(now.getTime() / 1000) },
  });
  return items.map((item) => ({
    connectionId: String(item[SK]),
    owner,
    connectedAt: String(item.connectedAt),
    ...(typeof item.keyId === 'string' ? { keyId: item.keyId } : {}),
  }));
}

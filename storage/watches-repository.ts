/**
 * Live-price watches of dashboard connections: which symbols each open dashboard wants prices for.
 * A dashboard says so over its WebSocket (`{"action":"watch","symbols":[...]}`, handled by
 * functions/dashboard-socket/watch.ts); the ingest task reads every watch in one Query of the
 * `WATCH` partition and posts price snapshots to the watching connections.
 *
 * Two kinds of item: one per (symbol, connection) in the `WATCH` partition, which the publisher
 * reads; and one per connection (`CONNID#<id>` / `WATCHING`) listing its symbols, so that a new
 * watch list or a disconnect, which name only the connection, find the items to delete. Both
 * expire by TTL ({@link WATCH_TTL_SECONDS}) unless the dashboard renews its watch, which it does
 * every few minutes: watches of a connection whose disconnect was lost go away on their own.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './dynamodb-client';
import { connectionWatchesKey, PK, TTL, WATCHES_PARTITION, watchKey } from './item-keys';
import { queryAll } from './query-page';
import { TransactionCancelledError, writeTransaction, type TransactionItem } from './transactions';

/** How long a watch lives without being renewed; dashboards renew every 5 minutes (docs/dashboard.md). */
export const WATCH_TTL_SECONDS = 15 * 60;
/**
 * Symbols one connection may watch. A new list deletes the old items and puts the new ones in one
 * transaction (at most 100 items): 40 + 40 + the connection's own item fits.
 */
export const MAX_WATCHED_SYMBOLS = 40;

export interface Watch {
  symbol: string;
  connectionId: string;
  owner: string;
}

export interface SetWatchesInput {
  owner: string;
  connectionId: string;
  /** Normalized symbols (CODE$REGION, upper case); duplicates are ignored; empty stops watching. */
  symbols: readonly string[];
  now: Date;
}

/** Another write to the same connection's list came first this many times in a row: give up. */
const VERSION_RETRIES = 3;

/**
 * Replaces the symbols `connectionId` watches (and renews their TTL). Concurrent calls for one
 * connection are serialized by a version on its `WATCHING` item: the last one wins and no watch
 * item is left behind by the one that lost.
 */
export async function setWatches(db: Db, input: SetWatchesInput): Promise<void> {
  const wanted = [...new Set(input.symbols)].sort();
  if (wanted.length > MAX_WATCHED_SYMBOLS) throw new RangeError(`at most ${MAX_WATCHED_SYMBOLS} symbols can be watched, got ${wanted.length}`);
  const expires = Math.floor(input.now.getTime() / 1000) + WATCH_TTL_SECONDS;
  for (let attempt = 0; ; attempt++) {
    const current = await readWatching(db, input.connectionId);
    const removed = current.symbols.filter((symbol) => !wanted.includes(symbol));
    const own = connectionWatchesKey(input.connectionId);
    const unchangedSinceRead: { ConditionExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues?: Record<string, number> } =
      current.version === 0
        ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': PK } }
        : { ConditionExpression: '#version = :version', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':version': current.version } };
    const items: TransactionItem[] = [
      ...removed.map((symbol) => ({ Delete: { TableName: db.tableName, Key: watchKey(symbol, input.connectionId) } })),
      ...wanted.map((symbol) => ({
        Put: {
          TableName: db.tableName,
          Item: { ...watchKey(symbol, input.connectionId), symbol, connectionId: input.connectionId, owner: input.owner, [TTL]: expires },
        },
      })),
      wanted.length === 0
        ? { Delete: { TableName: db.tableName, Key: own, ...unchangedSinceRead } }
        : {
            Put: {
              TableName: db.tableName,
              Item: {
                ...own,
                connectionId: input.connectionId,
                owner: input.owner,
                symbols: wanted,
                version: current.version + 1,
                updatedAt: input.now.toISOString(),
                [TTL]: expires,
              },
              ...unchangedSinceRead,
            },
          },
    ];
    try {
      await writeTransaction(db, items);
      return;
    } catch (error) {
      const lostRace = error instanceof TransactionCancelledError && error.failedCondition(items.length - 1);
      if (!lostRace || attempt + 1 >= VERSION_RETRIES) throw error;
    }
  }
}

/** Forgets every watch of a connection (it disconnected, or the management API says it is gone). */
export async function forgetWatches(db: Db, connectionId: string): Promise<void> {
  const current = await readWatching(db, connectionId);
  if (current.version === 0) return;
  await writeTransaction(db, [
    ...current.symbols.map((symbol) => ({ Delete: { TableName: db.tableName, Key: watchKey(symbol, connectionId) } })),
    { Delete: { TableName: db.tableName, Key: connectionWatchesKey(connectionId) } },
  ]);
}

/** Every live watch, of every connection: one Query of the `WATCH` partition (all pages). */
export async function listWatches(db: Db, now: Date): Promise<Watch[]> {
  return toWatches(
    await queryAll(db, {
      KeyConditionExpression: '#pk = :pk',
      FilterExpression: '#ttl > :now',
      ExpressionAttributeNames: { '#pk': PK, '#ttl': TTL },
      ExpressionAttributeValues: { ':pk': WATCHES_PARTITION, ':now': Math.floor(now.getTime() / 1000) },
    }),
  );
}

async function readWatching(db: Db, connectionId: string): Promise<{ symbols: string[]; version: number; expiresAt: number }> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: connectionWatchesKey(connectionId), ConsistentRead: true }));
  if (Item === undefined) return { symbols: [], version: 0, expiresAt: 0 };
  const symbols = Array.isArray(Item.symbols) ? Item.symbols.map(String) : [];
  return { symbols, version: Number(Item.version ?? 0), expiresAt: Number(Item[TTL] ?? 0) };
}

function toWatches(items: Record<string, unknown>[]): Watch[] {
  return items.map((item) => ({ symbol: String(item.symbol), connectionId: String(item.connectionId), owner: String(item.owner) }));
}

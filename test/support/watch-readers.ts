/** Reads of the live-price watches that only tests need (the product reads the whole partition: storage/watches-repository.ts). */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../storage/dynamodb-client';
import { connectionWatchesKey, TTL } from '../../storage/item-keys';
import { listWatches, type Watch } from '../../storage/watches-repository';

/** The live watches of one symbol. */
export async function listWatchersOf(db: Db, symbol: string, now: Date): Promise<Watch[]> {
  return (await listWatches(db, now)).filter((watch) => watch.symbol === symbol);
}

/** The symbols a connection watches now (empty when none, or when its list expired). */
export async function watchedBy(db: Db, connectionId: string, now: Date): Promise<string[]> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: connectionWatchesKey(connectionId), ConsistentRead: true }));
  if (Item === undefined || Number(Item[TTL] ?? 0) <= now.getTime() / 1000) return [];
  return Array.isArray(Item.symbols) ? Item.symbols.map(String) : [];
}

import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { connectionWatchesKey, PK, SK } from '../../storage/item-keys';
import { forgetWatches, listWatches, MAX_WATCHED_SYMBOLS, setWatches, WATCH_TTL_SECONDS } from '../../storage/watches-repository';
import { T0 } from '../support/api-fixtures';
import { uniqueOwner, useDynamoDbTable } from '../support/dynamodb';
import { listWatchersOf, watchedBy } from '../support/watch-readers';

const table = useDynamoDbTable();

/** Connection ids no other test in this file uses: the `WATCH` partition is shared by all. */
const uniqueConnection = () => `conn-${randomUUID().slice(0, 8)}=`;
const uniqueSymbol = () => `W${randomUUID().replace(/-/g, '').slice(0, 6).toUpperCase()}$US`;

/** The watches of the given connections, as (symbol, connection) pairs. */
async function watchesOf(...connectionIds: string[]): Promise<Array<[string, string]>> {
  return (await listWatches(table.db, T0))
    .filter((w) => connectionIds.includes(w.connectionId))
    .map((w) => [w.symbol, w.connectionId] as [string, string])
    .sort();
}

/** Every item of a connection, in any partition (a fresh table: a scan is cheap and shows leftovers). */
async function itemsMentioning(connectionId: string): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await table.db.doc.send(
    new ScanCommand({ TableName: table.tableName, FilterExpression: 'contains(#sk, :id) OR contains(#pk, :id)', ExpressionAttributeNames: { '#pk': PK, '#sk': SK }, ExpressionAttributeValues: { ':id': connectionId } }),
  );
  return Items;
}

describe('watches repository', () => {
  it('keeps what each connection watches, readable in one Query for all symbols or per symbol', async () => {
    const owner = uniqueOwner();
    const [a, b] = [uniqueConnection(), uniqueConnection()];
    const [s1, s2] = [uniqueSymbol(), uniqueSymbol()];
    await setWatches(table.db, { owner, connectionId: a, symbols: [s1, s2, s1], now: T0 });
    await setWatches(table.db, { owner, connectionId: b, symbols: [s2], now: T0 });

    expect(await watchesOf(a, b)).toEqual([[s1, a], [s2, a], [s2, b]].sort());
    expect((await listWatchersOf(table.db, s2, T0)).map((w) => w.connectionId).sort()).toEqual([a, b].sort());
    expect(await listWatchersOf(table.db, s1, T0)).toEqual([{ symbol: s1, connectionId: a, owner }]);
    expect(await watchedBy(table.db, a, T0)).toEqual([s1, s2].sort());
  });

  it('replaces a connection’s list: dropped symbols lose their watch item, an empty list stops watching', async () => {
    const owner = uniqueOwner();
    const a = uniqueConnection();
    const [s1, s2, s3] = [uniqueSymbol(), uniqueSymbol(), uniqueSymbol()];
    await setWatches(table.db, { owner, connectionId: a, symbols: [s1, s2], now: T0 });
    await setWatches(table.db, { owner, connectionId: a, symbols: [s2, s3], now: T0 });
    expect(await watchesOf(a)).toEqual([[s2, a], [s3, a]].sort());

    await setWatches(table.db, { owner, connectionId: a, symbols: [], now: T0 });
    expect(await watchesOf(a)).toEqual([]);
    expect(await itemsMentioning(a)).toEqual([]);
  });

  it('forgets every watch of a connection at once, and ignores a connection that watched nothing', async () => {
    const owner = uniqueOwner();
    const [a, b] = [uniqueConnection(), uniqueConnection()];
    const symbol = uniqueSymbol();
    await setWatches(table.db, { owner, connectionId: a, symbols: [symbol], now: T0 });
    await setWatches(table.db, { owner, connectionId: b, symbols: [symbol], now: T0 });

    await forgetWatches(table.db, a);
    await expect(forgetWatches(table.db, uniqueConnection())).resolves.toBeUndefined();

    expect(await listWatchersOf(table.db, symbol, T0)).toEqual([{ symbol, connectionId: b, owner }]);
    expect(await itemsMentioning(a)).toEqual([]);
  });

  it('skips watches past their TTL that DynamoDB has not deleted yet; a renewal keeps them', async () => {
    const owner = uniqueOwner();
    const [stale, renewed] = [uniqueConnection(), uniqueConnection()];
    const symbol = uniqueSymbol();
    await setWatches(table.db, { owner, connectionId: stale, symbols: [symbol], now: T0 });
    await setWatches(table.db, { owner, connectionId: renewed, symbols: [symbol], now: T0 });
    const later = new Date(T0.getTime() + (WATCH_TTL_SECONDS - 60) * 1000);
    await setWatches(table.db, { owner, connectionId: renewed, symbols: [symbol], now: later });

    const afterTtl = new Date(T0.getTime() + (WATCH_TTL_SECONDS + 1) * 1000);
    expect((await listWatchersOf(table.db, symbol, afterTtl)).map((w) => w.connectionId)).toEqual([renewed]);
    expect(await watchedBy(table.db, stale, afterTtl)).toEqual([]);
  });

  it('ends with one consistent list when a connection sends several lists at once', async () => {
    const owner = uniqueOwner();
    const a = uniqueConnection();
    const lists = Array.from({ length: 5 }, () => [uniqueSymbol(), uniqueSymbol()]);
    const results = await Promise.allSettled(lists.map((symbols) => setWatches(table.db, { owner, connectionId: a, symbols, now: T0 })));

    const watching = await watchedBy(table.db, a, T0);
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
    expect(lists.map((l) => [...l].sort())).toContainEqual(watching);
    // No item of a list that lost is left behind.
    expect((await watchesOf(a)).map(([symbol]) => symbol)).toEqual(watching);
    expect((await itemsMentioning(a)).filter((item) => item[SK] === connectionWatchesKey(a)[SK])).toHaveLength(1);
  });

  it(`refuses more than ${MAX_WATCHED_SYMBOLS} symbols, writing nothing`, async () => {
    const a = uniqueConnection();
    const symbols = Array.from({ length: MAX_WATCHED_SYMBOLS + 1 }, () => uniqueSymbol());
    await expect(setWatches(table.db, { owner: uniqueOwner(), connectionId: a, symbols, now: T0 })).rejects.toThrow(RangeError);
    expect(await itemsMentioning(a)).toEqual([]);
  });

  it(`takes ${MAX_WATCHED_SYMBOLS} symbols, and a new list of ${MAX_WATCHED_SYMBOLS} others, in one transaction each`, async () => {
    const owner = uniqueOwner();
    const a = uniqueConnection();
    const first = Array.from({ length: MAX_WATCHED_SYMBOLS }, () => uniqueSymbol());
    const second = Array.from({ length: MAX_WATCHED_SYMBOLS }, () => uniqueSymbol());
    await setWatches(table.db, { owner, connectionId: a, symbols: first, now: T0 });
    await setWatches(table.db, { owner, connectionId: a, symbols: second, now: T0 });
    expect(await watchedBy(table.db, a, T0)).toEqual([...second].sort());
    expect(await watchesOf(a)).toHaveLength(MAX_WATCHED_SYMBOLS);
  });
});

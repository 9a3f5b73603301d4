/**
 * Queries that span DynamoDB pages: {@link queryAll} reads every page (small, bounded results);
 * {@link queryPage} reads one page of a listing with an opaque cursor. DynamoDB's `Limit` counts
 * items read before filtering, so a filtered page is gathered over as many Query calls as it
 * takes; reading one item past the page tells whether there is a next page (`nextCursor` is null
 * exactly on the last one).
 */
import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor } from './cursor';
import type { Db } from './dynamodb-client';
import { PK, SK } from './item-keys';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

type StoredItem = Record<string, unknown>;

/** Every item the Query matches, over as many pages as it takes. */
export async function queryAll(db: Db, query: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<StoredItem[]> {
  const items: StoredItem[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.doc.send(new QueryCommand({ ...query, TableName: db.tableName, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}

export interface PageRequest<T> {
  /** The partition to read; `KeyConditionExpression` must bind it as `:pk`. */
  partition: string;
  /** Every sort key of the listing starts with it; cursors are checked against it. */
  sortKeyPrefix: string;
  query: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey' | 'Limit'>;
  limit: number;
  cursor?: string | undefined;
  toItem: (stored: StoredItem) => T;
  /** A filter DynamoDB cannot express (it runs after `toItem`). */
  keep?: (item: T) => boolean;
  /**
   * The `ExclusiveStartKey` that resumes after the item of a cursor's sort key: by default the
   * base table's `PK`/`SK` of `partition`; a Query on an index also names the index's keys.
   */
  startKey?: (sortKey: string) => Record<string, unknown>;
  /**
   * Whether a cursor's sort key lies beyond the key condition (say, a cursor from before the
   * caller narrowed `since`): the page is then empty, where DynamoDB would reject the start key.
   */
  beyondRange?: (sortKey: string) => boolean;
}

export async function queryPage<T>(db: Db, request: PageRequest<T>): Promise<Page<T>> {
  const { partition, sortKeyPrefix, query, limit, cursor, toItem, keep, beyondRange } = request;
  const resumeAfter = request.startKey ?? ((sortKey: string) => ({ [PK]: partition, [SK]: sortKey }));
  const startSortKey = cursor === undefined ? undefined : decodeCursor(cursor, sortKeyPrefix);
  if (startSortKey !== undefined && beyondRange?.(startSortKey)) return { items: [], nextCursor: null };
  const filtered = keep !== undefined || query.FilterExpression !== undefined;
  const found: { item: T; sortKey: string }[] = [];
  let startKey: Record<string, unknown> | undefined = startSortKey === undefined ? undefined : resumeAfter(startSortKey);
  do {
    const page = await db.doc.send(
      new QueryCommand({
        ...query,
        TableName: db.tableName,
        ExclusiveStartKey: startKey,
        Limit: filtered ? Math.max(limit + 1, 100) : limit + 1 - found.length,
      }),
    );
    for (const stored of page.Items ?? []) {
      const item = toItem(stored);
      if (keep === undefined || keep(item)) found.push({ item, sortKey: String(stored[SK]) });
      if (found.length > limit) break;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined && found.length <= limit);

  const items = found.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map((f) => f.item), nextCursor: found.length > limit && last ? encodeCursor(last.sortKey) : null };
}

/**
 * Watched symbols: one item per symbol in the `SYMBOLS` partition, counting the active rules on
 * it (`activeRules`) and versioning them (`rulesVersion`). Every write to an active rule carries
 * the symbol's update in its own transaction, so the count is exact and the version moves with
 * every change: the ingest task subscribes to the symbols counted above 0, and the evaluator
 * reloads a symbol's rules when its version moved.
 */
import type { Db } from './dynamodb-client';
import { PK, SK, SYMBOLS_PARTITION, watchedSymbolKey } from './item-keys';
import { queryAll } from './query-page';
import type { TransactionItem } from './transactions';

export interface WatchedSymbol {
  symbol: string;
  activeRules: number;
  /** Moves on every write to an active rule of the symbol. */
  rulesVersion: number;
}

/**
 * The update of `symbol`'s item to put in the same transaction as any write to an active rule of
 * it: `delta` is +1 when the write adds an active rule to the symbol, -1 when it removes one
 * (pause, delete, symbol change, and the evaluator's once → triggered and → expired), 0 when an
 * active rule only changes (the evaluator's claims and re-arms); the version moves in every case.
 */
export function symbolCounterUpdate(db: Db, symbol: string, delta: 1 | 0 | -1, now: Date): TransactionItem {
  return {
    Update: {
      TableName: db.tableName,
      Key: watchedSymbolKey(symbol),
      UpdateExpression: 'ADD activeRules :delta, rulesVersion :one SET updatedAt = :now',
      ExpressionAttributeValues: { ':delta': delta, ':one': 1, ':now': now.toISOString() },
    },
  };
}

/** Symbols with at least one active rule: a Query of the `SYMBOLS` partition. */
export async function listWatchedSymbols(db: Db): Promise<WatchedSymbol[]> {
  const items = await queryAll(db, {
    KeyConditionExpression: '#pk = :pk',
    FilterExpression: 'activeRules > :zero',
    ExpressionAttributeNames: { '#pk': PK },
    ExpressionAttributeValues: { ':pk': SYMBOLS_PARTITION, ':zero': 0 },
  });
  return items.map((item) => ({ symbol: String(item[SK]), activeRules: Number(item.activeRules), rulesVersion: Number(item.rulesVersion ?? 0) }));
}

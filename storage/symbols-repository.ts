/**
 * Watched symbols: one item per symbol in the `SYMBOLS` partition, counting the active rules on
 * it (`activeRules`) and versioning them (`rulesVersion`). Every write to an active rule carries
 * the symbol's update in its own transaction, so the count is exact and the version moves with
 * every change: the ingest task subscribes to the symbols counted above 0, and the evaluator
 * reloads a symbol's rules when its version moved.
 */
import { BatchGetCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { updateIfCondition } from './conditional-update';
import type { Db } from './dynamodb-client';
import { PK, SK, SYMBOLS_PARTITION, watchedSymbolKey } from './item-keys';
import { queryAll } from './query-page';
import type { TransactionItem } from './transactions';

export interface WatchedSymbol {
  symbol: string;
  activeRules: number;
  /** Moves on every write to an active rule of the symbol. */
  rulesVersion: number;
  /** Set while iTick does not know the symbol (see {@link markSymbolInvalid}); the ingest task does not subscribe it. */
  invalid?: SymbolInvalid;
}

/** iTick refused the symbol as unknown (E001 "not found this produce"). */
export interface SymbolInvalid {
  /** What the rules on the symbol say (`statusMessage`). */
  message: string;
  /** ISO time of the refusal. */
  at: string;
}

/**
 * A bar series of the symbol that iTick's history could not warm (REST budget spent, 429, an
 * error): its indicators warm from live bars meanwhile. Keyed by the series' interval.
 */
export interface SymbolWarmUp {
  /** ISO time since when the series warms from live data. */
  since: string;
  /** Why, in a few words (`"iTick's REST budget is spent"`); never a token or a URL with one. */
  reason: string;
}

/** What the feed side knows of a symbol beside its rule counts: what `GET /rules` shows on its rules. */
export interface SymbolFeedState {
  invalid: SymbolInvalid | undefined;
  /** By bar interval (`1m`, `1d` …): the series warming from live data. Absent intervals are warmed from history or not in use. */
  warmUp: Record<string, SymbolWarmUp>;
}

/**
 * The update of `symbol`'s item to put in the same transaction as any write to an active rule of
 * it: `delta` is +1 when the write adds an active rule to the symbol, -1 when it removes one
 * (pause, delete, symbol change, and the evaluator's once → triggered and → expired), 0 when an
 * active rule only changes (the evaluator's claims and re-arms); the version moves in every case.
 * The evaluator writes one update for a group of its writes on the symbol: `delta` is then minus
 * the rules of the group that leave the active set (storage/trigger-state-repository.ts).
 */
export function symbolCounterUpdate(db: Db, symbol: string, delta: number, now: Date): TransactionItem {
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
  return items.map((item) => {
    const watched: WatchedSymbol = { symbol: String(item[SK]), activeRules: Number(item.activeRules), rulesVersion: Number(item.rulesVersion ?? 0) };
    const invalid = invalidOf(item);
    if (invalid !== undefined) watched.invalid = invalid;
    return watched;
  });
}

/**
 * The refusal holds while no rule of the symbol changed since (`invalidVersion` is the
 * `rulesVersion` it was judged at): a new or edited rule on it asks iTick again.
 */
function invalidOf(item: Record<string, unknown>): SymbolInvalid | undefined {
  if (typeof item.invalidMessage !== 'string' || Number(item.invalidVersion) !== Number(item.rulesVersion ?? 0)) return undefined;
  return { message: item.invalidMessage, at: String(item.invalidAt ?? '') };
}

function warmUpOf(item: Record<string, unknown>): Record<string, SymbolWarmUp> {
  const map = item.warmUp;
  if (typeof map !== 'object' || map === null) return {};
  const result: Record<string, SymbolWarmUp> = {};
  for (const [interval, value] of Object.entries(map as Record<string, unknown>)) {
    if (typeof value !== 'object' || value === null) continue;
    const entry = value as Record<string, unknown>;
    result[interval] = { since: String(entry.since ?? ''), reason: String(entry.reason ?? '') };
  }
  return result;
}

/**
 * Marks a watched symbol as unknown to iTick at its current rules version: the ingest task stops
 * asking for it and its rules show `status: "invalid_symbol"` until one of them changes. A symbol
 * with no item (no rule ever) is left alone.
 */
export async function markSymbolInvalid(db: Db, symbol: string, message: string, now: Date): Promise<void> {
  await updateIfCondition(db, {
    TableName: db.tableName,
    Key: watchedSymbolKey(symbol),
    UpdateExpression: 'SET invalidMessage = :message, invalidAt = :now, invalidVersion = if_not_exists(rulesVersion, :zero)',
    ConditionExpression: 'attribute_exists(#pk)',
    ExpressionAttributeNames: { '#pk': PK },
    ExpressionAttributeValues: { ':message': message, ':now': now.toISOString(), ':zero': 0 },
  });
}

/**
 * Records that a bar series of the symbol warms from live data (`state`), or, with `undefined`,
 * that it was warmed from history after all. Keeps the first `since` of a spell.
 */
export async function setSymbolWarmUp(db: Db, symbol: string, interval: string, state: SymbolWarmUp | undefined): Promise<void> {
  const Key = watchedSymbolKey(symbol);
  if (state === undefined) {
    await updateIfCondition(db, {
      TableName: db.tableName,
      Key,
      UpdateExpression: 'REMOVE #warmUp.#interval',
      ConditionExpression: 'attribute_exists(#warmUp.#interval)',
      ExpressionAttributeNames: { '#warmUp': 'warmUp', '#interval': interval },
    });
    return;
  }
  // A map attribute must exist before one of its keys can be set: create it first when missing.
  const exists = await updateIfCondition(db, {
    TableName: db.tableName,
    Key,
    UpdateExpression: 'SET #warmUp = if_not_exists(#warmUp, :empty)',
    ConditionExpression: 'attribute_exists(#pk)',
    ExpressionAttributeNames: { '#warmUp': 'warmUp', '#pk': PK },
    ExpressionAttributeValues: { ':empty': {} },
  });
  if (!exists) return;
  await updateIfCondition(db, {
    TableName: db.tableName,
    Key,
    UpdateExpression: 'SET #warmUp.#interval = if_not_exists(#warmUp.#interval, :state)',
    ConditionExpression: 'attribute_exists(#pk)',
    ExpressionAttributeNames: { '#warmUp': 'warmUp', '#interval': interval, '#pk': PK },
    ExpressionAttributeValues: { ':state': state },
  });
}

/** The feed state of each of `symbols` that has an item (BatchGet, 100 keys per call). */
export async function readSymbolFeedStates(db: Db, symbols: Iterable<string>): Promise<Map<string, SymbolFeedState>> {
  const states = new Map<string, SymbolFeedState>();
  const unique = [...new Set(symbols)];
  for (let i = 0; i < unique.length; i += 100) {
    let keys: Record<string, unknown>[] | undefined = unique.slice(i, i + 100).map((symbol) => watchedSymbolKey(symbol));
    for (let attempt = 0; keys !== undefined && keys.length > 0 && attempt < 5; attempt += 1) {
      const answer: BatchGetCommandOutput = await db.doc.send(new BatchGetCommand({ RequestItems: { [db.tableName]: { Keys: keys } } }));
      for (const item of answer.Responses?.[db.tableName] ?? []) {
        states.set(String(item[SK]), { invalid: invalidOf(item), warmUp: warmUpOf(item) });
      }
      keys = answer.UnprocessedKeys?.[db.tableName]?.Keys;
    }
  }
  return states;
}

/**
 * The ingest task's heartbeat: one item it overwrites every few seconds, read by `GET /health`
 * to tell whether the feed is live and when the last tick arrived.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { isMarket, type Market } from '../core/rule-model/market';
import type { Db } from './dynamodb-client';
import { heartbeatKey } from './item-keys';

export interface Heartbeat {
  /** Whether the ingest task's WebSocket to the feed is open and authenticated. */
  connected: boolean;
  /** Epoch ms of the last tick received, null before the first. */
  lastTickAt: number | null;
  /** Trades received per second over the last minute (before path compression). */
  ticksPerSecond: number;
  /** How many symbols the task is subscribed to. */
  subscribed: number;
  /**
   * How many of them surely trade now: their exchange's holidays are known (US) and its regular
   * session is open. The no-ticks alarm is judged only while it is above 0.
   */
  openSubscribed: number;
  /** Watched symbols left unsubscribed because the feed plan's limit is reached. */
  unwatched: string[];
  /** Age in ms of the oldest received tick the evaluator has not acknowledged yet (0 when none waits). */
  lagMs: number | null;
  /** Data messages since the task started that matched no subscribed symbol (an unknown symbol form is the usual cause). */
  unmatched: number;
  /** The `s` values of the most recent unmatched data messages (at most 20, newest last). */
  unmatchedSymbols: string[];
  /** Messages since the task started that could not be read at all (malformed JSON, data without a price). */
  unreadable: number;
  /** Watched symbols iTick does not know (a subscribe answered E001 "not found this produce"). */
  invalidSymbols: string[];
  /** Each market in use: whether all its connections are authenticated, how many it holds, and its subscribed symbols. */
  markets: MarketHeartbeat[];
  /** Epoch ms when the task wrote this heartbeat. */
  updatedAt: number;
}

export interface MarketHeartbeat {
  market: Market;
  connected: boolean;
  connections: number;
  subscribed: number;
}

export async function writeHeartbeat(db: Db, heartbeat: Heartbeat): Promise<void> {
  await db.doc.send(new PutCommand({ TableName: db.tableName, Item: { ...heartbeatKey(), ...heartbeat } }));
}

const numberOrNull = (value: unknown) => (typeof value === 'number' ? value : null);
const strings = (value: unknown) => (Array.isArray(value) ? value.map(String) : []);

function readMarket(value: unknown): MarketHeartbeat[] {
  if (typeof value !== 'object' || value === null) return [];
  const item = value as Record<string, unknown>;
  const market = String(item.market);
  if (!isMarket(market)) return [];
  return [{ market, connected: item.connected === true, connections: numberOrNull(item.connections) ?? 0, subscribed: numberOrNull(item.subscribed) ?? 0 }];
}

export async function readHeartbeat(db: Db): Promise<Heartbeat | null> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: heartbeatKey(), ConsistentRead: true }));
  if (Item === undefined) return null;
  return {
    connected: Item.connected === true,
    lastTickAt: numberOrNull(Item.lastTickAt),
    ticksPerSecond: numberOrNull(Item.ticksPerSecond) ?? 0,
    subscribed: numberOrNull(Item.subscribed) ?? 0,
    openSubscribed: numberOrNull(Item.openSubscribed) ?? 0,
    unwatched: strings(Item.unwatched),
    lagMs: numberOrNull(Item.lagMs),
    unmatched: numberOrNull(Item.unmatched) ?? 0,
    unmatchedSymbols: strings(Item.unmatchedSymbols),
    unreadable: numberOrNull(Item.unreadable) ?? 0,
    invalidSymbols: strings(Item.invalidSymbols),
    markets: Array.isArray(Item.markets) ? Item.markets.flatMap(readMarket) : [],
    updatedAt: numberOrNull(Item.updatedAt) ?? 0,
  };
}

/**
 * The ingest task's heartbeat: one item it overwrites every few seconds, read by `GET /health`
 * to tell whether the feed is live and when the last tick arrived.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
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
  /** Epoch ms when the task wrote this heartbeat. */
  updatedAt: number;
}

export async function writeHeartbeat(db: Db, heartbeat: Heartbeat): Promise<void> {
  await db.doc.send(new PutCommand({ TableName: db.tableName, Item: { ...heartbeatKey(), ...heartbeat } }));
}

export async function readHeartbeat(db: Db): Promise<Heartbeat | null> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: heartbeatKey(), ConsistentRead: true }));
  if (Item === undefined) return null;
  const numberOrNull = (value: unknown) => (typeof value === 'number' ? value : null);
  return {
    connected: Item.connected === true,
    lastTickAt: numberOrNull(Item.lastTickAt),
    ticksPerSecond: numberOrNull(Item.ticksPerSecond) ?? 0,
    subscribed: numberOrNull(Item.subscribed) ?? 0,
    openSubscribed: numberOrNull(Item.openSubscribed) ?? 0,
    unwatched: Array.isArray(Item.unwatched) ? Item.unwatched.map(String) : [],
    lagMs: numberOrNull(Item.lagMs),
    updatedAt: numberOrNull(Item.updatedAt) ?? 0,
  };
}

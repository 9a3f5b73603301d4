import { describe, expect, it } from 'vitest';
import { readHeartbeat, writeHeartbeat, type Heartbeat } from '../../storage/heartbeat-repository';
import { T0 } from '../support/api-fixtures';
import { useDynamoDbTable } from '../support/dynamodb';

const table = useDynamoDbTable();

describe('heartbeat repository', () => {
  it('reads nothing before the ingest task first writes', async () => {
    expect(await readHeartbeat(table.db)).toBeNull();
  });

  it('reads back the latest heartbeat', async () => {
    const first: Heartbeat = { connected: false, lastTickAt: null, ticksPerSecond: 0, subscribed: 0, openSubscribed: 0, unwatched: [], lagMs: null, unmatched: 0, unmatchedSymbols: [], unreadable: 0, invalidSymbols: [], markets: [], updatedAt: T0.getTime() };
    const second: Heartbeat = {
      connected: true,
      lastTickAt: T0.getTime() + 500,
      ticksPerSecond: 12.5,
      subscribed: 3,
      openSubscribed: 1,
      unwatched: ['TSLA$US'],
      lagMs: 120,
      unmatched: 4,
      unmatchedSymbols: ['ZZZ.US', 'ETH_USDT'],
      unreadable: 1,
      invalidSymbols: ['ZZZZQ$US'],
      markets: [
        { market: 'stock', connected: true, connections: 1, subscribed: 2 },
        { market: 'crypto', connected: true, connections: 1, subscribed: 1 },
      ],
      updatedAt: T0.getTime() + 1000,
    };
    await writeHeartbeat(table.db, first);
    await writeHeartbeat(table.db, second);

    expect(await readHeartbeat(table.db)).toEqual(second);
  });
});

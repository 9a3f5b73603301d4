import { afterEach, describe, expect, it } from 'vitest';
import type { Heartbeat } from '../../ingest-task/src/heartbeat';
import { IngestTask } from '../../ingest-task/src/ingest-task';
import { createDynamoInvalidSymbolSink, createDynamoWatchlist } from '../../ingest-task/src/storage-adapters';
import { createRule, deleteRule, updateRule } from '../../storage/rules-repository';
import { listWatchedSymbols, readSymbolFeedStates } from '../../storage/symbols-repository';
import { ruleRecord, T0 } from '../support/api-fixtures';
import { uniqueOwner, useDynamoDbTable } from '../support/dynamodb';
import { eventually } from '../support/eventually';
import { recordingEvaluator } from '../support/ingest-recording-evaluator';
import { recordingLogger } from '../support/ingest-recording-logger';
import { ItickStubServer } from '../support/itick-stub-server';

// The ingest task's DynamoDB ports against DynamoDB Local: the watchlist and the marks of symbols
// iTick does not know (storage/symbols-repository.ts holds the rules of the mark).
const table = useDynamoDbTable();
const QUOTA = { quota: 1000, now: T0 };
const uniqueCode = (prefix: string) => `${prefix}${Math.random().toString(36).slice(2, 7).toUpperCase()}`;
const later = (ms: number) => new Date(T0.getTime() + ms);

async function ruleOn(symbol: string) {
  const rule = { ...ruleRecord(uniqueOwner()), symbol };
  await createRule(table.db, rule, QUOTA);
  return rule;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("the ingest task's DynamoDB ports", () => {
  it('leaves a symbol marked unknown out of the watchlist until one of its rules changes, and names it meanwhile', async () => {
    const good = `${uniqueCode('G')}$US`;
    const unknown = `${uniqueCode('ZZZ')}$US`;
    await ruleOn(good);
    const rule = await ruleOn(unknown);
    const watchlist = createDynamoWatchlist(table.db);
    expect(await watchlist.list()).toEqual(expect.arrayContaining([good, unknown]));

    await createDynamoInvalidSymbolSink(table.db).markInvalid(unknown, 'iTick does not know this symbol (not found this produce)');
    const listed = await watchlist.list();
    expect(listed).toContain(good);
    expect(listed).not.toContain(unknown);
    expect(watchlist.invalid?.()).toContain(unknown);

    await updateRule(table.db, rule, { ...rule, note: 'edited', updatedAt: later(1_000).toISOString() }, later(1_000));
    expect(await watchlist.list()).toContain(unknown);
    expect(watchlist.invalid?.()).not.toContain(unknown);
  });

  it('marks nothing for a symbol without rules', async () => {
    const symbol = `${uniqueCode('N')}$US`;
    await createDynamoInvalidSymbolSink(table.db).markInvalid(symbol, 'unknown');
    expect((await readSymbolFeedStates(table.db, [symbol])).has(symbol)).toBe(false);
  });

  it('end to end: an E001 from iTick marks the symbol, its rules can say invalid_symbol, the watchlist drops it and the others stay subscribed', async () => {
    const good = `${uniqueCode('G')}$US`;
    const unknown = `${uniqueCode('ZZZ')}$US`;
    const crypto = `crypto:${uniqueCode('C')}USDT$BA`;
    await ruleOn(good);
    const rule = await ruleOn(unknown);
    await ruleOn(crypto);
    // The table is shared by this file's tests: only this test's symbols exist on the stub.
    const ours = new Set([good, unknown, crypto.replace('crypto:', '')]);
    const stub = await ItickStubServer.start({ unknown: (symbol) => symbol.startsWith('ZZZ') });
    const heartbeats: Heartbeat[] = [];
    const task = new IngestTask({
      config: {
        itick: { token: 'test-token', url: stub.url('stock'), maxSymbolsPerConnection: undefined, connections: 1 },
        batch: { windowMs: 20, maxPoints: 1_000, backlogMaxPoints: 1_000_000, shards: 1 },
        watchlistRefreshMs: 100,
        heartbeat: { intervalMs: 100, file: undefined },
      },
      watchlist: createDynamoWatchlist(table.db),
      invalidSymbols: createDynamoInvalidSymbolSink(table.db),
      heartbeatSinks: [{ write: async (heartbeat) => void heartbeats.push(heartbeat) }],
      invoker: recordingEvaluator(),
      logger: recordingLogger(),
    });
    task.start();
    cleanups.push(async () => {
      await task.stop(2_000);
      await stub.close();
    });

    const marked = await eventually(async () => (await listWatchedSymbols(table.db)).find((watched) => watched.symbol === unknown && watched.invalid !== undefined), 'the mark', 10_000);
    expect(marked.invalid?.message).toBe('iTick does not know this symbol (not found this produce)');
    expect((await readSymbolFeedStates(table.db, [unknown])).get(unknown)?.invalid?.message).toMatch(/not found this produce/);
    const subscribed = () => [...stub.subscribed('stock'), ...stub.subscribed('crypto')].filter((symbol) => ours.has(symbol)).sort();
    await eventually(() => subscribed().join() === [good, crypto.replace('crypto:', '')].sort().join(), 'the others subscribed');
    const heartbeat = await eventually(() => heartbeats.findLast((hb) => hb.invalidSymbols.includes(unknown) && hb.subscribed >= 2), 'the heartbeat');
    expect(heartbeat.invalidSymbols).not.toContain(good);

    // The rule deleted: no active rule is left, so the heartbeat stops naming it.
    await deleteRule(table.db, rule, later(2_000));
    await eventually(() => heartbeats.at(-1)?.invalidSymbols.includes(unknown) === false, 'forgotten', 10_000);
  });
});

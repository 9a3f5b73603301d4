import { describe, expect, it } from 'vitest';
import { createRule, updateRule } from '../../storage/rules-repository';
import { listWatchedSymbols, markSymbolInvalid, readSymbolFeedStates, setSymbolWarmUp } from '../../storage/symbols-repository';
import { ruleRecord, T0 } from '../support/api-fixtures';
import { uniqueOwner, useDynamoDbTable } from '../support/dynamodb';

const table = useDynamoDbTable();
const QUOTA = { quota: 1000, now: T0 };
const uniqueSymbol = (prefix = '') => `${prefix}Z${Math.random().toString(36).slice(2, 8).toUpperCase()}$US`;

async function watchedWith(symbol: string) {
  const owner = uniqueOwner();
  const rule = { ...ruleRecord(owner), symbol };
  await createRule(table.db, rule, QUOTA);
  return rule;
}

describe("a watched symbol's feed state", () => {
  it('marks a symbol iTick does not know, until one of its rules changes', async () => {
    const symbol = uniqueSymbol();
    const rule = await watchedWith(symbol);

    await markSymbolInvalid(table.db, symbol, 'iTick does not know this symbol (not found this produce)', T0);
    const watched = (await listWatchedSymbols(table.db)).find((w) => w.symbol === symbol);
    expect(watched?.invalid).toEqual({ message: 'iTick does not know this symbol (not found this produce)', at: T0.toISOString() });
    expect((await readSymbolFeedStates(table.db, [symbol])).get(symbol)?.invalid?.message).toMatch(/not found this produce/);

    // An edit moves the symbol's rules version: the feed asks iTick again.
    await updateRule(table.db, rule, { ...rule, note: 'edited', updatedAt: new Date(T0.getTime() + 1000).toISOString() }, new Date(T0.getTime() + 1000));
    const after = (await listWatchedSymbols(table.db)).find((w) => w.symbol === symbol);
    expect(after?.invalid).toBeUndefined();
  });

  it('leaves a symbol without an item alone', async () => {
    const symbol = uniqueSymbol('N');
    await markSymbolInvalid(table.db, symbol, 'unknown', T0);
    await setSymbolWarmUp(table.db, symbol, '1m', { since: T0.toISOString(), reason: 'budget spent' });
    expect((await readSymbolFeedStates(table.db, [symbol])).has(symbol)).toBe(false);
  });

  it('records series warming from live data per interval, keeps the first since, and clears them', async () => {
    const symbol = uniqueSymbol();
    await watchedWith(symbol);
    await setSymbolWarmUp(table.db, symbol, '1m', { since: T0.toISOString(), reason: "iTick's REST budget is spent" });
    await setSymbolWarmUp(table.db, symbol, '1m', { since: new Date(T0.getTime() + 60_000).toISOString(), reason: 'again' });
    await setSymbolWarmUp(table.db, symbol, '1d', { since: T0.toISOString(), reason: 'iTick answered 429' });
    expect((await readSymbolFeedStates(table.db, [symbol])).get(symbol)?.warmUp).toEqual({
      '1m': { since: T0.toISOString(), reason: "iTick's REST budget is spent" },
      '1d': { since: T0.toISOString(), reason: 'iTick answered 429' },
    });

    await setSymbolWarmUp(table.db, symbol, '1m', undefined);
    await setSymbolWarmUp(table.db, symbol, '5m', undefined);
    expect((await readSymbolFeedStates(table.db, [symbol])).get(symbol)?.warmUp).toEqual({ '1d': { since: T0.toISOString(), reason: 'iTick answered 429' } });
  });

  it('reads many symbols in pages of 100', async () => {
    const symbols = await Promise.all(Array.from({ length: 3 }, async () => {
      const symbol = uniqueSymbol();
      await watchedWith(symbol);
      return symbol;
    }));
    const many = [...symbols, ...Array.from({ length: 150 }, (_, i) => `NOPE${i}$US`)];
    const states = await readSymbolFeedStates(table.db, many);
    expect([...states.keys()].sort()).toEqual([...symbols].sort());
  });
});

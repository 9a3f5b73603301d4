/**
 * The evaluator warms indicators through iTick's REST budget, against DynamoDB Local and a
 * stand-in iTick on 127.0.0.1: history seeds RSI so the first live bar close fires; a series that
 * cannot be warmed goes on with live data and says so on its symbol (what `GET /rules` shows),
 * until it is warmed; and under 429s many evaluator instances warming at once make no more calls
 * than the budget allows — never a retry storm.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SeedBar } from '../../../core/engine';
import type { BatchEvent } from '../../../core/feed';
import { createRule } from '../../../storage/rules-repository';
import { readSymbolFeedStates } from '../../../storage/symbols-repository';
import { listAlerts } from '../../../storage/alerts-repository';
import { ruleRecord } from '../../support/api-fixtures';
import { uniqueOwner, useDynamoDbTable } from '../../support/dynamodb';
import { batch, evaluate, evaluatorInstance, RecordingQueue } from '../../support/evaluator-harness';
import { MINUTE, OPEN } from '../../support/indicator-fixtures';
import { restInstance, testToken, warmUpsFor } from '../../support/itick-rest-harness';
import { startItickRestStub, type ItickRestStub } from '../../support/itick-rest-stub';

const table = useDynamoDbTable();
let stub: ItickRestStub;
beforeAll(async () => {
  stub = await startItickRestStub();
});
afterAll(async () => {
  await stub.close();
});
beforeEach(() => {
  stub.requests.length = 0;
  stub.always(undefined);
});

const history = (closes: number[], start = OPEN - closes.length * MINUTE): SeedBar[] =>
  closes.map((close, i) => ({ start: start + i * MINUTE, open: close, high: close, low: close, close, volume: 10 }));
const klineBody = (bars: SeedBar[]) => ({ code: 0, msg: null, data: bars.map((b) => ({ t: b.start, o: b.open, h: b.high, l: b.low, c: b.close, v: b.volume, tu: 0 })) });
const uniqueSymbol = () => `W${Math.random().toString(36).slice(2, 7).toUpperCase()}$US`;

async function rsiRule(symbol: string) {
  const owner = uniqueOwner();
  await createRule(table.db, ruleRecord(owner, { symbol, condition: { type: 'rsi_below', period: 3, interval: '1m', value: 30, session: 'any' }, cooldownSeconds: 0 }), {
    quota: 1000,
    now: new Date(OPEN),
  });
  return owner;
}

/** Two live trades: one in the first live bar (98), one in the next that closes it. */
const closingBatch = (symbol: string, at = OPEN): BatchEvent => ({
  ...batch(symbol, [98], at + 30_000),
  symbols: [{ symbol, points: [[98, at + 30_000, 1], [97.5, at + MINUTE + 5_000, 1]] as Array<[number, number, number]> }],
});

function instance(options: { token: string; perMinute?: number; windowMs?: number }) {
  const { data } = restInstance(table.db, stub.baseUrl, options);
  return { ...evaluatorInstance(table.db, new RecordingQueue()), ...warmUpsFor(table.db, data) };
}

describe('the evaluator warms indicators through the REST budget', () => {
  it('seeds RSI from klines, so the first live bar close fires', async () => {
    const symbol = uniqueSymbol();
    const owner = await rsiRule(symbol);
    stub.serve('/stock/kline', klineBody(history([100, 101, 102, 101, 100, 99])));
    const result = await evaluate(instance({ token: testToken() }), closingBatch(symbol), OPEN + MINUTE + 5_100);
    expect(result).toMatchObject({ fired: 1, claimed: 1 });
    const { items } = await listAlerts(table.db, owner, { limit: 10 });
    expect(items[0]).toMatchObject({ price: 98, tickAt: new Date(OPEN + MINUTE).toISOString() });
    expect(stub.requests[0]?.query).toMatchObject({ region: 'US', kType: '1', limit: '100' });
    expect((await readSymbolFeedStates(table.db, [symbol])).get(symbol)?.warmUp).toEqual({});
  });

  it('evaluates the batch with live data when iTick refuses, and says so on the symbol', async () => {
    const symbol = uniqueSymbol();
    await rsiRule(symbol);
    stub.always({ status: 401, body: { code: 0, msg: 'invalid token', data: null } });
    const result = await evaluate(instance({ token: testToken() }), closingBatch(symbol), OPEN + MINUTE + 5_100);
    expect(result).toMatchObject({ fired: 0 });
    const series = (result.state as { symbols: Record<string, { series: Array<{ count: number; seeded: boolean }> }> }).symbols[symbol]?.series[0];
    expect(series).toMatchObject({ count: 1, seeded: false });
    expect((await readSymbolFeedStates(table.db, [symbol])).get(symbol)?.warmUp).toEqual({ '1m': { since: new Date(OPEN + MINUTE + 5_100).toISOString(), reason: 'iTick answered 401' } });
  });

  it('warms from live data while the budget is spent, then seeds and clears the note once a slot frees', async () => {
    const [first, second] = [uniqueSymbol(), uniqueSymbol()];
    await rsiRule(first);
    await rsiRule(second);
    stub.serve('/stock/kline', klineBody(history([100, 101, 102, 101, 100, 99])));
    const deps = instance({ token: testToken(), perMinute: 1, windowMs: 500 });
    const both: BatchEvent = { ...closingBatch(first), symbols: [...closingBatch(first).symbols, ...closingBatch(second).symbols] };
    await evaluate(deps, both, OPEN + MINUTE + 5_100);
    const spent = await readSymbolFeedStates(table.db, [first, second]);
    const noted = [first, second].filter((s) => spent.get(s)?.warmUp['1m'] !== undefined);
    expect(noted).toHaveLength(1);
    expect(spent.get(noted[0] as string)?.warmUp['1m']?.reason).toBe("iTick's REST budget is spent");
    expect(stub.requests).toHaveLength(1);

    await new Promise((resolve) => setTimeout(resolve, 600));
    const later = Date.now();
    await evaluate(deps, { ...batch(noted[0] as string, [97], OPEN + 2 * MINUTE + 1000), state: undefined }, later);
    expect(stub.requests).toHaveLength(2);
    expect((await readSymbolFeedStates(table.db, [noted[0] as string])).get(noted[0] as string)?.warmUp).toEqual({});
  });

  it('under 429s, ten instances warming thirty series at once make at most the budget of calls, and then none', async () => {
    const token = testToken();
    const symbols = Array.from({ length: 30 }, uniqueSymbol);
    await Promise.all(symbols.map((symbol) => rsiRule(symbol)));
    stub.always({ status: 429, headers: { 'retry-after': '120' }, body: { code: 429, msg: 'too many requests' } });
    const instances = Array.from({ length: 10 }, () => instance({ token, perMinute: 5 }));
    const eventOf = (group: string[], round: number): BatchEvent => {
      const event = batch(group[0] as string, [98], OPEN + round * 1000);
      return { ...event, symbols: group.map((symbol) => ({ symbol, points: [[98, OPEN + round * 1000, 1]] as Array<[number, number, number]> })) };
    };
    for (let round = 0; round < 4; round += 1) {
      await Promise.all(instances.map((deps, i) => evaluate(deps, eventOf(symbols.slice(i * 3, i * 3 + 3), round), Date.now())));
    }
    expect(stub.requests.length).toBeGreaterThanOrEqual(1);
    expect(stub.requests.length).toBeLessThanOrEqual(5);

    // A new instance honours the pause stored on the budget item: no call at all.
    const calls = stub.requests.length;
    await evaluate(instance({ token }), eventOf(symbols.slice(0, 3), 9), Date.now());
    expect(stub.requests).toHaveLength(calls);

    // Every series that was tried says why it warms from live data.
    const states = await readSymbolFeedStates(table.db, symbols);
    const reasons = symbols.map((symbol) => states.get(symbol)?.warmUp['1m']?.reason);
    expect(reasons.every((reason) => reason === 'iTick answered 429 (too many requests)' || reason === 'iTick asked every caller to wait (429)' || reason === "iTick's REST budget is spent")).toBe(true);
  });
});

/**
 * `change_from_prev_close_pct` from the first tick of the day after a restart: a fresh
 * evaluator with a cold engine state and a feed that sends no previous close reads it from
 * iTick's quote REST (a stand-in server on 127.0.0.1 answering with the fixture's shape: no `p`,
 * so `ld - ch`), through the budget on DynamoDB Local, and fires on that first tick.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchEvent } from '../../../core/feed';
import { listAlerts } from '../../../storage/alerts-repository';
import { createRule } from '../../../storage/rules-repository';
import { ruleRecord } from '../../support/api-fixtures';
import { uniqueOwner, useDynamoDbTable } from '../../support/dynamodb';
import { batch, evaluate, evaluatorInstance, RecordingQueue } from '../../support/evaluator-harness';
import { restFixture } from '../../support/itick-rest-fixtures';
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

const quote = restFixture('rest-stock-quote');
/** The fixture's quote time: Friday 2026-12-04, 10:00 New York. */
const QUOTE_AT = (quote.messages[0] as { data: { t: number } }).data.t;

async function changeRule(symbol: string, percent: number) {
  const owner = uniqueOwner();
  const rule = ruleRecord(owner, { symbol, condition: { type: 'change_from_prev_close_pct', percent }, cooldownSeconds: 0 });
  await createRule(table.db, rule, { quota: 1000, now: new Date(QUOTE_AT - 3_600_000) });
  return { owner, rule };
}

function freshEvaluator() {
  const { data } = restInstance(table.db, stub.baseUrl, { token: testToken() });
  return { ...evaluatorInstance(table.db, new RecordingQueue()), ...warmUpsFor(table.db, data) };
}

describe('previous close after a restart', () => {
  it("fires on the day's first tick with the previous close from iTick's quote (ld - ch)", async () => {
    stub.serve('/stock/quote', quote.messages[0]);
    const { owner } = await changeRule('AAPL$US', 1);
    // 236.17 × 1.01 = 238.53: the first tick, 238.60, is up more than 1 %.
    const event: BatchEvent = batch('AAPL$US', [238.6], QUOTE_AT + 1000);
    expect(event.state).toBeUndefined();
    const result = await evaluate(freshEvaluator(), event, QUOTE_AT + 1100);
    expect(result).toMatchObject({ fired: 1, claimed: 1 });
    const { items } = await listAlerts(table.db, owner, { limit: 10 });
    expect(items[0]).toMatchObject({ price: 238.6, tickAt: new Date(QUOTE_AT + 1000).toISOString() });
    expect(stub.requests.map((r) => [r.path, r.query])).toEqual([['/stock/quote', { region: 'US', code: 'AAPL' }]]);
    // The close now travels in the state: the next batch asks iTick nothing.
    const state = (result.state as { symbols: Record<string, { prevClose: number }> }).symbols['AAPL$US'];
    expect(state?.prevClose).toBe(236.17);
  });

  it('uses the feed’s previous close when the batch carries one, without asking iTick', async () => {
    stub.requests.length = 0;
    const { owner } = await changeRule('MSFT$US', -1);
    const event = batch('MSFT$US', [99], QUOTE_AT + 1000);
    const withFeedClose: BatchEvent = { ...event, symbols: event.symbols.map((path) => ({ ...path, prevClose: 100.5 })) };
    expect(await evaluate(freshEvaluator(), withFeedClose, QUOTE_AT + 1100)).toMatchObject({ fired: 1 });
    expect((await listAlerts(table.db, owner, { limit: 10 })).items).toHaveLength(1);
    expect(stub.requests).toHaveLength(0);
  });

  it('evaluates without a previous close when iTick cannot give one: no alert, no error', async () => {
    stub.requests.length = 0;
    stub.answerNext({ status: 503, body: { code: 503, msg: 'unavailable' } });
    await changeRule('NVDA$US', 1);
    const result = await evaluate(freshEvaluator(), batch('NVDA$US', [500], QUOTE_AT + 1000), QUOTE_AT + 1100);
    expect(result).toMatchObject({ fired: 0 });
    expect(stub.requests).toHaveLength(1);
  });
});

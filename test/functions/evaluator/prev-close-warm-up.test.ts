/**
 * The previous close after a restart, from iTick's quote (pure: a fake quote source): put on the
 * batch where the feed's `p` would be, `p` or `ld - ch` from a quote of the same trading day,
 * `ld` from one of an earlier day; remembered per day; a close of the day before dropped; a
 * refusal waits for the budget. test/functions/evaluator/prev-close-restart.test.ts runs it in
 * the evaluator against DynamoDB Local and a stand-in iTick.
 */
import { describe, expect, it } from 'vitest';
import { newEngineState, newSymbolState, RuleIndex, type SymbolBatch } from '../../../core/engine';
import { PrevCloseWarmUp, prevCloseForDay, type PrevCloseOptions } from '../../../functions/evaluator/prev-close-warm-up';
import { ItickRestError, type QuoteSource, type RestQuote } from '../../../functions/shared/itick-rest';
import { rule } from '../../support/engine-fixtures';

const FRIDAY = Date.UTC(2026, 11, 4, 15); // 10:00 New York
const MONDAY = Date.UTC(2026, 11, 7, 14, 31);
const DAY = 86_400_000;
const dayOf = (t: number) => Math.floor(t / DAY);

const quoteAt = (time: number, overrides: Partial<RestQuote> = {}): RestQuote => ({
  price: 238.415,
  time,
  dayVolume: 9_183_542,
  prevClose: 236.17,
  changePct: 0.95,
  tradingStatus: 'normal',
  ...overrides,
});

class FakeQuotes implements QuoteSource {
  readonly calls: string[] = [];
  failWith: Error | undefined;
  constructor(public answer: RestQuote) {}
  async quote(symbol: string): Promise<RestQuote> {
    this.calls.push(symbol);
    if (this.failWith !== undefined) throw this.failWith;
    return this.answer;
  }
}

const options: PrevCloseOptions = { maxPerBatch: 2, retryAfterMs: 60_000, maxWaitMs: 0, maxEntries: 100 };
const changeIndex = (...symbols: string[]) => {
  const index = new RuleIndex();
  for (const symbol of symbols) index.upsert(rule({ type: 'change_from_prev_close_pct', percent: 1 }, { symbol }));
  return index;
};
const pathAt = (symbol: string, at: number): SymbolBatch => ({ symbol, points: [{ price: 240, at, volume: 1 }] });

describe('prevCloseForDay', () => {
  it("gives a same-day quote's previous close, and an earlier day's quote's last price", () => {
    expect(prevCloseForDay(quoteAt(FRIDAY), 'US', dayOf(FRIDAY))).toBe(236.17);
    expect(prevCloseForDay(quoteAt(FRIDAY + 6 * 3_600_000), 'US', dayOf(MONDAY))).toBe(238.415);
    expect(prevCloseForDay(quoteAt(FRIDAY, { prevClose: undefined }), 'US', dayOf(FRIDAY))).toBeUndefined();
  });
});

describe('PrevCloseWarmUp', () => {
  it('puts the quote’s previous close on the batch path of a symbol whose rules need one', async () => {
    const quotes = new FakeQuotes(quoteAt(FRIDAY));
    const fill = new PrevCloseWarmUp(quotes, { failed: () => undefined }, options);
    const batch = [pathAt('AAPL$US', FRIDAY + 1000), pathAt('MSFT$US', FRIDAY + 1000)];
    expect(await fill.fill(changeIndex('AAPL$US'), newEngineState(), batch, FRIDAY + 1000)).toEqual({ filled: 1, fetched: 1, failed: 0, refused: 0, deferred: 0 });
    expect(batch.map((p) => p.prevClose)).toEqual([236.17, undefined]);
    expect(quotes.calls).toEqual(['AAPL$US']);
  });

  it('remembers the close for the trading day: another cold state on the same day asks no more', async () => {
    const quotes = new FakeQuotes(quoteAt(FRIDAY));
    const fill = new PrevCloseWarmUp(quotes, { failed: () => undefined }, options);
    const index = changeIndex('AAPL$US');
    await fill.fill(index, newEngineState(), [pathAt('AAPL$US', FRIDAY + 1000)], FRIDAY + 1000);
    const again = [pathAt('AAPL$US', FRIDAY + 3_600_000)];
    await fill.fill(index, newEngineState(), again, FRIDAY + 3_600_000);
    expect(again[0]?.prevClose).toBe(236.17);
    expect(quotes.calls).toHaveLength(1);
  });

  it('drops a close of the day before and asks again on the next trading day', async () => {
    const quotes = new FakeQuotes(quoteAt(FRIDAY));
    const fill = new PrevCloseWarmUp(quotes, { failed: () => undefined }, options);
    const index = changeIndex('AAPL$US');
    const state = newEngineState();
    state.symbols['AAPL$US'] = { ...newSymbolState(), prevClose: 236.17, lastAt: FRIDAY + 1000 };
    // Monday before the first trade of the day is reported: the quote is Friday's, its last price is Friday's close.
    quotes.answer = quoteAt(FRIDAY + 6 * 3_600_000, { price: 239.1 });
    const monday = [pathAt('AAPL$US', MONDAY)];
    await fill.fill(index, state, monday, MONDAY);
    expect(monday[0]?.prevClose).toBe(239.1);
    // Refused on Monday: the stale close is dropped all the same, so no rule judges against Thursday's.
    const tuesday = Date.UTC(2026, 11, 8, 14, 31);
    state.symbols['AAPL$US'] = { ...newSymbolState(), prevClose: 239.1, lastAt: MONDAY };
    quotes.failWith = new ItickRestError('budget', 'spent', tuesday + 5_000);
    const path = [pathAt('AAPL$US', tuesday)];
    expect(await fill.fill(index, state, path, tuesday)).toMatchObject({ filled: 0, refused: 1 });
    expect(path[0]?.prevClose).toBeUndefined();
    expect(state.symbols['AAPL$US']?.prevClose).toBeNull();
  });

  it('waits for the budget after a refusal, and a minute after an error or a quote without a close', async () => {
    const quotes = new FakeQuotes(quoteAt(FRIDAY));
    quotes.failWith = new ItickRestError('budget', 'spent', FRIDAY + 12_000);
    const failures: unknown[] = [];
    const fill = new PrevCloseWarmUp(quotes, { failed: (details) => failures.push(details) }, options);
    const index = changeIndex('AAPL$US');
    const state = newEngineState();
    await fill.fill(index, state, [pathAt('AAPL$US', FRIDAY)], FRIDAY);
    expect(await fill.fill(index, state, [pathAt('AAPL$US', FRIDAY)], FRIDAY + 11_000)).toMatchObject({ deferred: 1, refused: 0 });
    quotes.failWith = undefined;
    quotes.answer = quoteAt(FRIDAY, { prevClose: undefined });
    expect(await fill.fill(index, state, [pathAt('AAPL$US', FRIDAY)], FRIDAY + 12_000)).toMatchObject({ fetched: 1, failed: 1 });
    expect(await fill.fill(index, state, [pathAt('AAPL$US', FRIDAY)], FRIDAY + 71_000)).toMatchObject({ deferred: 1 });
    expect(failures).toMatchObject([{ symbol: 'AAPL$US', kind: 'budget' }, { symbol: 'AAPL$US', kind: 'answer' }]);
  });

  it('asks for at most maxPerBatch quotes per batch', async () => {
    const quotes = new FakeQuotes(quoteAt(FRIDAY));
    const fill = new PrevCloseWarmUp(quotes, { failed: () => undefined }, options);
    const symbols = ['A$US', 'B$US', 'C$US'];
    const batch = symbols.map((s) => pathAt(s, FRIDAY));
    expect(await fill.fill(changeIndex(...symbols), newEngineState(), batch, FRIDAY)).toMatchObject({ filled: 2, fetched: 2, deferred: 1 });
  });
});

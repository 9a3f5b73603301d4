/**
 * The feed's verdict on rules through the local HTTP API on DynamoDB Local (api.md, "Limits and
 * flood guard"): an active rule on a symbol iTick refused is `invalid_symbol` with a message until
 * a rule on the symbol changes, `?status=` filters on it page by page, and a rule whose bar
 * series warm from live data says so in `warmUp`.
 */
import { describe, expect, it } from 'vitest';
import { ruleSchema, type Rule } from '../../../core/rule-model';
import { listWatchedSymbols, markSymbolInvalid, setSymbolWarmUp } from '../../../storage/symbols-repository';
import { createRuleBody, T0 } from '../../support/api-fixtures';
import { useApiServer } from '../../support/api-server';

const api = useApiServer();
const REFUSAL = 'iTick does not know this symbol (E001 not found this produce)';
const RSI_5M = { type: 'rsi_above', period: 14, value: 70, interval: '5m' };

let symbols = 0;
/** A symbol no other test of this file (or file of this table) uses. */
const freshSymbol = (market = '') => `${market}V${Date.now().toString(36).toUpperCase()}${(symbols++).toString(36).toUpperCase()}$US`;

interface RulePage {
  items: Rule[];
  nextCursor: string | null;
}

async function createRule(key: string, overrides: Record<string, unknown> = {}): Promise<Rule> {
  const response = await api.request('POST', '/rules', { key, json: createRuleBody(overrides) });
  expect(response.status).toBe(201);
  return ruleSchema.parse(response.body);
}

async function getRule(key: string, id: string): Promise<Rule> {
  const response = await api.request('GET', `/rules/${id}`, { key });
  expect(response.status).toBe(200);
  return ruleSchema.parse(response.body);
}

/** Every page of `GET /rules?<query>`, with the page sizes. */
async function allPages(key: string, query: string): Promise<{ items: Rule[]; sizes: number[] }> {
  const items: Rule[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  do {
    const suffix: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const response = await api.request('GET', `/rules?${query}${suffix}`, { key });
    expect(response.status).toBe(200);
    const page = response.body as RulePage;
    items.push(...page.items.map((rule) => ruleSchema.parse(rule)));
    sizes.push(page.items.length);
    cursor = page.nextCursor;
  } while (cursor !== null && sizes.length < 50);
  return { items, sizes };
}

describe('a rule on a symbol iTick does not know', () => {
  it('is invalid_symbol with iTick’s refusal as its message, on GET and in the list', async () => {
    const { key } = await api.newOwner();
    const symbol = freshSymbol('crypto:');
    const rule = await createRule(key, { symbol });
    expect(rule).toMatchObject({ status: 'active', statusMessage: null, warmUp: null });

    await markSymbolInvalid(api.table.db, symbol, REFUSAL, T0);

    expect(await getRule(key, rule.id)).toEqual({ ...rule, status: 'invalid_symbol', statusMessage: REFUSAL });
    const listed = (await api.request('GET', '/rules', { key })).body as RulePage;
    expect(listed.items).toEqual([{ ...rule, status: 'invalid_symbol', statusMessage: REFUSAL }]);
  });

  it('stays paused when paused, and is active again after any change (the feed then asks iTick again)', async () => {
    const { key } = await api.newOwner();
    const symbol = freshSymbol();
    const kept = await createRule(key, { symbol });
    const paused = await createRule(key, { symbol, status: 'paused' });
    await markSymbolInvalid(api.table.db, symbol, REFUSAL, T0);

    expect(await getRule(key, paused.id)).toMatchObject({ status: 'paused', statusMessage: null });
    // Resuming the paused rule is a change on the symbol: the refusal is lifted for both rules.
    const resumed = await api.request('PATCH', `/rules/${paused.id}`, { key, json: { status: 'active' } });
    expect(resumed.body).toMatchObject({ status: 'active', statusMessage: null });
    expect(await getRule(key, kept.id)).toMatchObject({ status: 'active', statusMessage: null });
    expect((await listWatchedSymbols(api.table.db)).find((w) => w.symbol === symbol)).toMatchObject({ activeRules: 2 });
    expect((await listWatchedSymbols(api.table.db)).find((w) => w.symbol === symbol)?.invalid).toBeUndefined();

    // Refused again: a resume of the invalid rule itself is accepted as an ordinary change.
    await markSymbolInvalid(api.table.db, symbol, REFUSAL, T0);
    expect(await getRule(key, kept.id)).toMatchObject({ status: 'invalid_symbol' });
    const retried = await api.request('PATCH', `/rules/${kept.id}`, { key, json: { status: 'active' } });
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ status: 'active', statusMessage: null });
  });

  it('cannot be set by a client', async () => {
    const { key } = await api.newOwner();
    const rule = await createRule(key);
    const refused = await api.request('PATCH', `/rules/${rule.id}`, { key, json: { status: 'invalid_symbol' } });
    expect(refused.status).toBe(400);
    expect((await api.request('POST', '/rules', { key, json: createRuleBody({ status: 'invalid_symbol' }) })).status).toBe(400);
  });

  it('is what ?status=invalid_symbol lists, and ?status=active leaves out, page by page', async () => {
    const { key } = await api.newOwner();
    const refusedSymbol = freshSymbol('forex:');
    const goodSymbol = freshSymbol();
    const created: Rule[] = [];
    // Interleaved, so the pages of the stored order mix both kinds; one paused rule on the refused symbol.
    for (let i = 0; i < 7; i++) created.push(await createRule(key, { symbol: i % 2 === 0 ? refusedSymbol : goodSymbol }));
    const paused = await createRule(key, { symbol: refusedSymbol, status: 'paused' });
    await markSymbolInvalid(api.table.db, refusedSymbol, REFUSAL, T0);
    const invalidIds = created.filter((rule) => rule.symbol === refusedSymbol).map((rule) => rule.id);
    const activeIds = created.filter((rule) => rule.symbol === goodSymbol).map((rule) => rule.id);

    const invalid = await allPages(key, 'status=invalid_symbol&limit=2');
    expect(invalid.items.map((rule) => rule.id).sort()).toEqual([...invalidIds].sort());
    expect(invalid.items.every((rule) => rule.status === 'invalid_symbol' && rule.statusMessage === REFUSAL)).toBe(true);
    // Pages are filled up to limit, and the last one says so.
    expect(invalid.sizes).toEqual([2, 2]);

    const active = await allPages(key, 'status=active&limit=2');
    expect(active.items.map((rule) => rule.id).sort()).toEqual([...activeIds].sort());
    expect(active.sizes).toEqual([2, 1]);

    expect((await allPages(key, 'status=paused')).items.map((rule) => rule.id)).toEqual([paused.id]);
    const bySymbol = await allPages(key, `symbol=${encodeURIComponent(refusedSymbol)}&status=invalid_symbol&limit=100`);
    expect(bySymbol).toEqual({ items: expect.any(Array) as unknown, sizes: [invalidIds.length] });
    const all = await allPages(key, 'limit=3');
    expect(all.items).toHaveLength(8);
  });

  it('ends a filtered listing with nextCursor null when nothing else would match', async () => {
    const { key } = await api.newOwner();
    const symbol = freshSymbol();
    const rules = [await createRule(key, { symbol }), await createRule(key, { symbol: freshSymbol() }), await createRule(key, { symbol: freshSymbol() })];
    await markSymbolInvalid(api.table.db, symbol, REFUSAL, T0);

    const page = (await api.request('GET', '/rules?status=invalid_symbol&limit=1', { key })).body as RulePage;
    expect(page.items.map((rule) => rule.id)).toEqual([rules[0]?.id]);
    expect(page.nextCursor).toBeNull();
  });
});

describe('a rule whose bar series warm from live data', () => {
  it('says which of its intervals, since when and why; a rule reading no bars says nothing', async () => {
    const { key } = await api.newOwner();
    const symbol = freshSymbol('crypto:');
    const rsi = await createRule(key, { symbol, condition: RSI_5M });
    const price = await createRule(key, { symbol });
    expect(rsi.warmUp).toBeNull();

    await setSymbolWarmUp(api.table.db, symbol, '5m', { since: T0.toISOString(), reason: "iTick's REST budget is spent" });

    const warming = await getRule(key, rsi.id);
    expect(warming).toMatchObject({ status: 'active', warmUp: { state: 'warming_from_live_data', intervals: ['5m'], since: T0.toISOString(), reason: "iTick's REST budget is spent" } });
    expect(await getRule(key, price.id)).toMatchObject({ warmUp: null });
    const listed = (await api.request('GET', '/rules', { key })).body as RulePage;
    expect(listed.items.find((rule) => rule.id === rsi.id)?.warmUp).toEqual(warming.warmUp);

    // A paused rule is not evaluated, so nothing of it warms; once history came, the note goes.
    expect((await api.request('PATCH', `/rules/${rsi.id}`, { key, json: { status: 'paused' } })).body).toMatchObject({ warmUp: null });
    await api.request('PATCH', `/rules/${rsi.id}`, { key, json: { status: 'active' } });
    await setSymbolWarmUp(api.table.db, symbol, '5m', undefined);
    expect(await getRule(key, rsi.id)).toMatchObject({ warmUp: null });
  });
});

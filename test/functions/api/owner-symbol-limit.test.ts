/**
 * The per-owner symbol limit through the local HTTP API on DynamoDB Local: create, change of
 * symbol and resume past it answer 429 `limit_exceeded` naming the limit, and write nothing.
 */
import { describe, expect, it } from 'vitest';
import { ruleSchema } from '../../../core/rule-model';
import { errorBodySchema } from '../../../functions/shared/http-errors';
import { createRuleBody } from '../../support/api-fixtures';
import { useApiServer, type ApiResponse } from '../../support/api-server';

const LIMIT = 2;
const api = useApiServer({ OWNER_SYMBOL_LIMIT: String(LIMIT) });

function expectLimit(response: ApiResponse): void {
  expect(response.status).toBe(429);
  const body = errorBodySchema.parse(response.body);
  expect(body.error.code).toBe('limit_exceeded');
  expect(body.error.message).toContain('symbolsPerOwner');
  expect(body.error.details).toEqual([{ path: 'symbol', message: `symbolsPerOwner: at most ${LIMIT}` }]);
}

describe('the owner symbol limit (OWNER_SYMBOL_LIMIT)', () => {
  it('refuses a rule on one symbol more than the limit, counting active and paused rules only', async () => {
    const { key } = await api.newOwner();
    const create = (symbol: string, extra: Record<string, unknown> = {}) => api.request('POST', '/rules', { key, json: createRuleBody({ symbol, ...extra }) });
    expect((await create('AAPL$US')).status).toBe(201);
    const paused = ruleSchema.parse((await create('MSFT$US', { status: 'paused' })).body);
    // A third rule on a symbol already watched costs nothing.
    expect((await create('AAPL$US')).status).toBe(201);

    expectLimit(await create('TSLA$US'));
    const listed = (await api.request('GET', '/rules?limit=100', { key })).body as { items: unknown[] };
    expect(listed.items).toHaveLength(3);
    // Another owner has its own limit.
    expect((await api.request('POST', '/rules', { key: (await api.newOwner()).key, json: createRuleBody({ symbol: 'TSLA$US' }) })).status).toBe(201);

    // Moving the paused rule to a new symbol keeps the count: allowed. Deleting it frees a place.
    expect((await api.request('PATCH', `/rules/${paused.id}`, { key, json: { symbol: 'NVDA$US' } })).status).toBe(200);
    expectLimit(await create('TSLA$US'));
    expect((await api.request('DELETE', `/rules/${paused.id}`, { key })).status).toBe(204);
    expect((await create('TSLA$US')).status).toBe(201);
  });

  it('refuses a patch that moves a rule to a symbol one more than the limit', async () => {
    const { key } = await api.newOwner();
    const first = ruleSchema.parse((await api.request('POST', '/rules', { key, json: createRuleBody({ symbol: 'AAPL$US' }) })).body);
    expect((await api.request('POST', '/rules', { key, json: createRuleBody({ symbol: 'MSFT$US' }) })).status).toBe(201);
    expect((await api.request('POST', '/rules', { key, json: createRuleBody({ symbol: 'MSFT$US' }) })).status).toBe(201);
    // The first rule's own symbol does not count against its move: AAPL would be freed.
    expect((await api.request('PATCH', `/rules/${first.id}`, { key, json: { symbol: 'TSLA$US' } })).status).toBe(200);
    const second = ruleSchema.parse((await api.request('POST', '/rules', { key, json: createRuleBody({ symbol: 'TSLA$US' }) })).body);
    expectLimit(await api.request('PATCH', `/rules/${second.id}`, { key, json: { symbol: 'AMZN$US' } }));
    expect(ruleSchema.parse((await api.request('GET', `/rules/${second.id}`, { key })).body).symbol).toBe('TSLA$US');
  });
});

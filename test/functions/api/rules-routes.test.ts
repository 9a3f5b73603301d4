/**
 * The rules routes of api.md through the local HTTP API (real authorizer, real handlers) on
 * DynamoDB Local: every route, its errors, pagination, owner isolation and the quota.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { ruleSchema, type Rule } from '../../../core/rule-model';
import { errorBodySchema } from '../../../functions/shared/http-errors';
import { ruleKey } from '../../../storage/item-keys';
import { getOwnerProfile } from '../../../storage/owners-repository';
import { listWatchedSymbols } from '../../../storage/symbols-repository';
import { createRuleBody } from '../../support/api-fixtures';
import { useApiServer, type ApiResponse } from '../../support/api-server';

const QUOTA = 5;
const api = useApiServer({ RULE_QUOTA: String(QUOTA) });
const FUTURE = '2099-01-01T00:00:00.000Z';

function expectError(response: ApiResponse, status: number, code: string, message?: string | RegExp): void {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/json');
  const body = errorBodySchema.parse(response.body);
  expect(body.error.code).toBe(code);
  if (message !== undefined) expect(body.error.message).toMatch(message);
}

async function createRule(key: string, overrides: Record<string, unknown> = {}): Promise<Rule> {
  const response = await api.request('POST', '/rules', { key, json: createRuleBody(overrides) });
  expect(response.status).toBe(201);
  return ruleSchema.parse(response.body);
}

/** Whatever the owner has stored: to show that a refused request wrote nothing. */
async function storedState(owner: string, key: string) {
  const listed = await api.request('GET', '/rules?limit=100', { key });
  return { listed: listed.body, profile: await getOwnerProfile(api.table.db, owner) };
}

describe('POST /rules', () => {
  it('creates a rule with the defaults of api.md and answers 201 with it', async () => {
    const { key } = await api.newOwner();
    const before = Date.now();
    const response = await api.request('POST', '/rules', { key, json: createRuleBody({ symbol: '  aapl$us ' }) });

    expect(response.status).toBe(201);
    const rule = ruleSchema.parse(response.body);
    expect(rule).toMatchObject({
      symbol: 'AAPL$US',
      condition: { type: 'crosses_above', value: 200 },
      trigger: 'rearm',
      cooldownSeconds: 300,
      expiresAt: null,
      channels: [{ type: 'email', to: 'me@example.com' }],
      message: null,
      note: null,
      status: 'active',
      lastTriggeredAt: null,
      triggerCount: 0,
    });
    expect(rule.id).toMatch(/^[A-Za-z0-9]{22}$/);
    expect(Date.parse(rule.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(rule.updatedAt).toBe(rule.createdAt);
  });

  it('stores every field it was given and returns the same rule on GET', async () => {
    const { key } = await api.newOwner();
    const rule = await createRule(key, {
      symbol: '700$hk',
      condition: { type: 'all', conditions: [{ type: 'price_above', value: 300 }, { type: 'moves_up_pct', percent: 2.5, windowSeconds: 60 }] },
      trigger: 'once',
      cooldownSeconds: 0,
      expiresAt: '2099-12-31T21:00:00+02:00',
      channels: [
        { type: 'telegram', chatId: '123456789' },
        { type: 'webhook', url: 'https://93.184.215.14/hook' },
      ],
      message: '{{symbol}} at {{price}}',
      note: 'watch',
      status: 'paused',
    });

    expect(rule).toMatchObject({ symbol: '700$HK', trigger: 'once', expiresAt: '2099-12-31T19:00:00.000Z', status: 'paused' });
    expect((await api.request('GET', `/rules/${rule.id}`, { key })).body).toEqual(rule);
  });

  it('counts an active rule’s symbol as watched for the ingest task', async () => {
    const { key } = await api.newOwner();
    await createRule(key, { symbol: 'WATCH$US' });
    expect(await listWatchedSymbols(api.table.db)).toContainEqual({ symbol: 'WATCH$US', activeRules: 1, rulesVersion: 1 });
  });

  it.each([
    ['a negative price', { condition: { type: 'crosses_above', value: -1 } }, 'condition.value', 'must be a positive number'],
    ['a numeric string', { condition: { type: 'crosses_above', value: '200' } }, 'condition.value', 'must be a number'],
    ['an unknown field', { colour: 'red' }, 'colour', 'is not a known field'],
    ['a server-managed field', { triggerCount: 3 }, 'triggerCount', 'is not a known field'],
    ['a status only the server sets', { status: 'triggered' }, 'status', /must be "active" or "paused"/],
    ['a symbol that is not CODE$REGION', { symbol: 'AAPL' }, 'symbol', /must be a symbol/],
    ['an expiry in the past', { expiresAt: '2001-01-01T00:00:00Z' }, 'expiresAt', 'must be in the future'],
    ['a webhook over http', { channels: [{ type: 'webhook', url: 'http://93.184.215.14/hook' }] }, 'channels[0].url', 'must use https'],
    ['a webhook to a private address', { channels: [{ type: 'email', to: 'a@b.co' }, { type: 'webhook', url: 'https://10.1.2.3/hook' }] }, 'channels[1].url', /must not point to a private/],
    ['a webhook to the metadata service', { channels: [{ type: 'webhook', url: 'https://169.254.169.254/latest' }] }, 'channels[0].url', /must not point/],
    ['a webhook to loopback by name', { channels: [{ type: 'webhook', url: 'https://localhost/hook' }] }, 'channels[0].url', /must not point/],
    ['a webhook on a port not allowed', { channels: [{ type: 'webhook', url: 'https://93.184.215.14:8443/hook' }] }, 'channels[0].url', /^must use port 443 or 80 \(not 8443\)$/],
    ['a webhook with a user name', { channels: [{ type: 'webhook', url: 'https://user@93.184.215.14/hook' }] }, 'channels[0].url', 'must not contain a user name or password'],
    ['an indicator condition without its bar interval', { condition: { type: 'rsi_above', period: 14, value: 70 } }, 'condition.interval', /is required/],
  ])('refuses %s with 400 validation_error naming the field, and writes nothing', async (_, overrides, path, message) => {
    const { owner, key } = await api.newOwner();
    const response = await api.request('POST', '/rules', { key, json: createRuleBody(overrides) });

    expectError(response, 400, 'validation_error', new RegExp(`^${path.replace(/[[\].]/g, '\\$&')} `));
    const details = errorBodySchema.parse(response.body).error.details ?? [];
    expect(details).toContainEqual({ path, message: expect.stringMatching(message) as unknown });
    expect(await storedState(owner, key)).toEqual({ listed: { items: [], nextCursor: null }, profile: expect.objectContaining({ ruleCount: 0 }) as unknown });
  });

  it('refuses a body that is not an object', async () => {
    const { key } = await api.newOwner();
    expectError(await api.request('POST', '/rules', { key, json: [1, 2] }), 400, 'validation_error', 'body must be a JSON object');
  });

  it('refuses malformed and empty JSON with 400 invalid_json', async () => {
    const { key } = await api.newOwner();
    const headers = { 'content-type': 'application/json' };
    expectError(await api.request('POST', '/rules', { key, headers, rawBody: '{"symbol":' }), 400, 'invalid_json');
    expectError(await api.request('POST', '/rules', { key, headers, rawBody: '' }), 400, 'invalid_json');
    expectError(await api.request('POST', '/rules', { key, headers, rawBody: '{"note":"\\ud800"}' }), 400, 'invalid_json');
    expectError(await api.request('POST', '/rules', { key, headers, rawBody: new Uint8Array([0x7b, 0xff, 0x7d]) }), 400, 'invalid_json');
  });

  it('refuses a body over 16 KiB with 413, whatever it holds', async () => {
    const { key } = await api.newOwner();
    const note = 'x'.repeat(16 * 1024 + 1);
    expectError(await api.request('POST', '/rules', { key, json: createRuleBody({ note }) }), 413, 'payload_too_large', '16 KiB');
    expectError(await api.request('POST', '/rules', { key, rawBody: note, headers: { 'content-type': 'text/plain' } }), 413, 'payload_too_large');
  });

  it('accepts a body of exactly 16 KiB (the limit is inclusive)', async () => {
    const { key } = await api.newOwner();
    const body = JSON.stringify(createRuleBody({ note: '' }));
    const padded = body.replace(/}$/, `${' '.repeat(16 * 1024 - body.length)}}`);
    expect(Buffer.byteLength(padded)).toBe(16 * 1024);
    expect((await api.request('POST', '/rules', { key, rawBody: padded, headers: { 'content-type': 'application/json' } })).status).toBe(201);
  });

  it('refuses a body that is not JSON with 415', async () => {
    const { key } = await api.newOwner();
    const body = JSON.stringify(createRuleBody());
    expectError(await api.request('POST', '/rules', { key, rawBody: body, headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type');
    expectError(await api.request('POST', '/rules', { key, rawBody: body }), 415, 'unsupported_media_type');
    expectError(
      await api.request('POST', '/rules', { key, rawBody: body, headers: { 'content-type': 'application/json; charset=latin1' } }),
      415,
      'unsupported_media_type',
    );
    expect((await api.request('POST', '/rules', { key, rawBody: body, headers: { 'content-type': 'Application/JSON; charset=UTF-8' } })).status).toBe(201);
  });

  it('answers 401 for a missing, malformed or unknown key', async () => {
    const json = createRuleBody();
    expectError(await api.request('POST', '/rules', { json }), 401, 'unauthorized');
    expectError(await api.request('POST', '/rules', { json, headers: { authorization: 'Basic dXNlcjpwYXNz' } }), 401, 'unauthorized');
    expectError(await api.request('POST', '/rules', { json, key: 'sa_AAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB' }), 401, 'unauthorized');
  });

  it('answers 429 quota_exceeded past the owner’s quota, and writes nothing', async () => {
    const { owner, key } = await api.newOwner();
    for (let i = 0; i < QUOTA; i++) await createRule(key);

    const refused = await api.request('POST', '/rules', { key, json: createRuleBody({ symbol: 'QUOTA$US' }) });

    expectError(refused, 429, 'quota_exceeded', `at most ${QUOTA} rules`);
    expect((await getOwnerProfile(api.table.db, owner))?.ruleCount).toBe(QUOTA);
    expect(await listWatchedSymbols(api.table.db)).not.toContainEqual(expect.objectContaining({ symbol: 'QUOTA$US' }));
    // Another owner is not affected, and deleting frees a place.
    expect((await api.request('POST', '/rules', { key: (await api.newOwner()).key, json: createRuleBody() })).status).toBe(201);
    const [first] = ((await api.request('GET', '/rules', { key })).body as { items: Rule[] }).items;
    expect((await api.request('DELETE', `/rules/${first?.id}`, { key })).status).toBe(204);
    expect((await api.request('POST', '/rules', { key, json: createRuleBody() })).status).toBe(201);
  });
});

describe('GET /rules', () => {
  it('pages through the owner’s rules with opaque cursors, nextCursor null on the last page', async () => {
    const { key } = await api.newOwner();
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await createRule(key));
    await createRule((await api.newOwner()).key);

    const seen: Rule[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${encodeURIComponent(cursor)}`;
      const response = await api.request('GET', `/rules${query}`, { key });
      expect(response.status).toBe(200);
      const page = response.body as { items: Rule[]; nextCursor: string | null };
      sizes.push(page.items.length);
      seen.push(...page.items.map((r) => ruleSchema.parse(r)));
      cursor = page.nextCursor;
    } while (cursor !== null);

    expect(sizes).toEqual([2, 2, 1]);
    expect(seen.map((r) => r.id).sort()).toEqual(created.map((r) => r.id).sort());
  });

  it('lists 50 by default and filters by symbol and status', async () => {
    const { key } = await api.newOwner();
    const aapl = await createRule(key, { symbol: 'AAPL$US' });
    const msft = await createRule(key, { symbol: 'MSFT$US' });
    const paused = await createRule(key, { symbol: 'MSFT$US', status: 'paused' });

    const ids = async (query: string) => ((await api.request('GET', `/rules${query}`, { key })).body as { items: Rule[] }).items.map((r) => r.id);
    expect((await ids('')).sort()).toEqual([aapl.id, msft.id, paused.id].sort());
    expect((await ids('?symbol=msft%24us')).sort()).toEqual([msft.id, paused.id].sort());
    expect(await ids('?status=paused')).toEqual([paused.id]);
    expect(await ids('?symbol=MSFT$US&status=active')).toEqual([msft.id]);
    expect(await ids('?symbol=&status=&limit=&cursor=')).toHaveLength(3);
  });

  it('creates, lists and filters rules on symbols of other markets, the prefix canonical and unambiguous', async () => {
    const { key } = await api.newOwner();
    const crypto = await createRule(key, { symbol: ' Crypto:btcusdt$ba ' });
    const stock = await createRule(key, { symbol: 'stock:btcusdt$ba' });
    const forex = await createRule(key, { symbol: 'forex:EURUSD$GB', condition: { type: 'crosses_below', value: 1.08345 } });
    expect([crypto.symbol, stock.symbol, forex.symbol]).toEqual(['crypto:BTCUSDT$BA', 'BTCUSDT$BA', 'forex:EURUSD$GB']);
    expect(forex.condition).toEqual({ type: 'crosses_below', value: 1.08345 });
    expect((await api.request('GET', `/rules/${crypto.id}`, { key })).body).toEqual(crypto);
    expect(await listWatchedSymbols(api.table.db)).toEqual(
      expect.arrayContaining([
        { symbol: 'crypto:BTCUSDT$BA', activeRules: 1, rulesVersion: 1 },
        { symbol: 'forex:EURUSD$GB', activeRules: 1, rulesVersion: 1 },
      ]),
    );

    const ids = async (query: string) => ((await api.request('GET', `/rules${query}`, { key })).body as { items: Rule[] }).items.map((r) => r.id);
    expect(await ids(`?symbol=${encodeURIComponent('CRYPTO:BTCUSDT$BA')}`)).toEqual([crypto.id]);
    expect(await ids(`?symbol=${encodeURIComponent('btcusdt$ba')}`)).toEqual([stock.id]);
    expect(await ids(`?symbol=${encodeURIComponent('forex:eurusd$gb')}&status=active`)).toEqual([forex.id]);

    // A symbol moves to another market by a patch, like any other change of symbol.
    const moved = await api.request('PATCH', `/rules/${stock.id}`, { key, json: { symbol: 'crypto:BTCUSDT$BA' } });
    expect(moved.body).toMatchObject({ symbol: 'crypto:BTCUSDT$BA' });
    expect((await ids(`?symbol=${encodeURIComponent('crypto:BTCUSDT$BA')}`)).sort()).toEqual([crypto.id, stock.id].sort());
    expect((await listWatchedSymbols(api.table.db)).find((w) => w.symbol === 'crypto:BTCUSDT$BA')?.activeRules).toBe(2);
  });

  it.each([
    ['symbol=bonds:X$US', 'symbol'],
    ['symbol=crypto:BTCUSDT', 'symbol'],
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['limit=1.5', 'limit'],
    ['status=deleted', 'status'],
    ['symbol=AAPL', 'symbol'],
    ['sort=asc', 'sort'],
    ['cursor=bogus', 'cursor'],
    ['limit=5&limit=6', 'limit'],
  ])('refuses ?%s with 400 validation_error naming %s', async (query, path) => {
    const { key } = await api.newOwner();
    const response = await api.request('GET', `/rules?${query}`, { key });
    expectError(response, 400, 'validation_error');
    expect(errorBodySchema.parse(response.body).error.details?.[0]?.path).toBe(path);
  });

  it('requires a key', async () => {
    expectError(await api.request('GET', '/rules'), 401, 'unauthorized');
  });
});

describe('GET /rules/{id}', () => {
  it('answers 404 alike for a missing rule, another owner’s rule and a malformed id', async () => {
    const alice = await api.newOwner('alice');
    const bob = await api.newOwner('bob');
    const rule = await createRule(alice.key);

    const missing = await api.request('GET', '/rules/AAAAAAAAAAAAAAAAAAAAAA', { key: bob.key });
    const foreign = await api.request('GET', `/rules/${rule.id}`, { key: bob.key });
    const malformed = await api.request('GET', '/rules/..%2F..%2Fetc', { key: bob.key });

    expectError(foreign, 404, 'not_found');
    expect(foreign.body).toEqual(missing.body);
    expect(malformed.body).toEqual(missing.body);
    expect((await api.request('GET', `/rules/${rule.id}`, { key: alice.key })).body).toEqual(rule);
  });

  it('shows an active rule past its expiry as expired', async () => {
    const { owner, key } = await api.newOwner();
    const rule = await createRule(key, { expiresAt: FUTURE });
    await setStored(owner, rule.id, { expiresAt: '2020-01-01T00:00:00.000Z' });

    expect(((await api.request('GET', `/rules/${rule.id}`, { key })).body as Rule).status).toBe('expired');
    const listed = async (status: string) => ((await api.request('GET', `/rules?status=${status}`, { key })).body as { items: Rule[] }).items;
    expect(await listed('expired')).toHaveLength(1);
    expect(await listed('active')).toHaveLength(0);
  });
});

/** Writes attributes straight into the stored rule, as the evaluator would. */
async function setStored(owner: string, ruleId: string, attributes: Record<string, unknown>): Promise<void> {
  const names = Object.keys(attributes);
  await api.table.db.doc.send(
    new UpdateCommand({
      TableName: api.table.tableName,
      Key: ruleKey(owner, ruleId),
      UpdateExpression: `SET ${names.map((_, i) => `#a${i} = :v${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#a${i}`, n])),
      ExpressionAttributeValues: Object.fromEntries(names.map((n, i) => [`:v${i}`, attributes[n]])),
    }),
  );
}

describe('PATCH /rules/{id}', () => {
  it('changes only the fields given and stamps updatedAt', async () => {
    const { key } = await api.newOwner();
    const rule = await createRule(key, { note: 'old', message: 'hello' });

    const response = await api.request('PATCH', `/rules/${rule.id}`, { key, json: { note: 'new', condition: { type: 'price_below', value: 150 } } });

    expect(response.status).toBe(200);
    const patched = ruleSchema.parse(response.body);
    expect(patched).toEqual({ ...rule, note: 'new', condition: { type: 'price_below', value: 150 }, updatedAt: patched.updatedAt });
    expect(patched.updatedAt >= rule.updatedAt).toBe(true);
    expect((await api.request('GET', `/rules/${rule.id}`, { key })).body).toEqual(patched);
  });

  it('clears a nullable field with null', async () => {
    const { key } = await api.newOwner();
    const rule = await createRule(key, { note: 'note', expiresAt: FUTURE });
    const patched = (await api.request('PATCH', `/rules/${rule.id}`, { key, json: { note: null, expiresAt: null } })).body as Rule;
    expect(patched).toMatchObject({ note: null, expiresAt: null });
  });

  it('pauses and resumes, moving the rule out of and back into the watched symbols', async () => {
    const { key } = await api.newOwner();
    const rule = await createRule(key, { symbol: 'PAUSE$US' });
    const count = async () => (await listWatchedSymbols(api.table.db)).find((w) => w.symbol === 'PAUSE$US')?.activeRules ?? 0;

    expect(((await api.request('PATCH', `/rules/${rule.id}`, { key, json: { status: 'paused' } })).body as Rule).status).toBe('paused');
    expect(await count()).toBe(0);
    expect(((await api.request('PATCH', `/rules/${rule.id}`, { key, json: { status: 'active' } })).body as Rule).status).toBe('active');
    expect(await count()).toBe(1);
  });

  it('re-activates a triggered rule and re-arms it', async () => {
    const { owner, key } = await api.newOwner();
    const rule = await createRule(key, { trigger: 'once' });
    await setStored(owner, rule.id, { status: 'triggered', armed: false, triggerCount: 1 });

    const response = await api.request('PATCH', `/rules/${rule.id}`, { key, json: { status: 'active' } });

    expect(response.body).toMatchObject({ status: 'active', triggerCount: 1 });
  });

  it('re-activates an expired rule only with an expiry in the future', async () => {
    const { owner, key } = await api.newOwner();
    const rule = await createRule(key, { expiresAt: FUTURE });
    await setStored(owner, rule.id, { expiresAt: '2020-01-01T00:00:00.000Z' });

    const refused = await api.request('PATCH', `/rules/${rule.id}`, { key, json: { status: 'active' } });
    expectError(refused, 400, 'validation_error', /^expiresAt has passed/);
    expect(((await api.request('PATCH', `/rules/${rule.id}`, { key, json: { note: 'still expired' } })).body as Rule).status).toBe('expired');

    const revived = await api.request('PATCH', `/rules/${rule.id}`, { key, json: { status: 'active', expiresAt: FUTURE } });
    expect(revived.body).toMatchObject({ status: 'active', expiresAt: FUTURE });
  });

  it.each([
    ['an empty patch', {}, '', /must change at least one field/],
    ['an unknown field', { id: 'other' }, 'id', /is not a known field/],
    ['a status only the server sets', { status: 'expired' }, 'status', /must be "active" or "paused"/],
    ['an expiry in the past', { expiresAt: '2001-01-01T00:00:00Z' }, 'expiresAt', /must be in the future/],
    ['a webhook to a private address', { channels: [{ type: 'webhook', url: 'https://192.168.1.1/' }] }, 'channels[0].url', /must not point/],
    ['a bad cooldown', { cooldownSeconds: 604801 }, 'cooldownSeconds', /must be at most 604800/],
  ])('refuses %s with 400 and leaves the rule unchanged', async (_, patch, path, message) => {
    const { key } = await api.newOwner();
    const rule = await createRule(key);

    const response = await api.request('PATCH', `/rules/${rule.id}`, { key, json: patch });

    expectError(response, 400, 'validation_error');
    expect(errorBodySchema.parse(response.body).error.details).toContainEqual({ path, message: expect.stringMatching(message) as unknown });
    expect((await api.request('GET', `/rules/${rule.id}`, { key })).body).toEqual(rule);
  });

  it('answers 404 for another owner’s rule and leaves it unchanged', async () => {
    const alice = await api.newOwner('alice');
    const rule = await createRule(alice.key);
    const bob = await api.newOwner('bob');

    expectError(await api.request('PATCH', `/rules/${rule.id}`, { key: bob.key, json: { status: 'paused' } }), 404, 'not_found');
    expect((await api.request('GET', `/rules/${rule.id}`, { key: alice.key })).body).toEqual(rule);
  });

  it('checks the body before anything else: 413, 415 and 400 invalid_json', async () => {
    const { key } = await api.newOwner();
    const rule = await createRule(key);
    expectError(await api.request('PATCH', `/rules/${rule.id}`, { key, json: { note: 'x'.repeat(17_000) } }), 413, 'payload_too_large');
    expectError(await api.request('PATCH', `/rules/${rule.id}`, { key, rawBody: 'note=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type');
    expectError(await api.request('PATCH', `/rules/${rule.id}`, { key, rawBody: '{', headers: { 'content-type': 'application/json' } }), 400, 'invalid_json');
  });
});

describe('DELETE /rules/{id}', () => {
  it('deletes the rule: 204, then 404', async () => {
    const { owner, key } = await api.newOwner();
    const rule = await createRule(key);

    const response = await api.request('DELETE', `/rules/${rule.id}`, { key });

    expect(response.status).toBe(204);
    expect(response.body).toBeUndefined();
    expectError(await api.request('GET', `/rules/${rule.id}`, { key }), 404, 'not_found');
    expectError(await api.request('DELETE', `/rules/${rule.id}`, { key }), 404, 'not_found');
    expect((await getOwnerProfile(api.table.db, owner))?.ruleCount).toBe(0);
  });

  it('answers 404 for another owner’s rule and deletes nothing', async () => {
    const alice = await api.newOwner('alice');
    const rule = await createRule(alice.key);

    expectError(await api.request('DELETE', `/rules/${rule.id}`, { key: (await api.newOwner('bob')).key }), 404, 'not_found');
    expect((await api.request('GET', `/rules/${rule.id}`, { key: alice.key })).status).toBe(200);
  });
});

describe('routes', () => {
  it('answers 404 not_found in the error shape for a route that does not exist', async () => {
    const { key } = await api.newOwner();
    expectError(await api.request('GET', '/nope', { key }), 404, 'not_found');
    expectError(await api.request('PUT', '/rules', { key }), 404, 'not_found');
  });
});

/**
 * Random and hostile requests against the HTTP API (local server, real handlers, DynamoDB Local).
 * Whatever comes in, the answer is a success or one of api.md's documented 4xx errors in its JSON
 * shape, never a 500, and a refused request leaves the table exactly as it was.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ruleSchema } from '../../../core/rule-model';
import { errorBodySchema } from '../../../functions/shared/http-errors';
import { encodeCursor } from '../../../storage/cursor';
import { createRuleBody } from '../../support/api-fixtures';
import { useApiServer, type ApiResponse, type TestApi } from '../../support/api-server';

const api = useApiServer({ RULE_QUOTA: '50' });

const DOCUMENTED_ERRORS: Record<number, string[]> = {
  400: ['validation_error', 'invalid_json'],
  401: ['unauthorized'],
  404: ['not_found'],
  413: ['payload_too_large'],
  415: ['unsupported_media_type'],
  429: ['quota_exceeded', 'limit_exceeded'],
};

async function tableSnapshot(table: TestApi['table']): Promise<string> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.db.doc.send(new ScanCommand({ TableName: table.tableName, ExclusiveStartKey: startKey, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return JSON.stringify(items.map((item) => JSON.stringify(item)).sort());
}

/** Checks the answer; on an error, that nothing changed. Returns the answer for further checks. */
async function expectDocumentedAnswer(send: () => Promise<ApiResponse>, successes: number[]): Promise<ApiResponse> {
  const before = await tableSnapshot(api.table);
  const response = await send();
  if (successes.includes(response.status)) return response;
  expect(Object.keys(DOCUMENTED_ERRORS)).toContain(String(response.status));
  const body = errorBodySchema.parse(response.body);
  expect(DOCUMENTED_ERRORS[response.status]).toContain(body.error.code);
  expect(await tableSnapshot(api.table)).toBe(before);
  return response;
}

const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.double(),
  fc.constantFrom<unknown>(
    null,
    true,
    -0,
    1e308,
    5e-324,
    1e-7,
    2 ** 53 + 1,
    '',
    '200',
    'NaN',
    'Infinity',
    'AAPL$US',
    'aapl$us',
    '$US',
    'https://10.0.0.1/',
    'https://[::1]/',
    'https://169.254.169.254/latest/meta-data',
    'http://93.184.215.14/',
    'https://93.184.215.14/hook',
    '2001-01-01T00:00:00Z',
    '2099-01-01T00:00:00Z',
    'x'.repeat(600),
    '\u0000',
    '{{price}}',
    [],
    {},
    [{}],
    { type: 'webhook', url: 'https://127.0.0.1/' },
    { type: 'all', conditions: [{ type: 'all', conditions: [] }] },
    { type: 'rsi_above', value: 70 },
    { type: 'enters_channel', lower: 5, upper: 5 },
    'active',
    'paused',
    'triggered',
  ),
);

const FIELDS = ['symbol', 'condition', 'trigger', 'cooldownSeconds', 'expiresAt', 'channels', 'message', 'note', 'status'];
const NESTED = ['condition.value', 'condition.type', 'condition.lower', 'condition.percent', 'channels.0', 'channels.0.url', 'channels.0.type'];
const mutation = fc.tuple(fc.constantFrom(...FIELDS, ...NESTED, 'id', 'triggerCount', 'extra'), hostileValue, fc.boolean());

/** A valid body with one to three fields (top-level or nested) replaced, removed or added. */
const mutatedBody = fc.array(mutation, { minLength: 1, maxLength: 3 }).map((mutations) => {
  const body = createRuleBody({ channels: [{ type: 'webhook', url: 'https://93.184.215.14/hook' }] });
  for (const [path, value, remove] of mutations) {
    const keys = path.split('.');
    let target: unknown = body;
    for (const key of keys.slice(0, -1)) target = typeof target === 'object' && target !== null ? (target as Record<string, unknown>)[key] : undefined;
    if (typeof target !== 'object' || target === null) continue;
    const last = keys.at(-1) as string;
    if (remove) delete (target as Record<string, unknown>)[last];
    else (target as Record<string, unknown>)[last] = value;
  }
  return JSON.stringify(body);
});

/** Any number at all, edge cases (tiny, huge, -0, fractions of whole-number fields) included. */
const anyNumber = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -100, max: 1_000_000 }), fc.double({ min: -1e-120, max: 1e-120 }));
const simpleCondition = fc.oneof(
  fc.record({ type: fc.constantFrom('price_above', 'price_below', 'crosses_above', 'crosses_below', 'crosses'), value: anyNumber }),
  fc.record({ type: fc.constantFrom('enters_channel', 'exits_channel'), lower: anyNumber, upper: anyNumber }),
  fc.record({ type: fc.constantFrom('moves_up_pct', 'moves_down_pct'), percent: anyNumber, windowSeconds: anyNumber }),
  fc.record({ type: fc.constant('change_from_prev_close_pct'), percent: anyNumber }),
  fc.record({ type: fc.constant('volume_spike'), multiple: anyNumber, windowSeconds: anyNumber }),
);
const anyCondition = fc.oneof(
  { weight: 3, arbitrary: simpleCondition },
  fc.record({ type: fc.constantFrom('all', 'any'), conditions: fc.array(simpleCondition, { minLength: 1, maxLength: 6 }) }),
);
/** A body of the right structure with random numbers in every numeric field. */
const numericBody = fc
  .record({ condition: anyCondition, cooldownSeconds: fc.option(anyNumber, { nil: undefined }) })
  .map(({ condition, cooldownSeconds }) => JSON.stringify(createRuleBody({ condition, ...(cooldownSeconds === undefined ? {} : { cooldownSeconds }) })));

const rawBody = fc.oneof(
  mutatedBody,
  fc.json({ maxDepth: 4 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.record({ note: fc.string({ minLength: 16_300, maxLength: 16_500 }) }, { noNullPrototype: true }).map((b) => JSON.stringify(createRuleBody(b))),
  fc.integer({ min: 1, max: 3000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
  fc.constantFrom(
    '{"__proto__":{"polluted":true},"symbol":"AAPL$US","condition":{"type":"price_above","value":1}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"symbol":"AAPL$US","symbol":"MSFT$US","condition":{"type":"price_above","value":1}}',
    '{"symbol":"AAPL$US","condition":{"type":"price_above","value":1e999}}',
    '{"note":"\\ud800"}',
    '\ufeff{"note":"bom"}',
    'null',
    '"string"',
    '',
  ),
);

const contentType = fc.constantFrom<string | undefined>(
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'application/merge-patch+json',
  'application/json; charset=utf-16',
  'text/plain',
  'multipart/form-data; boundary=x',
  undefined,
);

describe('API fuzz', () => {
  it('answers well-formed requests with hostile field values with a success or a documented error, writing nothing on errors', async () => {
    const { key } = await api.newOwner('fields');
    const victim = ruleSchema.parse((await api.request('POST', '/rules', { key, json: createRuleBody() })).body);

    await fc.assert(
      fc.asyncProperty(fc.constantFrom('POST /rules', `PATCH /rules/${victim.id}`), fc.oneof(mutatedBody, numericBody), async (route, body) => {
        const [method = '', path = ''] = route.split(' ');
        const response = await expectDocumentedAnswer(
          () => api.request(method, path, { key, rawBody: body, headers: { 'content-type': 'application/json' } }),
          [200, 201],
        );
        if (response.status < 300) ruleSchema.parse(response.body);
        if (response.status === 201) await api.request('DELETE', `/rules/${(response.body as { id: string }).id}`, { key });
      }),
      { numRuns: 400 },
    );
  });

  it('answers hostile bodies, media types and keys with a success or a documented error, writing nothing on errors', async () => {
    const { key } = await api.newOwner('fuzz');
    const other = await api.newOwner('other');
    const victim = ruleSchema.parse((await api.request('POST', '/rules', { key, json: createRuleBody() })).body);
    const othersRule = ruleSchema.parse((await api.request('POST', '/rules', { key: other.key, json: createRuleBody() })).body);

    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('POST /rules', `PATCH /rules/${victim.id}`, `PATCH /rules/${othersRule.id}`, 'PATCH /rules/AAAAAAAAAAAAAAAAAAAAAA'),
        rawBody,
        contentType,
        fc.constantFrom<string | null>(key, key, key, null, 'sa_wrong', other.key.slice(0, -1)),
        async (route, body, type, credential) => {
          const [method = '', path = ''] = route.split(' ');
          const response = await expectDocumentedAnswer(
            () => api.request(method, path, { key: credential, rawBody: body, headers: type === undefined ? {} : { 'content-type': type } }),
            [200, 201],
          );
          if (response.status === 201) {
            ruleSchema.parse(response.body);
            await api.request('DELETE', `/rules/${(response.body as { id: string }).id}`, { key });
          }
          if (path.endsWith(othersRule.id)) expect(response.status).not.toBe(200);
        },
      ),
      { numRuns: 200 },
    );

    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await api.request('GET', `/rules/${othersRule.id}`, { key: other.key })).body).toEqual(othersRule);
  });

  it('answers random query strings on the list routes with 200 or 400, never writing', async () => {
    const { key } = await api.newOwner('query');
    const parameterName = fc.oneof(fc.constantFrom('symbol', 'status', 'limit', 'cursor', 'ruleId', 'since', '__proto__', 'constructor'), fc.string({ maxLength: 8 }));
    const parameterValue = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.constantFrom('', '0', '1', '50', '100', '101', '-1', '1e2', '9'.repeat(400), 'AAPL$US', 'active', 'expired', '2026-01-01T00:00:00Z', 'x'.repeat(5000)),
      fc.constantFrom(encodeCursor('RULE#AAAAAAAAAAAAAAAAAAAAAA'), encodeCursor('ALERT#2026-01-01T00:00:00.000Z#x'), encodeCursor('OWNER#x')),
    );

    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/rules', '/alerts'), fc.array(fc.tuple(parameterName, parameterValue), { maxLength: 5 }), async (path, parameters) => {
        const query = new URLSearchParams(parameters).toString();
        const response = await expectDocumentedAnswer(() => api.request('GET', `${path}?${query}`, { key }), [200]);
        expect([200, 400]).toContain(response.status);
      }),
      { numRuns: 200 },
    );
  });

  it('answers random rule ids on every rule route with 404, never another owner’s rule', async () => {
    const { key } = await api.newOwner('ids');
    const other = await api.newOwner('other');
    const othersRule = ruleSchema.parse((await api.request('POST', '/rules', { key: other.key, json: createRuleBody() })).body);

    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'DELETE', 'PATCH'),
        fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), fc.constant(othersRule.id), fc.stringMatching(/^[A-Za-z0-9]{22}$/)),
        async (method, id) => {
          const path = `/rules/${encodeURIComponent(id)}`;
          const json = method === 'PATCH' ? { note: 'mine now' } : undefined;
          const response = await expectDocumentedAnswer(() => api.request(method, path, { key, json }), []);
          expect(response.status).toBe(404);
        },
      ),
      { numRuns: 150 },
    );

    expect((await api.request('GET', `/rules/${othersRule.id}`, { key: other.key })).body).toEqual(othersRule);
  });
});

/** `GET /alerts` through the local HTTP API on DynamoDB Local. */
import { describe, expect, it } from 'vitest';
import { alertSchema, type Alert } from '../../../core/rule-model';
import { errorBodySchema } from '../../../functions/shared/http-errors';
import { newId } from '../../../storage/random-ids';
import { alert, T0 } from '../../support/api-fixtures';
import { useApiServer } from '../../support/api-server';
import { storeAlert } from '../../support/delivery-alerts';

const api = useApiServer();

const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000).toISOString();

interface AlertPage {
  items: Alert[];
  nextCursor: string | null;
}

describe('GET /alerts', () => {
  it('lists the owner’s alerts newest first, in pages, in the alert shape of api.md', async () => {
    const { owner, key } = await api.newOwner();
    const alerts = Array.from({ length: 3 }, (_, i) => alert({ triggeredAt: at(i) }));
    for (const a of alerts) await storeAlert(api.table.db, owner, a);
    await storeAlert(api.table.db, (await api.newOwner()).owner, alert());

    const first = await api.request('GET', '/alerts?limit=2', { key });
    const firstPage = first.body as AlertPage;
    const second = (await api.request('GET', `/alerts?limit=2&cursor=${firstPage.nextCursor ?? ''}`, { key })).body as AlertPage;

    expect(first.status).toBe(200);
    expect([...firstPage.items, ...second.items].map((a) => alertSchema.parse(a))).toEqual([...alerts].reverse());
    expect(second.nextCursor).toBeNull();
  });

  it('filters by ruleId, symbol and since', async () => {
    const { owner, key } = await api.newOwner();
    const ruleId = newId();
    const alerts = [alert({ ruleId, triggeredAt: at(0) }), alert({ symbol: 'MSFT$US', triggeredAt: at(1) }), alert({ ruleId, triggeredAt: at(2) })];
    for (const a of alerts) await storeAlert(api.table.db, owner, a);

    const items = async (query: string) => ((await api.request('GET', `/alerts?${query}`, { key })).body as AlertPage).items;
    expect(await items(`ruleId=${ruleId}`)).toEqual([alerts[2], alerts[0]]);
    expect(await items('symbol=msft$us')).toEqual([alerts[1]]);
    expect(await items(`since=${encodeURIComponent(at(1))}`)).toEqual([alerts[2], alerts[1]]);
  });

  it('pages one rule’s alerts by cursor, newest first, among other rules’ alerts', async () => {
    const { owner, key } = await api.newOwner();
    const ruleId = newId();
    const mine: Alert[] = [];
    for (let i = 0; i < 9; i++) {
      const a = alert({ ...(i % 3 === 0 ? { ruleId } : {}), triggeredAt: at(i) });
      if (i % 3 === 0) mine.push(a);
      await storeAlert(api.table.db, owner, a);
    }

    const first = (await api.request('GET', `/alerts?ruleId=${ruleId}&limit=2`, { key })).body as AlertPage;
    const second = (await api.request('GET', `/alerts?ruleId=${ruleId}&limit=2&cursor=${first.nextCursor ?? ''}`, { key })).body as AlertPage;

    expect(first.items).toEqual([mine[2], mine[1]]);
    expect(second).toEqual({ items: [mine[0]], nextCursor: null });
  });

  it('filters by a symbol of another market, its prefix in any case', async () => {
    const { owner, key } = await api.newOwner();
    const alerts = [alert({ symbol: 'crypto:BTCUSDT$BA', triggeredAt: at(0) }), alert({ symbol: 'BTCUSDT$BA', triggeredAt: at(1) }), alert({ symbol: 'forex:EURUSD$GB', triggeredAt: at(2) })];
    for (const a of alerts) await storeAlert(api.table.db, owner, a);

    const items = async (query: string) => ((await api.request('GET', `/alerts?${query}`, { key })).body as AlertPage).items;
    expect(await items(`symbol=${encodeURIComponent('Crypto:btcusdt$ba')}`)).toEqual([alerts[0]]);
    expect(await items(`symbol=${encodeURIComponent('BTCUSDT$BA')}`)).toEqual([alerts[1]]);
    expect(await items(`symbol=${encodeURIComponent('forex:EURUSD$GB')}`)).toEqual([alerts[2]]);
  });

  it('answers an empty page when there are no alerts', async () => {
    const { key } = await api.newOwner();
    expect((await api.request('GET', '/alerts', { key })).body).toEqual({ items: [], nextCursor: null });
  });

  it.each([
    ['since=yesterday', 'since'],
    ['ruleId=../x', 'ruleId'],
    ['limit=0', 'limit'],
    ['cursor=xyz', 'cursor'],
    ['owner=someone-else', 'owner'],
  ])('refuses ?%s with 400 naming %s', async (query, path) => {
    const { key } = await api.newOwner();
    const response = await api.request('GET', `/alerts?${query}`, { key });
    expect(response.status).toBe(400);
    expect(errorBodySchema.parse(response.body).error.details?.[0]?.path).toBe(path);
  });

  it('requires a key', async () => {
    expect((await api.request('GET', '/alerts')).status).toBe(401);
  });
});

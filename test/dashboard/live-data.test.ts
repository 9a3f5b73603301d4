import { describe, expect, expectTypeOf, it } from 'vitest';
import { DASHBOARD_SUBPROTOCOL } from '../../functions/dashboard-socket/subprotocol';
import { parseSocketMessage, type WatchMessage } from '../../functions/dashboard-socket/watch-message';
import type { DashboardAlertMessage, DashboardDeliveryMessage } from '../../functions/notifier/channels/message-formats';
import { priceSnapshot } from '../../ingest-task/src/price-snapshot';
import { MAX_WATCHED_SYMBOLS as STORED_MAX } from '../../storage/watches-repository';
import { applyDeliveryUpdate, hasUnsettled, mergeAlerts, type FeedAlert } from '../../dashboard/src/alert-list';
import { MAX_WATCHED_SYMBOLS, type DeliveryUpdate, type PushedAlert, type WatchRequest } from '../../dashboard/src/live-protocol';
import { applySnapshots, MAX_POINTS } from '../../dashboard/src/price-book';

const T = Date.parse('2026-03-02T14:30:00.000Z');
const alert = (id: string, triggeredAt: string, deliveries?: FeedAlert['deliveries']): FeedAlert => ({
  id,
  ruleId: 'R1',
  symbol: 'AAPL$US',
  price: 200.5,
  condition: { type: 'crosses_above', value: 200 },
  message: 'AAPL$US crossed above 200',
  tickAt: triggeredAt,
  triggeredAt,
  ...(deliveries === undefined ? {} : { deliveries }),
});

describe('the page’s side of the live protocol', () => {
  it('speaks the messages of their sources', () => {
    expectTypeOf<WatchRequest>().toMatchTypeOf<WatchMessage>();
    expectTypeOf<DashboardAlertMessage['alert']>().toMatchTypeOf<PushedAlert>();
    expectTypeOf<Omit<DashboardDeliveryMessage, 'type'>>().toEqualTypeOf<DeliveryUpdate>();
    expect(MAX_WATCHED_SYMBOLS).toBe(STORED_MAX);
    expect(DASHBOARD_SUBPROTOCOL).toBe('stock-alerts.v1');
  });

  it('watches symbols of every market by their canonical names', () => {
    const request: WatchRequest = { action: 'watch', symbols: ['crypto:BTCUSDT$BA', 'forex:EURUSD$GB', 'AAPL$US'] };
    expect(parseSocketMessage(JSON.stringify(request))).toEqual({ ok: true, message: request });
    expect(parseSocketMessage(JSON.stringify({ action: 'watch', symbols: ['bond:X$US'] }))).toMatchObject({ ok: false, error: expect.stringMatching(/^symbols\.0|^symbols\[0\]/) as unknown });
  });
});

describe('the price book', () => {
  it('keeps the last snapshot and a path of one point per second, the recent history first', () => {
    const first = { ...priceSnapshot('AAPL$US', 201, 200, T + 2_500), history: [[T, 199] as [number, number], [T + 1_000, 200] as [number, number]] };
    let book = applySnapshots(new Map(), [first]);
    book = applySnapshots(book, [priceSnapshot('AAPL$US', 201.5, 200, T + 2_900), priceSnapshot('AAPL$US', 202, 200, T + 3_100)]);
    expect(book.get('AAPL$US')).toMatchObject({ price: 202, change: 2, changePct: 1 });
    expect(book.get('AAPL$US')?.points).toEqual([
      [T / 1000, 199],
      [T / 1000 + 1, 200],
      [T / 1000 + 2, 201.5],
      [T / 1000 + 3, 202],
    ]);
    // A late snapshot does not bend the path back in time.
    expect(applySnapshots(book, [priceSnapshot('AAPL$US', 150, 200, T)]).get('AAPL$US')?.points.at(-1)).toEqual([T / 1000 + 3, 202]);
  });

  it(`keeps at most ${MAX_POINTS} points`, () => {
    let book = applySnapshots(new Map(), []);
    for (let i = 0; i < MAX_POINTS + 10; i++) book = applySnapshots(book, [priceSnapshot('S$US', i, undefined, T + i * 1_000)]);
    const points = book.get('S$US')?.points ?? [];
    expect(points).toHaveLength(MAX_POINTS);
    expect(points[0]).toEqual([T / 1000 + 10, 10]);
  });
});

describe('the alert feed', () => {
  it('merges pushed and fetched alerts by id, newest first, fetched deliveries kept', () => {
    const fetched = alert('A1', '2026-03-02T14:30:00.000Z', [{ channel: 'telegram', status: 'sent', attempts: 1 }]);
    let feed = mergeAlerts([], [fetched]);
    feed = mergeAlerts(feed, [alert('A2', '2026-03-02T14:31:00.000Z'), alert('A1', '2026-03-02T14:30:00.000Z')]);
    expect(feed.map((a) => a.id)).toEqual(['A2', 'A1']);
    expect(feed[1]?.deliveries).toEqual(fetched.deliveries);
    expect(hasUnsettled(feed)).toBe(true);
    feed = mergeAlerts(feed, [alert('A2', '2026-03-02T14:31:00.000Z', [{ channel: 'email', status: 'failed', attempts: 5, error: 'bounced' }])]);
    expect(hasUnsettled(feed)).toBe(false);
    expect(hasUnsettled([alert('A3', '2026-03-02T14:32:00.000Z', [{ channel: 'webhook', status: 'pending', attempts: 1 }])])).toBe(true);
  });

  it('applies pushed delivery outcomes, whatever order they and the polls arrive in', () => {
    const at = '2026-03-02T14:30:00.000Z';
    const pending = [
      { channel: 'telegram' as const, status: 'pending' as const, attempts: 0 },
      { channel: 'email' as const, status: 'pending' as const, attempts: 0 },
    ];
    let feed = mergeAlerts([], [alert('A1', at, pending)]);
    feed = applyDeliveryUpdate(feed, { alertId: 'A1', index: 0, delivery: { channel: 'telegram', status: 'sent', attempts: 1 } });
    expect(feed[0]?.deliveries?.[0]).toEqual({ channel: 'telegram', status: 'sent', attempts: 1 });
    // A poll answered before that outcome was recorded does not take it back.
    feed = mergeAlerts(feed, [alert('A1', at, pending)]);
    expect(feed[0]?.deliveries?.map((d) => d.status)).toEqual(['sent', 'pending']);
    // A retry scheduled (pending, one attempt, an error), then a later attempt's success.
    feed = applyDeliveryUpdate(feed, { alertId: 'A1', index: 1, delivery: { channel: 'email', status: 'pending', attempts: 1, error: 'SES answered 503' } });
    expect(feed[0]?.deliveries?.[1]).toMatchObject({ status: 'pending', attempts: 1, error: 'SES answered 503' });
    expect(hasUnsettled(feed)).toBe(true);
    feed = applyDeliveryUpdate(feed, { alertId: 'A1', index: 1, delivery: { channel: 'email', status: 'sent', attempts: 2 } });
    expect(hasUnsettled(feed)).toBe(false);
  });

  it('leaves an outcome for an alert it does not hold, or holds without deliveries, to the next GET /alerts', () => {
    const update: DeliveryUpdate = { alertId: 'A9', index: 0, delivery: { channel: 'telegram', status: 'sent', attempts: 1 } };
    const feed = mergeAlerts([], [alert('A1', '2026-03-02T14:30:00.000Z'), alert('A9', '2026-03-02T14:31:00.000Z')]);
    expect(applyDeliveryUpdate(feed, update)).toEqual(feed);
    expect(applyDeliveryUpdate(feed, { ...update, alertId: 'A1' })).toEqual(feed);
  });
});

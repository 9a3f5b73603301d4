/**
 * The evaluator against DynamoDB Local: one alert per crossing, and never two — whether a batch
 * is retried, retried with more ticks, or evaluated twice at the same time.
 *
 * What guards what (no Powertools idempotency layer is needed):
 * - the alert's key derives from the rule and the batch's first tick position, and the claim
 *   puts it with `attribute_not_exists`: a retried, merged-retried or raced batch finds it;
 * - `firedThrough < fromPos` on the rule: a batch whose ticks the rule already fired from;
 * - `status = active AND version = v` on the rule: a paused, changed or deleted rule.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { listAlerts } from '../../../storage/alerts-repository';
import { finishDelivery } from '../../../storage/deliveries-repository';
import { listOutbox, markQueued } from '../../../storage/delivery-outbox';
import { OutboxWatch, sweepOutbox } from '../../../functions/evaluator/outbox-sweeper';
import { ruleKey } from '../../../storage/item-keys';
import { createRule, getRule, listActiveRulesBySymbol, updateRule } from '../../../storage/rules-repository';
import { listWatchedSymbols } from '../../../storage/symbols-repository';
import { ruleRecord } from '../../support/api-fixtures';
import { uniqueOwner, useDynamoDbTable } from '../../support/dynamodb';
import { batch, evaluate, evaluatorInstance, RecordingQueue } from '../../support/evaluator-harness';

const table = useDynamoDbTable();
const NOW = Date.UTC(2026, 2, 2, 14, 30);
const uniqueSymbol = () => `E${Math.random().toString(36).slice(2, 8).toUpperCase()}$US`;

async function setUp(overrides: Parameters<typeof ruleRecord>[1] = {}) {
  const owner = uniqueOwner();
  const symbol = uniqueSymbol();
  const rule = ruleRecord(owner, {
    symbol,
    channels: [
      { type: 'email', to: 'me@example.com' },
      { type: 'webhook', url: 'https://example.com/hook' },
    ],
    ...overrides,
  });
  await createRule(table.db, rule, { quota: 1000, now: new Date(NOW) });
  const queue = new RecordingQueue();
  return { owner, symbol, rule, queue, deps: evaluatorInstance(table.db, queue) };
}

describe('evaluator', () => {
  it('claims one alert per crossing, records it before delivery and queues one message per channel plus the dashboard', async () => {
    const { owner, symbol, rule, queue, deps } = await setUp();
    const result = await evaluate(deps, batch(symbol, [199, 201], NOW));

    expect(result).toMatchObject({ fired: 1, claimed: 1 });
    const { items } = await listAlerts(table.db, owner, { limit: 10 });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      ruleId: rule.id,
      symbol,
      price: 201,
      condition: rule.condition,
      tickAt: new Date(NOW + 100).toISOString(),
      deliveries: [
        { channel: 'email', status: 'pending', attempts: 0 },
        { channel: 'webhook', status: 'pending', attempts: 0 },
      ],
    });
    expect(items[0]?.message).toBe(`${symbol} crossed above 200: last 201 at ${new Date(NOW + 100).toISOString()}`);
    expect(queue.queues).toEqual(['email', 'webhook', 'dashboard']);
    expect(queue.deliveries[0]?.message).toEqual({ kind: 'channel', version: 1, owner, alertKey: `ALERT#${items[0]?.triggeredAt}#${items[0]?.id}`, index: 0 });

    const stored = await getRule(table.db, owner, rule.id);
    expect(stored).toMatchObject({ triggerCount: 1, lastTriggeredAt: items[0]?.triggeredAt, lastFiredAt: NOW + 100 });
  });

  it('a retried batch (same positions, same state) writes no second alert and queues nothing again', async () => {
    const { owner, symbol, queue, deps } = await setUp();
    const event = batch(symbol, [199, 201], NOW);
    await evaluate(deps, event);
    queue.deliveries.length = 0;

    expect(await evaluate(deps, event, NOW + 5000)).toMatchObject({ claimed: 0 });
    expect((await listAlerts(table.db, owner, { limit: 10 })).items).toHaveLength(1);
    expect(queue.deliveries).toEqual([]);
  });

  it('a retried batch that fires again finds its alert claimed and re-queues only the deliveries still pending', async () => {
    const { owner, symbol, queue, deps } = await setUp({ cooldownSeconds: 0 });
    const event = batch(symbol, [199, 201], NOW);
    await evaluate(deps, event);
    const [first] = (await listAlerts(table.db, owner, { limit: 10 })).items;
    await finishDelivery(table.db, owner, `ALERT#${first?.triggeredAt}#${first?.id}`, 0, { status: 'sent', attempts: 1 });
    queue.deliveries.length = 0;

    expect(await evaluate(deps, event, NOW + 5000)).toMatchObject({ fired: 1, claimed: 0 });
    expect((await listAlerts(table.db, owner, { limit: 10 })).items).toHaveLength(1);
    expect(queue.queues).toEqual(['webhook']);
  });

  it('a retry merged with later ticks still claims the alert once', async () => {
    const { owner, symbol, deps } = await setUp({ cooldownSeconds: 0 });
    const event = batch(symbol, [199, 201], NOW);
    await evaluate(deps, event);
    const later: Array<[number, number, number]> = [
      [202, NOW + 300, 1],
      [203, NOW + 400, 1],
    ];
    const merged = { ...event, toPos: event.toPos + 2, symbols: [{ symbol, points: [...(event.symbols[0]?.points ?? []), ...later] }] };

    expect(await evaluate(deps, merged)).toMatchObject({ claimed: 0 });
    expect((await listAlerts(table.db, owner, { limit: 10 })).items).toHaveLength(1);
  });

  it('two evaluators racing on the same batch claim it once', async () => {
    const { owner, symbol, queue } = await setUp();
    const event = batch(symbol, [199, 201], NOW);
    const results = await Promise.all([evaluate(evaluatorInstance(table.db, queue), event), evaluate(evaluatorInstance(table.db, queue), event)]);

    expect(results.map((r) => r.claimed).sort()).toEqual([0, 1]);
    expect((await listAlerts(table.db, owner, { limit: 10 })).items).toHaveLength(1);
  });

  it('the state handed back carries the rule on: the next batch does not fire the same crossing again', async () => {
    const { owner, symbol, deps } = await setUp({ cooldownSeconds: 0 });
    const first = await evaluate(deps, batch(symbol, [199, 201], NOW));
    const next = await evaluate(deps, { ...batch(symbol, [202, 203], NOW + 1000), state: first.state });
    const again = await evaluate(deps, { ...batch(symbol, [199, 201], NOW + 2000), state: next.state });

    expect([first.claimed, next.claimed, again.claimed]).toEqual([1, 0, 1]);
    expect((await listAlerts(table.db, owner, { limit: 10 })).items).toHaveLength(2);
  });

  it('a paused rule is not claimed even by an evaluator whose cache still holds it', async () => {
    const { owner, symbol, rule, deps } = await setUp();
    await evaluate(deps, batch(symbol, [199], NOW)); // warms the cache
    const before = await getRule(table.db, owner, rule.id);
    await updateRule(table.db, before!, { ...before!, status: 'paused', version: before!.version + 1 }, new Date(NOW));
    const stale = { ...deps, rules: deps.rules };
    // The cache checks versions at every batch here; freeze it to play an instance with a stale cache.
    (stale.rules as unknown as { versionsAt: number }).versionsAt = Number.POSITIVE_INFINITY;

    const result = await evaluate(stale, batch(symbol, [199, 201], NOW + 1000));

    expect(result).toMatchObject({ fired: 1, claimed: 0 });
    expect((await listAlerts(table.db, owner, { limit: 10 })).items).toHaveLength(0);
  });

  it('a once rule becomes triggered and leaves the active set and the watched symbols', async () => {
    const { owner, symbol, rule, deps } = await setUp({ trigger: 'once' });
    await evaluate(deps, batch(symbol, [199, 201], NOW));

    expect(await getRule(table.db, owner, rule.id)).toMatchObject({ status: 'triggered', triggerCount: 1 });
    expect(await listActiveRulesBySymbol(table.db, symbol)).toEqual([]);
    expect((await listWatchedSymbols(table.db)).some((w) => w.symbol === symbol)).toBe(false);
  });

  it('a rearm level records its disarm with the claim and its re-arm when it stops holding', async () => {
    const { owner, symbol, rule, deps } = await setUp({ condition: { type: 'price_above', value: 200 }, cooldownSeconds: 0 });
    const first = await evaluate(deps, batch(symbol, [201], NOW));
    expect(await getRule(table.db, owner, rule.id)).toMatchObject({ armed: false });

    await evaluate(deps, { ...batch(symbol, [199], NOW + 1000), state: first.state });
    expect(await getRule(table.db, owner, rule.id)).toMatchObject({ armed: true });
  });

  it('marks a rule whose expiry has passed as expired', async () => {
    const { owner, symbol, rule, deps } = await setUp({ expiresAt: new Date(NOW + 500).toISOString() });
    await evaluate(deps, batch(symbol, [199], NOW + 1000));

    const { Item } = await table.db.doc.send(new GetCommand({ TableName: table.tableName, Key: ruleKey(owner, rule.id) }));
    expect(Item).toMatchObject({ status: 'expired' });
    expect(Item?.GSI1PK).toBeUndefined();
  });

  it('sees a new rule on the batch after it was created, within the cache check interval', async () => {
    const { owner, symbol, queue } = await setUp({ condition: { type: 'price_above', value: 1000 } });
    const deps = evaluatorInstance(table.db, queue, { checkEveryMs: 2000 });
    await evaluate(deps, batch(symbol, [199], NOW));
    const added = ruleRecord(owner, { symbol, condition: { type: 'price_above', value: 100 } });
    await createRule(table.db, added, { quota: 1000, now: new Date(NOW) });

    expect((await evaluate(deps, batch(symbol, [199.5], NOW + 1000), NOW + 1000)).claimed).toBe(0);
    expect((await evaluate(deps, batch(symbol, [199.6], NOW + 2000), NOW + 2000)).claimed).toBe(1);
  });

  it('drops a state that is not an engine state and starts from baselines', async () => {
    const { symbol, deps } = await setUp();
    let dropped = 0;
    const result = await evaluate({ ...deps, onStateDropped: () => (dropped += 1) }, { ...batch(symbol, [201], NOW), state: { nonsense: true } });

    expect(dropped).toBe(1);
    expect(result.claimed).toBe(0);
  });

  it('when the queue is down the batch fails, and the outbox sweeper queues the claimed alert’s deliveries later', async () => {
    const { owner, symbol, queue, deps } = await setUp();
    queue.failNext = 1;
    await expect(evaluate(deps, batch(symbol, [199, 201], NOW))).rejects.toThrow('queue unavailable');
    const store = { listOutbox: (before: Date, limit: number) => listOutbox(table.db, before, limit), markQueued: (o: string, k: string) => markQueued(table.db, o, k) };

    // Too young: the evaluator may still be queueing it.
    expect(await sweepOutbox(store, queue, NOW + 10_000, { minAgeMs: 30_000, limit: 100 })).toBe(0);
    expect(await sweepOutbox(store, queue, NOW + 60_000, { minAgeMs: 30_000, limit: 100 })).toBeGreaterThanOrEqual(1);

    const mine = queue.deliveries.filter((d) => d.message.owner === owner);
    expect(mine.map((d) => d.queue)).toEqual(['email', 'webhook', 'dashboard']);
    expect((await listOutbox(table.db, new Date(NOW + 60_000), 100)).some((e) => e.owner === owner)).toBe(false);
  });

  it('a retry that no longer fires (cooldown) leaves its alert in the outbox; a later batch queues it within seconds', async () => {
    const { owner, symbol, queue, deps } = await setUp({ cooldownSeconds: 300 });
    const store = { listOutbox: (before: Date, limit: number) => listOutbox(table.db, before, limit), markQueued: (o: string, k: string) => markQueued(table.db, o, k) };
    const withWatch = (instance: typeof deps) => ({ ...instance, outbox: new OutboxWatch(store, queue, { everyMs: 5000, minAgeMs: 5000, limit: 25 }) });
    const first = batch(symbol, [199, 201], NOW);
    const triggeredAt = Math.floor(first.fromPos / 1000);
    const mine = () => queue.deliveries.filter((d) => d.message.owner === owner).map((d) => d.queue);

    // The first attempt claims, then the queue fails: the ingest task will retry the batch.
    queue.failNext = 1;
    await expect(evaluate(withWatch(deps), first, triggeredAt + 200)).rejects.toThrow('queue unavailable');
    // The retry, on a fresh instance, reads the trigger state the claim wrote: the cooldown holds.
    const retried = withWatch(evaluatorInstance(table.db, queue));
    expect(await evaluate(retried, first, triggeredAt + 400)).toMatchObject({ fired: 0, claimed: 0 });
    expect(mine()).toEqual([]);

    // The instance's next look at the outbox (5 s after its last) finds the alert 5 s old.
    await evaluate(retried, batch(symbol, [202], triggeredAt + 3000), triggeredAt + 3000);
    expect(mine()).toEqual([]);
    await evaluate(retried, batch(symbol, [203], triggeredAt + 5500), triggeredAt + 5500);
    expect(mine()).toEqual(['email', 'webhook', 'dashboard']);
    expect((await listAlerts(table.db, owner, { limit: 10 })).items).toHaveLength(1);
    expect((await listOutbox(table.db, new Date(triggeredAt + 60_000), 100)).some((e) => e.owner === owner)).toBe(false);
  });

  it('a failed look at the outbox never fails the batch', async () => {
    const { symbol, deps } = await setUp();
    const seen: unknown[] = [];
    const broken = { sweepIfDue: async () => Promise.reject(new Error('throttled')) };
    const result = await evaluate({ ...deps, outbox: broken, onOutbox: (outcome) => seen.push(outcome) }, batch(symbol, [199, 201], NOW));
    expect(result).toMatchObject({ fired: 1, claimed: 1 });
    expect(seen).toEqual([{ error: new Error('throttled') }]);
  });

  it('takes a queued alert out of the outbox', async () => {
    const { owner, symbol, deps } = await setUp();
    await evaluate(deps, batch(symbol, [199, 201], NOW));
    expect((await listOutbox(table.db, new Date(NOW + 60_000), 100)).some((e) => e.owner === owner)).toBe(false);
  });
});

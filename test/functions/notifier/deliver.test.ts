/**
 * deliver(): one queued delivery, with in-memory fakes for the alert store (modelling the lease
 * of storage/deliveries-repository.ts: only a pending delivery without a live lease can be
 * taken), the channels and the pacing lanes, and the real circuit breakers. What is sent, what
 * the alert records, and when the queue should hand the message out again.
 */
import { describe, expect, it } from 'vitest';
import type { DeliverableAlert } from '../../../core/delivery/deliverable-alert';
import type { DeliveryMessage } from '../../../core/delivery/delivery-message';
import type { Channel, Delivery } from '../../../core/rule-model';
import type { DeliveryResult } from '../../../functions/notifier/channels/delivery-result';
import type { PaceLane } from '../../../core/channels/definition';
import { deliver, retryDelayMs, type Channels, type DeliverDeps, type DeliveryEvents, type DeliveryStore, type Pacer } from '../../../functions/notifier/deliver';
import { DestinationLanes } from '../../../functions/notifier/destination-lanes';
import { loadNotifierConfig } from '../../../functions/shared/config';
import type { DeliveryOutcome, LeaseResult } from '../../../storage/deliveries-repository';

const OWNER = 'owner-1';
const ALERT_KEY = 'ALERT#2026-03-02T14:30:00.000Z#A1';
const TICK_AT = Date.parse('2026-03-02T14:30:00.250Z');
const BASE_MS = 5_000;
const MAX_ATTEMPTS = 3;

const EMAIL: Channel = { type: 'email', to: 'me@example.com' };
const WEBHOOK: Channel = { type: 'webhook', url: 'https://example.com/hook' };

function aDeliverableAlert(deliveries: Delivery[] = [pending('email'), pending('webhook')], channels: Channel[] = [EMAIL, WEBHOOK]): DeliverableAlert {
  return {
    owner: OWNER,
    alert: {
      id: 'A1',
      ruleId: 'R1',
      symbol: 'AAPL$US',
      price: 201,
      condition: { type: 'crosses_above', value: 200 },
      message: 'AAPL$US crossed above 200: last 201 at 2026-03-02T14:30:00.250Z',
      tickAt: new Date(TICK_AT).toISOString(),
      triggeredAt: '2026-03-02T14:30:00.000Z',
      deliveries,
    },
    channels,
    note: 'check the news',
  };
}

function pending(channel: Delivery['channel'], attempts = 0): Delivery {
  return { channel, status: 'pending', attempts };
}

/** One alert in memory, leased the way the repository leases (a lease lasts until `finish`). */
class MemoryAlertStore implements DeliveryStore {
  readonly leased = new Set<number>();
  readonly finished: Array<{ index: number; outcome: DeliveryOutcome }> = [];
  leaseCalls = 0;

  constructor(public record: DeliverableAlert | null) {}

  async lease(owner: string, alertKey: string, index: number): Promise<LeaseResult> {
    this.leaseCalls++;
    const delivery = owner === OWNER && alertKey === ALERT_KEY ? this.record?.alert.deliveries[index] : undefined;
    if (this.record === null || delivery === undefined) return { status: 'missing' };
    if (delivery.status !== 'pending') return { status: 'done' };
    if (this.leased.has(index)) return { status: 'busy' };
    this.leased.add(index);
    return { status: 'leased', alert: structuredClone(this.record) };
  }

  async finish(_owner: string, _alertKey: string, index: number, outcome: DeliveryOutcome): Promise<void> {
    if (this.record === null) throw new Error('no alert');
    const deliveries = this.record.alert.deliveries;
    const channel = deliveries[index]?.channel ?? 'email';
    deliveries[index] = { channel, status: outcome.status, attempts: outcome.attempts, ...(outcome.error === undefined ? {} : { error: outcome.error }) };
    this.leased.delete(index);
    this.finished.push({ index, outcome });
  }

  async read(): Promise<DeliverableAlert | null> {
    return this.record === null ? null : structuredClone(this.record);
  }

  delivery(index: number): Delivery | undefined {
    return this.record?.alert.deliveries[index];
  }
}

/** Channels that answer as scripted (default: delivered) and remember what they were given. */
class ScriptedChannels implements Channels {
  readonly sent: Array<{ channel: Channel; alert: DeliverableAlert }> = [];
  readonly pushed: DeliverableAlert[] = [];
  readonly pushedDeliveries: Delivery[][] = [];
  readonly updates: Array<{ owner: string; alertId: string; index: number; delivery: Delivery }> = [];
  /** The next send answers, in order. */
  readonly answers: Array<DeliveryResult | Promise<DeliveryResult>> = [];
  readonly pushAnswers: DeliveryResult[] = [];

  async send(channel: Channel, alert: DeliverableAlert): Promise<DeliveryResult> {
    this.sent.push({ channel, alert });
    return (await this.answers.shift()) ?? { ok: true };
  }

  async pushToDashboards(alert: DeliverableAlert): Promise<DeliveryResult> {
    this.pushed.push(alert);
    this.pushedDeliveries.push([...alert.alert.deliveries]);
    return this.pushAnswers.shift() ?? { ok: true };
  }

  async pushDeliveryUpdate(owner: string, alertId: string, index: number, delivery: Delivery): Promise<void> {
    this.updates.push({ owner, alertId, index, delivery });
  }
}

class RecordedEvents implements DeliveryEvents {
  readonly finishedEvents: Array<Parameters<DeliveryEvents['finished']>[0]> = [];
  readonly retriedEvents: Array<Parameters<DeliveryEvents['retried']>[0]> = [];
  finished(event: Parameters<DeliveryEvents['finished']>[0]): void {
    this.finishedEvents.push(event);
  }
  retried(event: Parameters<DeliveryEvents['retried']>[0]): void {
    this.retriedEvents.push(event);
  }
}

const NOW = TICK_AT + 1_234;
const MAX_PACE_WAIT_MS = 500;
const LANE_SETTINGS = { failuresToOpen: 2, openMs: 10_000, maxOpenMs: 60_000 };

/** Pacing lanes in memory: each reservation answers the next scripted slot (default: now). */
class ScriptedPacer implements Pacer {
  readonly slots: number[] = [];
  readonly reserved: PaceLane[][] = [];
  readonly heldOff: Array<{ lane: string; until: number }> = [];
  lanesOf(channel: Channel): PaceLane[] {
    return channel.type === 'webhook' ? [] : [{ key: `${channel.type}:lane`, limit: { capacity: 1, periodMs: 1_000 } }];
  }
  async reserve(lanes: readonly PaceLane[], now: number): Promise<number> {
    this.reserved.push([...lanes]);
    return this.slots.shift() ?? now;
  }
  async holdOff(lane: PaceLane, until: number): Promise<void> {
    this.heldOff.push({ lane: lane.key, until });
  }
}

function setUp(record: DeliverableAlert | null = aDeliverableAlert(), options: { maxAttempts?: number; retryBaseMs?: number } = {}) {
  const store = new MemoryAlertStore(record);
  const channels = new ScriptedChannels();
  const events = new RecordedEvents();
  const pacer = new ScriptedPacer();
  const sleeps: number[] = [];
  const clock = { now: NOW };
  const deps: DeliverDeps = {
    store,
    channels,
    events,
    lanes: new DestinationLanes(() => clock.now, LANE_SETTINGS),
    pacer,
    maxPaceWaitMs: MAX_PACE_WAIT_MS,
    maxAttempts: options.maxAttempts ?? MAX_ATTEMPTS,
    retryBaseMs: options.retryBaseMs ?? BASE_MS,
    now: () => clock.now,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.now += ms;
    },
  };
  return { store, channels, events, pacer, sleeps, clock, deps };
}

const toChannel = (index: number): DeliveryMessage => ({ kind: 'channel', version: 1, owner: OWNER, alertKey: ALERT_KEY, index });
const toDashboards: DeliveryMessage = { kind: 'dashboard', version: 1, owner: OWNER, alertKey: ALERT_KEY };
const retryable = (error: string, retryAfterMs?: number): DeliveryResult => ({ ok: false, retryable: true, error, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
const permanent = (error: string): DeliveryResult => ({ ok: false, retryable: false, error });

describe('deliver: a channel delivery', () => {
  it('sends a pending delivery through its channel, records it sent with the attempt, and reports the tick-to-delivery latency', async () => {
    const { store, channels, events, deps } = setUp();

    expect(await deliver(deps, toChannel(1))).toEqual({ retry: false });

    expect(channels.sent).toEqual([{ channel: WEBHOOK, alert: aDeliverableAlert() }]);
    expect(channels.sent[0]?.alert).toMatchObject({ alert: { id: 'A1', ruleId: 'R1' }, owner: OWNER, note: 'check the news' });
    expect(store.delivery(1)).toEqual({ channel: 'webhook', status: 'sent', attempts: 1 });
    expect(store.delivery(0)).toEqual(pending('email'));
    expect(store.leased.size).toBe(0);
    expect(events.finishedEvents).toEqual([{ channel: 'webhook', status: 'sent', ruleId: 'R1', symbol: 'AAPL$US', tickToDeliveryMs: 1_234, attempts: 1 }]);
    expect(events.retriedEvents).toEqual([]);
    // The open dashboards learn it once it is recorded.
    expect(channels.updates).toEqual([{ owner: OWNER, alertId: 'A1', index: 1, delivery: { channel: 'webhook', status: 'sent', attempts: 1 } }]);
  });

  it('counts the attempt on top of those the alert recorded, and clears the last error on success', async () => {
    const { store, deps } = setUp(aDeliverableAlert([{ channel: 'email', status: 'pending', attempts: 2, error: 'SES throttled' }, pending('webhook')]));

    await deliver(deps, toChannel(0));

    expect(store.finished).toEqual([{ index: 0, outcome: { status: 'sent', attempts: 3 } }]);
    expect(store.delivery(0)).toEqual({ channel: 'email', status: 'sent', attempts: 3 });
  });

  it.each([
    ['already sent', aDeliverableAlert([{ channel: 'email', status: 'sent', attempts: 1 }, pending('webhook')]), 0],
    ['already failed', aDeliverableAlert([{ channel: 'email', status: 'failed', attempts: 3, error: 'x' }, pending('webhook')]), 0],
    ['of an alert that is gone', null, 0],
    ['at a position the alert does not have', aDeliverableAlert(), 2],
  ])('sends nothing and records nothing for a delivery %s', async (_case, record, index) => {
    const { store, channels, events, deps } = setUp(record);

    expect(await deliver(deps, toChannel(index))).toEqual({ retry: false });

    expect(store.leaseCalls).toBe(1);
    expect(channels.sent).toEqual([]);
    expect(store.finished).toEqual([]);
    expect(events.finishedEvents).toEqual([]);
    expect(channels.updates).toEqual([]);
  });

  it('leaves a delivery another worker holds the lease on to that worker (a duplicate message is dropped)', async () => {
    const { store, channels, deps } = setUp();
    let answer: (result: DeliveryResult) => void = () => undefined;
    channels.answers.push(new Promise<DeliveryResult>((resolve) => (answer = resolve)));

    const first = deliver(deps, toChannel(0));
    expect(store.leased.has(0)).toBe(true);
    expect(await deliver(deps, toChannel(0))).toEqual({ retry: false });
    answer({ ok: true });

    expect(await first).toEqual({ retry: false });
    expect(channels.sent).toHaveLength(1);
    expect(store.delivery(0)).toEqual({ channel: 'email', status: 'sent', attempts: 1 });
  });

  it('keeps a retryable failure pending with its error and has the queue hand it out again after the backoff', async () => {
    const { store, channels, events, deps } = setUp();
    channels.answers.push(retryable('SES answered 503'));

    expect(await deliver(deps, toChannel(0))).toEqual({ retry: true, delayMs: BASE_MS });

    expect(store.delivery(0)).toEqual({ channel: 'email', status: 'pending', attempts: 1, error: 'SES answered 503' });
    expect(store.leased.size).toBe(0);
    expect(events.retriedEvents).toEqual([{ channel: 'email', ruleId: 'R1', attempts: 1, error: 'SES answered 503' }]);
    expect(events.finishedEvents).toEqual([]);
    expect(channels.updates.map((u) => u.delivery)).toEqual([{ channel: 'email', status: 'pending', attempts: 1, error: 'SES answered 503' }]);
  });

  it.each([
    [1, undefined, 5_000],
    [2, undefined, 15_000],
    [3, undefined, 45_000],
    [1, 60_000, 60_000],
    [2, 1_000, 15_000],
  ])('after attempt %i (channel asked for %s ms) waits %i ms', async (attempt, retryAfterMs, delayMs) => {
    const { channels, deps } = setUp(aDeliverableAlert([pending('email', attempt - 1)]), { maxAttempts: 10 });
    channels.answers.push(retryable('busy', retryAfterMs));

    expect(await deliver(deps, toChannel(0))).toEqual({ retry: true, delayMs });
  });

  it('scales the backoff with DELIVERY_RETRY_BASE_MS and never waits more than 12 hours', async () => {
    expect([1, 2, 3].map((attempts) => retryDelayMs(attempts, undefined, 100))).toEqual([100, 300, 900]);
    expect(retryDelayMs(20, undefined, 5_000)).toBe(12 * 60 * 60 * 1000);
    expect(retryDelayMs(1, 24 * 60 * 60 * 1000, 5_000)).toBe(12 * 60 * 60 * 1000);
    expect(retryDelayMs(1, undefined)).toBe(1_000);
    expect(loadNotifierConfig({}).deliveryRetryBaseMs).toBe(1_000);
    expect(loadNotifierConfig({ DELIVERY_RETRY_BASE_MS: '250' }).deliveryRetryBaseMs).toBe(250);
  });

  it('records a retryable failure as failed once the attempts reach DELIVERY_MAX_ATTEMPTS', async () => {
    const { store, channels, events, deps } = setUp(aDeliverableAlert([pending('email', MAX_ATTEMPTS - 1)]));
    channels.answers.push(retryable('SES answered 503'));

    expect(await deliver(deps, toChannel(0))).toEqual({ retry: false });

    expect(store.delivery(0)).toEqual({ channel: 'email', status: 'failed', attempts: MAX_ATTEMPTS, error: 'SES answered 503' });
    expect(events.finishedEvents).toEqual([expect.objectContaining({ channel: 'email', status: 'failed', attempts: MAX_ATTEMPTS })]);
    expect(events.retriedEvents).toEqual([]);
  });

  it('records a permanent failure as failed at the first attempt', async () => {
    const { store, channels, events, deps } = setUp();
    channels.answers.push(permanent('Telegram 403: Forbidden: bot was blocked by the user'));

    expect(await deliver(deps, toChannel(0))).toEqual({ retry: false });

    expect(store.delivery(0)).toEqual({ channel: 'email', status: 'failed', attempts: 1, error: 'Telegram 403: Forbidden: bot was blocked by the user' });
    expect(events.finishedEvents).toEqual([expect.objectContaining({ status: 'failed', attempts: 1 })]);
    expect(channels.updates.map((u) => u.delivery)).toEqual([store.delivery(0)]);
  });

  it('keeps the first 500 characters of an error', async () => {
    const { store, channels, deps } = setUp();
    channels.answers.push(permanent('x'.repeat(2_000)));

    await deliver(deps, toChannel(0));

    expect(store.delivery(0)?.error).toBe('x'.repeat(500));
  });

  it('fails a delivery whose channel the alert does not hold, without sending', async () => {
    const { store, channels, deps } = setUp(aDeliverableAlert([pending('email'), pending('webhook')], [EMAIL]));

    expect(await deliver(deps, toChannel(1))).toEqual({ retry: false });

    expect(channels.sent).toEqual([]);
    expect(store.delivery(1)).toEqual({ channel: 'webhook', status: 'failed', attempts: 1, error: 'the alert has no channel at this position' });
  });
});

describe('deliver: the destination lane', () => {
  it('stops sending to a destination after its failures in a row, without delaying another destination', async () => {
    const { store, channels, deps } = setUp(aDeliverableAlert([pending('email'), pending('webhook')]), { maxAttempts: 10 });
    channels.answers.push(retryable('SES answered 503'), retryable('SES answered 503'));
    await deliver(deps, toChannel(0));
    await deliver(deps, toChannel(0));
    const sendsBefore = channels.sent.length;

    // The lane is open: answered at once, no send, counted as an attempt, back after the time left.
    expect(await deliver(deps, toChannel(0))).toEqual({ retry: true, delayMs: 45_000 });
    expect(channels.sent.length).toBe(sendsBefore);
    expect(store.delivery(0)).toMatchObject({ status: 'pending', attempts: 3, error: 'not sent: email destination paused after repeated failures; next try in 10 s' });

    // Another destination is sent as usual.
    expect(await deliver(deps, toChannel(1))).toEqual({ retry: false });
    expect(store.delivery(1)).toEqual({ channel: 'webhook', status: 'sent', attempts: 1 });
  });

  it('probes the destination once the lane has been open long enough, and closes it on success', async () => {
    const { store, channels, clock, deps } = setUp(aDeliverableAlert([pending('email')], [EMAIL]), { maxAttempts: 10 });
    channels.answers.push(retryable('503'), retryable('503'));
    await deliver(deps, toChannel(0));
    await deliver(deps, toChannel(0));
    clock.now += 10_000;
    expect(await deliver(deps, toChannel(0))).toEqual({ retry: false });
    expect(store.delivery(0)).toEqual({ channel: 'email', status: 'sent', attempts: 3 });
  });

  it('waits in the invocation for a pacing slot within DELIVERY_MAX_PACE_WAIT_MS, then sends', async () => {
    const { store, pacer, sleeps, deps } = setUp();
    pacer.slots.push(NOW + 400);
    expect(await deliver(deps, toChannel(0))).toEqual({ retry: false });
    expect(sleeps).toEqual([400]);
    expect(pacer.reserved).toEqual([[{ key: 'email:lane', limit: { capacity: 1, periodMs: 1_000 } }]]);
    expect(store.delivery(0)).toEqual({ channel: 'email', status: 'sent', attempts: 1 });
  });

  it('puts a delivery whose slot is further away back on the queue with the slot, without sending or counting an attempt', async () => {
    const { store, channels, pacer, sleeps, deps } = setUp(aDeliverableAlert([{ ...pending('email', 1), error: 'SES answered 503' }, pending('webhook')]));
    pacer.slots.push(NOW + 3_000);
    expect(await deliver(deps, toChannel(0))).toEqual({ retry: false, requeue: { slotAt: NOW + 3_000 }, delayMs: 3_000 });
    expect(channels.sent).toEqual([]);
    expect(sleeps).toEqual([]);
    // The lease is given back, the attempts and the last error as they were.
    expect(store.delivery(0)).toEqual({ channel: 'email', status: 'pending', attempts: 1, error: 'SES answered 503' });
    expect(store.leased.size).toBe(0);
  });

  it('sends a requeued delivery at its reserved slot without taking another', async () => {
    const { store, pacer, deps } = setUp();
    expect(await deliver(deps, toChannel(0), { slotAt: NOW - 20 })).toEqual({ retry: false });
    expect(pacer.reserved).toEqual([]);
    expect(store.delivery(0)).toEqual({ channel: 'email', status: 'sent', attempts: 1 });
  });

  it("holds the destination's own pacing lane off for as long as the far side asked (a 429)", async () => {
    const { pacer, channels, deps } = setUp();
    channels.answers.push(retryable('Telegram 429: Too Many Requests', 7_000));
    expect(await deliver(deps, toChannel(0))).toEqual({ retry: true, delayMs: 7_000 });
    expect(pacer.heldOff).toEqual([{ lane: 'email:lane', until: NOW + 7_000 }]);
  });
});

describe('deliver: the dashboard push', () => {
  it("pushes the alert to the owner's dashboards without a lease and without touching the deliveries", async () => {
    const { store, channels, events, deps } = setUp();

    expect(await deliver(deps, toDashboards)).toEqual({ retry: false });

    expect(channels.pushed).toEqual([aDeliverableAlert()]);
    expect(channels.pushedDeliveries).toEqual([aDeliverableAlert().alert.deliveries]);
    expect(store.leaseCalls).toBe(0);
    expect(store.finished).toEqual([]);
    expect(events.finishedEvents).toEqual([]);
  });

  it('has the queue retry a push that failed retryably after the first backoff step, or what was asked', async () => {
    const { channels, deps } = setUp();
    channels.pushAnswers.push(retryable('LimitExceededException'), retryable('LimitExceededException', 8_000));

    expect(await deliver(deps, toDashboards)).toEqual({ retry: true, delayMs: BASE_MS });
    expect(await deliver(deps, toDashboards)).toEqual({ retry: true, delayMs: 8_000 });
  });

  it('drops a push that failed permanently, and one whose alert is gone', async () => {
    const { channels, deps } = setUp();
    channels.pushAnswers.push(permanent('ForbiddenException'));
    expect(await deliver(deps, toDashboards)).toEqual({ retry: false });

    const gone = setUp(null);
    expect(await deliver(gone.deps, toDashboards)).toEqual({ retry: false });
    expect(gone.channels.pushed).toEqual([]);
  });
});

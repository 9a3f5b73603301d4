/**
 * The owner's alerts per minute and the flood guard, through the evaluator on DynamoDB Local
 * (docs/security.md, "Alerts per minute and the flood guard"): what is queued, what is recorded
 * `rate_limited`, the one notice, the paused rule — across racing instances and retried batches.
 */
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../core/rule-model';
import { dynamoAlertLimiter, dynamoTriggerStore } from '../../../functions/evaluator/dependencies';
import type { EvaluatorDeps } from '../../../functions/evaluator/evaluate-batch';
import { listAlerts } from '../../../storage/alerts-repository';
import { createRule, getRule, type RuleRecord } from '../../../storage/rules-repository';
import { ruleRecord } from '../../support/api-fixtures';
import { uniqueOwner, useDynamoDbTable } from '../../support/dynamodb';
import { batch, evaluate, evaluatorInstance, RecordingQueue } from '../../support/evaluator-harness';

const table = useDynamoDbTable();
const NOW = Date.UTC(2026, 2, 2, 14, 30);
const uniqueSymbol = () => `L${Math.random().toString(36).slice(2, 8).toUpperCase()}$US`;

function instance(queue: RecordingQueue, perMinute: number): EvaluatorDeps {
  return { ...evaluatorInstance(table.db, queue), limits: dynamoAlertLimiter(table.db, perMinute) };
}

async function rules(owner: string, symbol: string, count: number, overrides: Partial<RuleRecord> = {}): Promise<RuleRecord[]> {
  const made = Array.from({ length: count }, () =>
    ruleRecord(owner, { symbol, trigger: 'repeat', cooldownSeconds: 0, channels: [{ type: 'email', to: 'me@example.com' }], ...overrides }),
  );
  for (const rule of made) await createRule(table.db, rule, { quota: 1000, now: new Date(NOW) });
  return made;
}

async function alertsOf(owner: string): Promise<Alert[]> {
  return (await listAlerts(table.db, owner, { limit: 500 })).items;
}

/** Channel deliveries queued, by alert key. */
const channelKeys = (queue: RecordingQueue) => queue.deliveries.filter((d) => d.message.kind === 'channel').map((d) => d.message.alertKey);

const isNotice = (alert: Alert) => alert.message.startsWith('alerts are being held back');
const isHeld = (alert: Alert) => alert.deliveries.every((d) => d.status === 'rate_limited');

describe('alerts per minute per owner', () => {
  it('121 alerts in a minute: 120 queued, the 121st recorded rate_limited, one notice; another owner is unaffected', async () => {
    const owner = uniqueOwner();
    const other = uniqueOwner();
    const symbol = uniqueSymbol();
    await rules(owner, symbol, 121);
    await rules(other, symbol, 1);
    const queue = new RecordingQueue();
    const result = await evaluate(instance(queue, 120), batch(symbol, [199, 201], NOW));

    expect(result).toMatchObject({ fired: 122, claimed: 122 });
    const alerts = await alertsOf(owner);
    const held = alerts.filter(isHeld);
    const notices = alerts.filter(isNotice);
    expect(alerts.length - notices.length).toBe(121);
    expect(held).toHaveLength(1);
    expect(notices).toHaveLength(1);
    expect(notices[0]?.message).toBe('alerts are being held back: more than 120 alerts this minute; see GET /alerts');
    // 120 alerts plus the notice, each to its one channel; nothing of the held one.
    const keys = channelKeys(queue);
    expect(keys).toHaveLength(120 + 1 + 1);
    expect(keys.some((k) => k.includes(held[0]?.id ?? '?') && !k.endsWith('.notice'))).toBe(false);
    expect((await alertsOf(other)).every((a) => a.deliveries.every((d) => d.status === 'pending'))).toBe(true);
  });

  it('two evaluators racing on the limit queue exactly the limit between them, and one notice', async () => {
    const owner = uniqueOwner();
    const [a, b] = [uniqueSymbol(), uniqueSymbol()];
    await rules(owner, a, 8);
    await rules(owner, b, 8);
    const [qa, qb] = [new RecordingQueue(), new RecordingQueue()];
    await Promise.all([evaluate(instance(qa, 10), batch(a, [199, 201], NOW)), evaluate(instance(qb, 10), batch(b, [199, 201], NOW))]);

    const alerts = await alertsOf(owner);
    expect(alerts.filter(isNotice)).toHaveLength(1);
    expect(alerts.filter(isHeld)).toHaveLength(6);
    expect(channelKeys(qa).length + channelKeys(qb).length).toBe(10 + 1);
  });

  it('a retried batch counts once: the minute still has room for the rest of the limit', async () => {
    const owner = uniqueOwner();
    const symbol = uniqueSymbol();
    const later = uniqueSymbol();
    await rules(owner, symbol, 3);
    await rules(owner, later, 2);
    const queue = new RecordingQueue();
    const deps = instance(queue, 5);
    const event = batch(symbol, [199, 201], NOW);
    await evaluate(deps, event);
    const retried = await evaluate(instance(queue, 5), event);
    expect(retried.claimed).toBe(0);
    await evaluate(deps, batch(later, [199, 201], NOW + 1000));

    const alerts = await alertsOf(owner);
    expect(alerts).toHaveLength(5);
    expect(alerts.filter(isHeld)).toHaveLength(0);
    expect(new Set(channelKeys(queue)).size).toBe(5);
  });
});

describe('flood guard', () => {
  it('the 16th fire in 3 minutes pauses the rule with pausedReason flood_guard and is delivered as the one notice; no 17th', async () => {
    const owner = uniqueOwner();
    const symbol = uniqueSymbol();
    const [rule] = await rules(owner, symbol, 1);
    const queue = new RecordingQueue();
    const deps = instance(queue, 120);
    let state: unknown;
    const fired: number[] = [];
    for (let i = 0; i < 17; i += 1) {
      const result = await evaluate(deps, { ...batch(symbol, [199, 201], NOW + i * 5000), ...(state === undefined ? {} : { state }) });
      fired.push(result.claimed);
      state = result.state;
    }

    expect(fired).toEqual([...Array<number>(16).fill(1), 0]);
    const stored = await getRule(table.db, owner, rule?.id ?? '');
    expect(stored).toMatchObject({ status: 'paused', pausedReason: 'flood_guard' });
    const alerts = await alertsOf(owner);
    expect(alerts).toHaveLength(16);
    const notices = alerts.filter((a) => a.message.includes('rule paused'));
    expect(notices.map((a) => a.message)).toEqual([`${symbol} rule paused: it fired more than 15 times in 3 minutes; resume it with PATCH {status: active}`]);
    expect(channelKeys(queue)).toHaveLength(16);
  });

  it('fires spread wider than the window never pause; a stale cached copy of the rule still judges the window exactly', async () => {
    const owner = uniqueOwner();
    const symbol = uniqueSymbol();
    const [rule] = await rules(owner, symbol, 1);
    const queue = new RecordingQueue();
    // Two instances whose caches never reload: each claims from a copy that lags the other's claims.
    const deps = [0, 1].map(() => ({ ...evaluatorInstance(table.db, queue, { checkEveryMs: 3_600_000 }), store: dynamoTriggerStore(table.db, 90, { fires: 3, windowMs: 60_000 }) }));
    const claimed: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const result = await evaluate(deps[i % 2] as EvaluatorDeps, batch(symbol, [199, 201], NOW + i * 1000));
      claimed.push(result.claimed);
    }
    expect(claimed).toEqual([1, 1, 1, 1]);
    expect(await getRule(table.db, owner, rule?.id ?? '')).toMatchObject({ status: 'paused', pausedReason: 'flood_guard', triggerCount: 4 });
  });
});

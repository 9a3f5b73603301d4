/**
 * A hot symbol against DynamoDB Local: 150 rules on one symbol crossing in one batch make 150
 * alerts, exactly once, and never a failed batch — also when the batch is retried or two
 * evaluators race on it. The claims of one symbol share transactions
 * (storage/trigger-state-repository.ts: 49 claims and the symbol's counter item once per
 * transaction, the transactions one after another), so they cannot conflict with each other over
 * the counter item as 150 transactions of their own did.
 */
import { describe, expect, it } from 'vitest';
import { listAlerts } from '../../../storage/alerts-repository';
import { createRule, getRule, updateRule, type RuleRecord } from '../../../storage/rules-repository';
import { listWatchedSymbols } from '../../../storage/symbols-repository';
import { ruleRecord } from '../../support/api-fixtures';
import { uniqueOwner, useDynamoDbTable } from '../../support/dynamodb';
import { batch, evaluate, evaluatorInstance, RecordingQueue } from '../../support/evaluator-harness';

const table = useDynamoDbTable();
const NOW = Date.UTC(2026, 2, 2, 14, 30);
const RULES = 150;
const OWNERS = 10;
const uniqueSymbol = () => `H${Math.random().toString(36).slice(2, 8).toUpperCase()}$US`;

/** `RULES` rules crossing above 200 on one fresh symbol, spread over `OWNERS` owners, each with one Telegram chat. */
async function hotSymbol(overrides: Partial<RuleRecord> = {}) {
  const symbol = uniqueSymbol();
  const owners = Array.from({ length: OWNERS }, () => uniqueOwner('hot'));
  const rules: RuleRecord[] = [];
  for (let i = 0; i < RULES; i++) {
    const rule = ruleRecord(owners[i % OWNERS] as string, { symbol, channels: [{ type: 'telegram', chatId: String(1000 + i) }], ...overrides });
    // One after another: rule creates on one symbol share its counter item too (the API retries them).
    await createRule(table.db, rule, { quota: 1000, now: new Date(NOW) });
    rules.push(rule);
  }
  return { symbol, owners, rules };
}

async function alertCount(owners: readonly string[]): Promise<number> {
  let count = 0;
  for (const owner of owners) count += (await listAlerts(table.db, owner, { limit: 100 })).items.length;
  return count;
}

const channelMessages = (queue: RecordingQueue) => queue.deliveries.filter((d) => d.queue === 'telegram').length;

describe('a hot symbol: 150 rules crossing at once', () => {
  it('claims 150 alerts in one batch without a failure, and a retried batch adds none', async () => {
    const { symbol, owners } = await hotSymbol();
    const queue = new RecordingQueue();
    const instance = evaluatorInstance(table.db, queue);
    let claimsMs = 0;
    let queuedWhileClaiming = 0;
    const timed: typeof instance.store.claim = async (claims, onResult) => {
      const started = performance.now();
      const results = await instance.store.claim(claims, onResult);
      claimsMs += performance.now() - started;
      queuedWhileClaiming = channelMessages(queue);
      return results;
    };
    const deps = { ...instance, store: { ...instance.store, claim: timed } };
    const event = batch(symbol, [199, 201], NOW);

    const started = performance.now();
    const result = await evaluate(deps, event);
    const batchMs = performance.now() - started;
    console.log(`hot symbol: ${RULES} claims took ${claimsMs.toFixed(0)} ms; the whole batch (claims, queueing, outbox marks) ${batchMs.toFixed(0)} ms on DynamoDB Local`);

    expect(result).toMatchObject({ fired: RULES, claimed: RULES });
    expect(await alertCount(owners)).toBe(RULES);
    expect(channelMessages(queue)).toBe(RULES);
    // The first transaction's alerts were queued while the later ones were still being written.
    expect(queuedWhileClaiming).toBeGreaterThanOrEqual(49);

    // The answer was lost: the ingest task sends the same batch with the same state again.
    queue.deliveries.length = 0;
    expect(await evaluate(deps, event, NOW + 1000)).toMatchObject({ claimed: 0 });
    // And a fresh instance (a new Lambda container) gets it.
    expect(await evaluate(evaluatorInstance(table.db, queue), event, NOW + 2000)).toMatchObject({ claimed: 0 });
    expect(await alertCount(owners)).toBe(RULES);
    expect(channelMessages(queue)).toBe(0);
  });

  it('two evaluators racing on the batch claim 150 alerts between them, each once', async () => {
    const { symbol, owners } = await hotSymbol();
    const queue = new RecordingQueue();
    const event = batch(symbol, [199, 201], NOW);

    const started = performance.now();
    const results = await Promise.all([evaluate(evaluatorInstance(table.db, queue), event), evaluate(evaluatorInstance(table.db, queue), event)]);
    console.log(`hot symbol: two racing evaluators settled ${RULES} claims in ${(performance.now() - started).toFixed(0)} ms`);

    expect(results.map((r) => r.fired)).toEqual([RULES, RULES]);
    expect(results.reduce((sum, r) => sum + r.claimed, 0)).toBe(RULES);
    expect(await alertCount(owners)).toBe(RULES);
  });

  it('150 once rules all become triggered and the symbol count goes back to exactly 0', async () => {
    const { symbol, owners, rules } = await hotSymbol({ trigger: 'once' });
    const result = await evaluate(evaluatorInstance(table.db, new RecordingQueue()), batch(symbol, [199, 201], NOW));

    expect(result).toMatchObject({ fired: RULES, claimed: RULES });
    expect(await alertCount(owners)).toBe(RULES);
    const stored = await Promise.all(rules.map((rule) => getRule(table.db, rule.owner, rule.id)));
    expect(stored.every((rule) => rule?.status === 'triggered')).toBe(true);
    expect((await listWatchedSymbols(table.db)).some((w) => w.symbol === symbol)).toBe(false);
  });

  it('rules paused behind a stale cache drop out of their shared transaction; the others are claimed', async () => {
    const { symbol, owners, rules } = await hotSymbol();
    const queue = new RecordingQueue();
    const deps = evaluatorInstance(table.db, queue);
    await evaluate(deps, batch(symbol, [199], NOW)); // warms the cache
    // One paused rule in each transaction's worth of claims, and two in the last.
    const paused = [rules[3], rules[60], rules[110], rules[140], rules[149]] as RuleRecord[];
    for (const rule of paused) {
      const before = await getRule(table.db, rule.owner, rule.id);
      await updateRule(table.db, before!, { ...before!, status: 'paused', version: before!.version + 1 }, new Date(NOW));
    }
    // Freeze the cache's version check: an instance that still holds the paused rules as active.
    (deps.rules as unknown as { versionsAt: number }).versionsAt = Number.POSITIVE_INFINITY;

    const result = await evaluate(deps, batch(symbol, [199, 201], NOW + 1000), NOW + 1000);

    expect(result).toMatchObject({ fired: RULES, claimed: RULES - paused.length });
    expect(await alertCount(owners)).toBe(RULES - paused.length);
    expect(channelMessages(queue)).toBe(RULES - paused.length);
  });

  it('150 rearm levels re-arming at once record it without a failure', async () => {
    const { symbol, rules } = await hotSymbol({ condition: { type: 'price_above', value: 200 }, cooldownSeconds: 0 });
    const deps = evaluatorInstance(table.db, new RecordingQueue());
    const fired = await evaluate(deps, batch(symbol, [201], NOW));
    expect(fired).toMatchObject({ claimed: RULES });

    await evaluate(deps, { ...batch(symbol, [199], NOW + 1000), state: fired.state }, NOW + 1000);
    const stored = await Promise.all(rules.map((rule) => getRule(table.db, rule.owner, rule.id)));
    expect(stored.filter((rule) => rule?.armed === true)).toHaveLength(RULES);
  });

  it('150 rules expiring at once are all marked expired and the symbol count goes back to exactly 0', async () => {
    const { symbol, rules } = await hotSymbol({ expiresAt: new Date(NOW + 500).toISOString() });
    await evaluate(evaluatorInstance(table.db, new RecordingQueue()), batch(symbol, [199], NOW + 1000), NOW + 1000);

    const stored = await Promise.all(rules.map((rule) => getRule(table.db, rule.owner, rule.id)));
    expect(stored.filter((rule) => rule?.status === 'expired')).toHaveLength(RULES);
    expect((await listWatchedSymbols(table.db)).some((w) => w.symbol === symbol)).toBe(false);
  });
});

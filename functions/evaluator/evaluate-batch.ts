/**
 * What the evaluator does with one batch from the ingest task: fill in the previous close the
 * state lacks from iTick's quote (prev-close-warm-up.ts) and warm the indicator bar series it
 * lacks from iTick's klines (indicator-warm-up.ts) — both through the token's REST budget, never
 * failing the batch, never waiting for the budget — run the engine
 * over the batch with the shard's state, claim each alert it fires, queue the claimed alerts'
 * deliveries, record re-arms and expiries, and hand back the new state.
 *
 * Claims are what make alerts exactly-once (docs/architecture.md): each claim is one DynamoDB
 * transaction that writes the alert record and the rule's trigger state, conditional on the rule
 * being active, of the version the engine judged, and not yet fired from this batch's ticks. The
 * alert's id derives from the rule and the batch's first tick position, which a retried batch
 * keeps: a retried, duplicated or raced batch that fires the rule again finds its alert already
 * written and only re-queues the deliveries still pending (the notifier ignores a delivery that is
 * already done or under way). A retry judged against the trigger state the first attempt wrote
 * may not fire at all (the cooldown now applies): then whatever the first attempt left pending
 * is queued from the delivery outbox by a later batch's outbox look (every OUTBOX_CHECK_MS, 5 s),
 * or by the scheduled sweeper when no batches flow.
 *
 * A claimed alert enters the delivery outbox in the same write and leaves it once its deliveries
 * are queued; if queueing fails (or the evaluator dies in between) a later batch's outbox look
 * or the scheduled sweeper queues them (outbox-sweeper.ts). Any failure to reach storage throws:
 * the ingest task retries the batch with the same state, and the claims make the retry safe.
 */
import { evaluateBatch, newEngineState, readEngineState, renderMessage } from '../../core/engine';
import type { EngineState, FiredAlert, RuleIndex, SymbolBatch, TriggerUpdate } from '../../core/engine';
import { BATCH_EVENT_VERSION, type BatchEvent, type BatchResult } from '../../core/feed';
import type { Alert } from '../../core/rule-model';
import { alertKeyOf } from '../../storage/alerts-repository';
import type { ClaimRequest, ClaimResult } from '../../storage/trigger-state-repository';
import { deliveriesOf, type DeliveryQueue } from './delivery-queue';
import type { ActiveRule, RuleCache } from './rule-cache';

/** An alert to claim, with everything its record needs: the store's claim (trigger-state-repository.ts) less its clock and retention. */
export type AlertClaim = Omit<ClaimRequest, 'now' | 'retentionDays'>;

export interface TriggerStore {
  claim(claim: AlertClaim): Promise<ClaimResult>;
  /** Records a re-arm (or disarm) of a rule that did not fire; ignored if the rule changed. */
  recordArmed(rule: ActiveRule, update: TriggerUpdate): Promise<void>;
  /** Marks an active rule whose expiry has passed as `expired`. */
  expire(rule: ActiveRule, now: number): Promise<void>;
  /** Takes a claimed alert out of the delivery outbox: its deliveries are queued. */
  markQueued(owner: string, alertKey: string): Promise<void>;
}

export interface EvaluatorMetrics {
  record(name: string, value: number, unit: 'Count' | 'Milliseconds'): void;
}

/** Queues alerts left in the delivery outbox, when its interval has passed (outbox-sweeper.ts `OutboxWatch`). */
export interface OutboxRecovery {
  sweepIfDue(now: number): Promise<number>;
}

/** What a warm-up did: calls made to iTick, how many failed, how many the REST budget refused. */
export interface WarmUpCalls {
  fetched: number;
  failed: number;
  refused?: number;
}

/** Warms indicator bar series from the feed's history before a batch (indicator-warm-up.ts). */
export interface SeriesWarmUp {
  warm(index: RuleIndex, state: EngineState, symbols: readonly string[], now: number): Promise<WarmUpCalls>;
}

/** Puts a previous close on batch paths whose symbols' rules need one that the state lacks (prev-close-warm-up.ts). */
export interface PrevCloseFill {
  fill(index: RuleIndex, state: EngineState, batch: SymbolBatch[], now: number): Promise<WarmUpCalls & { filled: number }>;
}

export interface EvaluatorDeps {
  rules: RuleCache;
  /** Absent: indicators warm from live bars only. */
  warmUp?: SeriesWarmUp;
  /** Absent: the previous close comes only from the feed. */
  prevClose?: PrevCloseFill;
  store: TriggerStore;
  queue: DeliveryQueue;
  /** Absent: only the scheduled sweeper empties the outbox. */
  outbox?: OutboxRecovery;
  metrics: EvaluatorMetrics;
  forgetAfterMs: number;
  /** Called when the state handed in was not a valid engine state and was dropped. */
  onStateDropped?: () => void;
  /** Called when warming indicators or filling previous closes failed unexpectedly (the batch is evaluated anyway). */
  onWarmUpError?: (error: unknown) => void;
  /** Called when the outbox look failed (the batch's answer stands) or queued alerts left there. */
  onOutbox?: (outcome: { queued: number } | { error: unknown }) => void;
  /** Called for each alert claimed (or found claimed) and queued, for logs. */
  onClaimed?: (claim: { ruleId: string; symbol: string; tickAt: number; duplicate: boolean }) => void;
}

/**
 * The id and trigger time of the alert a rule fires from a batch. Both derive only from the rule
 * and the batch's first tick position, which a retried batch keeps, so a retry writes the same
 * alert key. `triggeredAt` is when the batch began (`fromPos` is the ingest task's clock in
 * microseconds): within one batch window of the evaluation.
 */
export function alertIdentity(ruleId: string, fromPos: number): { id: string; triggeredAt: string } {
  return { id: `${fromPos.toString(36)}-${ruleId}`, triggeredAt: new Date(Math.floor(fromPos / 1000)).toISOString() };
}

export async function evaluateBatchEvent(deps: EvaluatorDeps, event: BatchEvent, now: number): Promise<BatchResult> {
  let state = event.state === undefined ? null : readEngineState(event.state);
  if (state === null) {
    if (event.state !== undefined) deps.onStateDropped?.();
    state = newEngineState();
  }
  const batch: SymbolBatch[] = event.symbols.map((path) => ({
    symbol: path.symbol,
    points: path.points.map(([price, at, volume]) => ({ price, at, volume })),
    ...(path.prevClose === undefined ? {} : { prevClose: path.prevClose }),
    ...(path.reset === true ? { reset: true } : {}),
  }));
  await deps.rules.prepare(
    batch.map((path) => path.symbol),
    now,
  );
  // The previous close first: one call completes a rule, and callers take the budget in order.
  await Promise.all([
    deps.prevClose === undefined ? undefined : fillPrevCloses(deps, deps.prevClose, state, batch, now),
    deps.warmUp === undefined ? undefined : warmUp(deps, deps.warmUp, state, batch, now),
  ]);
  const result = evaluateBatch(deps.rules.index, state, batch, { now, forgetAfterMs: deps.forgetAfterMs });

  const updates = new Map(result.updates.map((u) => [u.ruleId, u]));
  const outcomes = await Promise.all(result.alerts.map((alert) => claimAndQueue(deps, event, alert, updates.get(alert.ruleId))));
  await Promise.all(
    result.updates
      .filter((u) => u.firedAt === null)
      .map(async (u) => {
        const rule = deps.rules.get(u.ruleId);
        if (rule !== undefined) await deps.store.recordArmed(rule, u);
      }),
  );
  await Promise.all(
    result.expired.map(async (ruleId) => {
      const rule = deps.rules.get(ruleId);
      if (rule !== undefined) await deps.store.expire(rule, now);
    }),
  );

  if (deps.outbox !== undefined) await recoverOutbox(deps, deps.outbox, now);

  const claimed = outcomes.filter((o) => o === 'claimed').length;
  deps.metrics.record('Points', result.stats.points, 'Count');
  deps.metrics.record('AlertsFired', result.alerts.length, 'Count');
  deps.metrics.record('AlertsClaimed', claimed, 'Count');
  deps.metrics.record('AlertsDuplicate', outcomes.filter((o) => o === 'duplicate').length, 'Count');
  deps.metrics.record('BatchAgeMs', Math.max(0, now - event.sentAt), 'Milliseconds');
  return { version: BATCH_EVENT_VERSION, shard: event.shard, seq: event.seq, fired: result.alerts.length, claimed, state };
}

/** Queues what earlier attempts left in the outbox; a failure never fails the batch (the sweeper is behind it). */
async function recoverOutbox(deps: EvaluatorDeps, outbox: OutboxRecovery, now: number): Promise<void> {
  try {
    const queued = await outbox.sweepIfDue(now);
    if (queued > 0) {
      deps.metrics.record('OutboxRecovered', queued, 'Count');
      deps.onOutbox?.({ queued });
    }
  } catch (error) {
    deps.onOutbox?.({ error });
  }
}

/** Seeds cold indicator series from history; a failure never fails the batch (the series warm live). */
async function warmUp(deps: EvaluatorDeps, warm: SeriesWarmUp, state: EngineState, batch: readonly SymbolBatch[], now: number): Promise<void> {
  try {
    const calls = await warm.warm(
      deps.rules.index,
      state,
      batch.map((path) => path.symbol),
      now,
    );
    recordCalls(deps, 'WarmUp', calls);
  } catch (error) {
    deps.onWarmUpError?.(error);
  }
}

/** Gives paths a previous close from iTick's quote where the state has none; a failure never fails the batch. */
async function fillPrevCloses(deps: EvaluatorDeps, fill: PrevCloseFill, state: EngineState, batch: SymbolBatch[], now: number): Promise<void> {
  try {
    recordCalls(deps, 'PrevClose', await fill.fill(deps.rules.index, state, batch, now));
  } catch (error) {
    deps.onWarmUpError?.(error);
  }
}

/** `<prefix>Fetches`, `<prefix>Failures`, `<prefix>Refused` (by the REST budget), only when something happened. */
function recordCalls(deps: EvaluatorDeps, prefix: string, { fetched, failed, refused = 0 }: WarmUpCalls): void {
  if (fetched > 0) {
    deps.metrics.record(`${prefix}Fetches`, fetched, 'Count');
    deps.metrics.record(`${prefix}Failures`, failed, 'Count');
  }
  if (refused > 0) deps.metrics.record(`${prefix}Refused`, refused, 'Count');
}

async function claimAndQueue(
  deps: EvaluatorDeps,
  event: BatchEvent,
  fired: FiredAlert,
  update: TriggerUpdate | undefined,
): Promise<ClaimResult['status'] | 'unknown'> {
  const rule = deps.rules.get(fired.ruleId);
  if (rule === undefined) return 'unknown';
  const { record } = rule;
  const identity = alertIdentity(record.id, event.fromPos);
  const alert: Alert = {
    id: identity.id,
    ruleId: record.id,
    symbol: fired.symbol,
    price: fired.price,
    condition: record.condition,
    message: renderMessage(record.message, { symbol: fired.symbol, condition: record.condition, price: fired.price, at: fired.at, note: record.note }),
    tickAt: new Date(fired.at).toISOString(),
    triggeredAt: identity.triggeredAt,
    deliveries: record.channels.map((channel) => ({ channel: channel.type, status: 'pending', attempts: 0 })),
  };
  const outcome = await deps.store.claim({
    record,
    alert,
    firedAt: fired.at,
    armed: update?.armed ?? rule.engine.armed,
    consumed: update?.consumed ?? false,
    fromPos: event.fromPos,
    toPos: event.toPos,
  });
  if (outcome.status === 'stale') return 'stale';
  const key = alertKeyOf(alert);
  const indexes = outcome.status === 'claimed' ? record.channels.map((_, i) => i) : outcome.pending;
  const deliveries = deliveriesOf(record.owner, key, record.channels, indexes, outcome.status === 'claimed');
  if (deliveries.length > 0) await deps.queue.enqueue(deliveries);
  await deps.store.markQueued(record.owner, key);
  deps.onClaimed?.({ ruleId: record.id, symbol: fired.symbol, tickAt: fired.at, duplicate: outcome.status === 'duplicate' });
  return outcome.status;
}

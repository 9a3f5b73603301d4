/**
 * What the evaluator does with one batch from the ingest task: fill in the previous close the
 * state lacks from iTick's quote (prev-close-warm-up.ts) and warm the indicator bar series it
 * lacks from iTick's klines (indicator-warm-up.ts) — both through the token's REST budget, never
 * failing the batch, never waiting for the budget — run the engine
 * over the batch with the shard's state, claim each alert it fires, queue the claimed alerts'
 * deliveries, record re-arms and expiries, and hand back the new state.
 *
 * Claims are what make alerts exactly-once (docs/architecture.md): each claim writes the alert
 * record and the rule's trigger state in one DynamoDB transaction, conditional on the rule
 * being active, of the version the engine judged, and not yet fired from this batch's ticks. The
 * claims of one symbol share transactions (storage/trigger-state-repository.ts), so a hot symbol
 * whose rules all fire at once makes a few transactions that do not conflict, not one each. The
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
 *
 * Alert limits (docs/security.md, "Alerts per minute and the flood guard"): before the claims,
 * the owner's alerts per minute (`limits`, storage/alert-limits-repository.ts) admit or hold back
 * each fired alert by its id, so a retry decides the same. A held-back alert is claimed as
 * usual, recorded with every delivery `rate_limited` and never queued; the minute's first
 * held-back alert also carries the one notice (an alert record of its own, queued like an
 * alert). The flood guard is judged inside the claim (trigger-state-repository.ts): the fire
 * that trips it pauses the rule and is delivered as the pause notice, in place of the alert; the
 * cache drops the paused rule when its symbol's `rulesVersion` moves, as for any pause.
 */
import { evaluateBatch, newEngineState, readEngineState, renderMessage } from '../../core/engine';
import type { EngineState, FiredAlert, RuleIndex, SymbolBatch, TriggerUpdate } from '../../core/engine';
import { BATCH_EVENT_VERSION, type BatchEvent, type BatchResult } from '../../core/feed';
import { withDeliveryStatus, type Alert } from '../../core/rule-model';
import { heldBackNotice, type Admission } from '../../storage/alert-limits';
import { alertKeyOf } from '../../storage/alerts-repository';
import type { ClaimRequest, ClaimResult } from '../../storage/trigger-state-repository';
import { deliveriesOf, type DeliveryQueue } from './delivery-queue';
import type { ActiveRule, RuleCache } from './rule-cache';

/** An alert to claim, with everything its record needs: the store's claim (trigger-state-repository.ts) less its clock and retention. */
export type AlertClaim = Omit<ClaimRequest, 'now' | 'retentionDays'>;

export interface TriggerStore {
  /**
   * Claims a batch's alerts, one result per claim in order. Claims of one symbol share
   * transactions (storage/trigger-state-repository.ts), so many rules firing at once on a hot
   * symbol do not conflict with each other. `onResult` hears each result as soon as its
   * transaction settles, so the first alerts are queued while later claims are still written.
   */
  claim(claims: readonly AlertClaim[], onResult?: (index: number, result: ClaimResult) => void): Promise<ClaimResult[]>;
  /** Records re-arms (or disarms) of rules that did not fire; each is ignored if its rule changed. */
  recordArmed(changes: ReadonlyArray<{ rule: ActiveRule; update: TriggerUpdate }>): Promise<void>;
  /** Marks active rules whose expiry has passed as `expired`. */
  expire(rules: readonly ActiveRule[], now: number): Promise<void>;
  /** Takes a claimed alert out of the delivery outbox: its deliveries are queued. */
  markQueued(owner: string, alertKey: string): Promise<void>;
}

/** The owner's alerts per minute, shared by every instance (storage/alert-limits-repository.ts). */
export interface AlertLimiter {
  /** OWNER_ALERTS_PER_MINUTE: what the held-back notice names. */
  readonly perMinute: number;
  /** One admission per alert, in order; the same alert id always gets the same answer. */
  admit(alerts: ReadonlyArray<{ owner: string; alertId: string; triggeredAt: string }>): Promise<Admission[]>;
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
  /** Absent: no per-owner alerts-per-minute limit (the flood guard is the store's). */
  limits?: AlertLimiter;
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
  const outcomes = await claimAndQueue(deps, event, result.alerts, updates);
  const rearmed = result.updates.flatMap((update) => {
    const rule = update.firedAt === null ? deps.rules.get(update.ruleId) : undefined;
    return rule === undefined ? [] : [{ rule, update }];
  });
  if (rearmed.length > 0) await deps.store.recordArmed(rearmed);
  const expired = result.expired.flatMap((ruleId) => deps.rules.get(ruleId) ?? []);
  if (expired.length > 0) await deps.store.expire(expired, now);

  if (deps.outbox !== undefined) await recoverOutbox(deps, deps.outbox, now);

  const claimed = outcomes.filter((o) => o.status === 'claimed').length;
  deps.metrics.record('Points', result.stats.points, 'Count');
  deps.metrics.record('AlertsFired', result.alerts.length, 'Count');
  deps.metrics.record('AlertsClaimed', claimed, 'Count');
  deps.metrics.record('AlertsDuplicate', outcomes.filter((o) => o.status === 'duplicate').length, 'Count');
  const heldBack = outcomes.filter((o) => o.status === 'claimed' && o.heldBack && !o.snoozed).length;
  const snoozedCount = outcomes.filter((o) => o.status === 'claimed' && o.snoozed).length;
  if (snoozedCount > 0) deps.metrics.record('AlertsSnoozed', snoozedCount, 'Count');
  const paused = outcomes.filter((o) => o.paused).length;
  if (heldBack > 0) deps.metrics.record('AlertsRateLimited', heldBack, 'Count');
  if (paused > 0) deps.metrics.record('FloodGuardPauses', paused, 'Count');
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

/** An alert the engine fired, ready to claim. */
interface PreparedClaim {
  claim: AlertClaim;
  key: string;
}

/** What became of a claim: its store status, whether the owner's limit (or a snooze) held it back, whether it paused its rule. */
interface ClaimOutcome {
  status: ClaimResult['status'];
  heldBack: boolean;
  snoozed: boolean;
  paused: boolean;
}

/** Fired while its rule's `snoozedUntil` is ahead (judged on the tick's time, which a retry keeps). */
function isSnoozed({ claim }: PreparedClaim): boolean {
  const until = claim.record.snoozedUntil;
  return until !== null && claim.firedAt < Date.parse(until);
}

/**
 * The claim of an alert that is recorded with every delivery in `status` and kept out of the outbox,
 * never queued — but for `notice`, written beside it and queued in its place.
 */
function heldBackClaim(prepared: PreparedClaim, status: 'rate_limited' | 'snoozed', notice: Alert | null = null): PreparedClaim {
  return { ...prepared, claim: { ...prepared.claim, alert: withDeliveryStatus(prepared.claim.alert, status), heldBack: { notice } } };
}

/** The id of the held-back notice an alert carries. */
export const noticeIdOf = (alertId: string) => `${alertId}.notice`;

/**
 * Applies the owner's alerts per minute to the prepared claims: a held-back alert's deliveries
 * become `rate_limited`, and the minute's notice carrier gets the notice record beside it.
 */
async function applyLimits(limits: AlertLimiter, claims: readonly PreparedClaim[]): Promise<PreparedClaim[]> {
  const admissions = await limits.admit(claims.map(({ claim }) => ({ owner: claim.record.owner, alertId: claim.alert.id, triggeredAt: claim.alert.triggeredAt })));
  if (admissions.length !== claims.length) throw new Error(`the alert limit answered ${admissions.length} admissions for ${claims.length} alerts`);
  return claims.map((prepared, i) => {
    const admission = admissions[i] ?? 'admitted';
    if (admission === 'admitted') return prepared;
    const { alert } = prepared.claim;
    const notice = admission === 'notice' ? { ...alert, id: noticeIdOf(alert.id), message: heldBackNotice(limits.perMinute) } : null;
    return heldBackClaim(prepared, 'rate_limited', notice);
  });
}

/** The claim of a fired alert, or undefined when the cache no longer holds its rule. */
function prepareClaim(event: BatchEvent, fired: FiredAlert, rule: ActiveRule | undefined, update: TriggerUpdate | undefined): PreparedClaim | undefined {
  if (rule === undefined) return undefined;
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
  const claim: AlertClaim = {
    record,
    alert,
    firedAt: fired.at,
    armed: update?.armed ?? rule.engine.armed,
    consumed: update?.consumed ?? false,
    fromPos: event.fromPos,
    toPos: event.toPos,
  };
  return { claim, key: alertKeyOf(alert) };
}

/**
 * Claims the batch's alerts together, and queues the deliveries of each claimed (or duplicate)
 * one as soon as its claim settles. A claim that fails fails the batch once the queueing already
 * under way has ended (the retry is safe: claims are exactly-once).
 */
async function claimAndQueue(
  deps: EvaluatorDeps,
  event: BatchEvent,
  alerts: readonly FiredAlert[],
  updates: ReadonlyMap<string, TriggerUpdate>,
): Promise<ClaimOutcome[]> {
  const prepared = alerts.flatMap((fired) => prepareClaim(event, fired, deps.rules.get(fired.ruleId), updates.get(fired.ruleId)) ?? []);
  if (prepared.length === 0) return [];
  // A snoozed rule's alerts are recorded `snoozed` and never sent, so they take no place in the owner's minute.
  const awake = prepared.filter((p) => !isSnoozed(p));
  const admitted = deps.limits === undefined || awake.length === 0 ? awake : await applyLimits(deps.limits, awake);
  const byKey = new Map(admitted.map((p) => [p.key, p]));
  const claims = prepared.map((p) => byKey.get(p.key) ?? heldBackClaim(p, 'snoozed'));
  const queued = new Map<number, Promise<ClaimOutcome>>();
  const queue = (index: number, result: ClaimResult) => {
    const claim = claims[index];
    if (claim === undefined || queued.has(index)) return;
    const queueing = queueClaimed(deps, claim, result);
    queueing.catch(() => undefined); // awaited below; handled here so a failure while claims go on is not "unhandled"
    queued.set(index, queueing);
  };
  let results: ClaimResult[];
  try {
    results = await deps.store.claim(
      claims.map((p) => p.claim),
      queue,
    );
  } catch (error) {
    await Promise.allSettled(queued.values());
    throw error;
  }
  if (results.length !== claims.length) throw new Error(`the trigger store answered ${results.length} results for ${claims.length} claims`);
  results.forEach((result, index) => queue(index, result));
  return Promise.all(claims.map((_, index) => queued.get(index) ?? Promise.reject(new Error(`claim ${index} was not queued`))));
}

/**
 * Queues the deliveries of a claimed alert (all of them), or of a duplicate (those still pending),
 * and takes it out of the outbox. A held-back alert queues nothing but its notice, if it carries
 * it; one that tripped the flood guard is the pause notice and is queued as an alert.
 */
async function queueClaimed(deps: EvaluatorDeps, prepared: PreparedClaim, outcome: ClaimResult): Promise<ClaimOutcome> {
  const paused = outcome.status === 'claimed' && outcome.paused === true;
  const heldBack = prepared.claim.heldBack !== undefined && !paused;
  const snoozedAlert = heldBack && isSnoozed(prepared);
  if (outcome.status === 'stale') return { status: 'stale', heldBack, snoozed: snoozedAlert, paused };
  const { record, alert } = prepared.claim;
  const all = record.channels.map((_, i) => i);
  const notice = prepared.claim.heldBack?.notice ?? null;
  if (heldBack && outcome.status === 'claimed') {
    if (notice !== null) {
      const noticeKey = alertKeyOf(notice);
      await deps.queue.enqueue(deliveriesOf(record.owner, noticeKey, record.channels, all, true));
      await deps.store.markQueued(record.owner, noticeKey);
    }
  } else {
    // A duplicate held-back alert has no pending deliveries; its notice, if left unqueued, is in the outbox.
    const indexes = outcome.status === 'claimed' ? all : outcome.pending;
    const deliveries = deliveriesOf(record.owner, prepared.key, record.channels, indexes, outcome.status === 'claimed');
    if (deliveries.length > 0) await deps.queue.enqueue(deliveries);
    if (!heldBack) await deps.store.markQueued(record.owner, prepared.key);
  }
  deps.onClaimed?.({ ruleId: record.id, symbol: alert.symbol, tickAt: prepared.claim.firedAt, duplicate: outcome.status === 'duplicate' });
  return { status: outcome.status, heldBack, snoozed: snoozedAlert, paused };
}

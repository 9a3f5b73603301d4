/**
 * The rule lifecycle as pure functions: a new rule from a create request, a changed rule from a
 * patch, and the resource a client sees (its status as of now, with the feed's verdict on its
 * symbol). Time and the feed state are arguments; nothing here does I/O.
 */
import { ValidationError, type Rule, type RuleCreate, type RulePatch, type RuleStatus, type StoredRuleStatus } from '../../core/rule-model';
import type { RuleRecord } from '../../storage/rules-repository';
import type { SymbolFeedState } from '../../storage/symbols-repository';
import { ruleWarmUp } from './rule-warm-up';

/**
 * The stored status as of now: an `active` rule whose `expiresAt` has passed is `expired` even
 * before the evaluator has written that down. What a patch starts from.
 */
export function effectiveStatus(rule: Pick<RuleRecord, 'status' | 'expiresAt'>, now: Date): StoredRuleStatus {
  if (rule.status === 'active' && rule.expiresAt !== null && Date.parse(rule.expiresAt) <= now.getTime()) return 'expired';
  return rule.status;
}

/**
 * The status a client sees: {@link effectiveStatus}, and `invalid_symbol` for a rule active as of
 * now whose symbol iTick refused (`feed.invalid`, which holds only while no rule of the symbol
 * changed). A paused, triggered or expired rule keeps its status: the refusal matters only to a
 * rule that would be evaluated.
 */
export function shownStatus(rule: Pick<RuleRecord, 'status' | 'expiresAt'>, now: Date, feed: SymbolFeedState | undefined): RuleStatus {
  const status = effectiveStatus(rule, now);
  return status === 'active' && feed?.invalid !== undefined ? 'invalid_symbol' : status;
}

/** The resource of a stored rule as of `now`, with the feed state of its symbol (undefined: none known). */
export function toRuleResource(record: RuleRecord, now: Date, feed: SymbolFeedState | undefined): Rule {
  const status = shownStatus(record, now, feed);
  return {
    id: record.id,
    symbol: record.symbol,
    condition: record.condition,
    trigger: record.trigger,
    cooldownSeconds: record.cooldownSeconds,
    expiresAt: record.expiresAt,
    snoozedUntil: record.snoozedUntil,
    channels: record.channels,
    message: record.message,
    note: record.note,
    status,
    pausedReason: record.pausedReason,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    lastTriggeredAt: record.lastTriggeredAt,
    triggerCount: record.triggerCount,
    statusMessage: status === 'invalid_symbol' ? (feed?.invalid?.message ?? null) : null,
    // Only a rule being evaluated warms series; an invalid symbol has no data to warm from.
    warmUp: status === 'active' && feed !== undefined ? ruleWarmUp(record.condition, record.symbol, feed.warmUp) : null,
  };
}

function requireFuture(path: 'expiresAt' | 'snoozedUntil', at: string | null | undefined, now: Date): void {
  if (typeof at === 'string' && Date.parse(at) <= now.getTime()) {
    throw new ValidationError([{ path, message: 'must be in the future' }]);
  }
}

export function newRuleRecord(owner: string, input: RuleCreate, options: { id: string; now: Date }): RuleRecord {
  requireFuture('expiresAt', input.expiresAt, options.now);
  requireFuture('snoozedUntil', input.snoozedUntil, options.now);
  const at = options.now.toISOString();
  return {
    ...input,
    id: options.id,
    owner,
    pausedReason: null,
    createdAt: at,
    updatedAt: at,
    lastTriggeredAt: null,
    triggerCount: 0,
    version: 1,
    armed: true,
  };
}

/**
 * The rule after `patch`. Any change re-arms the rule and counts as a new version — except a
 * patch of `snoozedUntil` alone: snoozing or waking a rule is no new rule, so it keeps its
 * trigger state (a level it is above does not fire again when the snooze ends). A rule past
 * its expiry stays `expired` unless the patch sets `status: "active"`, which also revives a
 * `triggered` rule; reviving needs an `expiresAt` in the future (or none). An `invalid_symbol`
 * rule is stored `active`: any patch (a resume included) is an ordinary change, and moving its
 * symbol's `rulesVersion` lifts the refusal, so the feed asks iTick again.
 */
export function patchedRuleRecord(before: RuleRecord, patch: RulePatch, now: Date): RuleRecord {
  requireFuture('expiresAt', patch.expiresAt, now);
  requireFuture('snoozedUntil', patch.snoozedUntil, now);
  const { status: requestedStatus, ...fields } = patch;
  const snoozeOnly = Object.keys(patch).every((field) => field === 'snoozedUntil');
  const changes = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  const after: RuleRecord = {
    ...before,
    ...changes,
    status: requestedStatus ?? effectiveStatus(before, now),
    updatedAt: now.toISOString(),
    version: before.version + 1,
    armed: snoozeOnly ? before.armed : true,
  };
  // A rule that stays paused keeps why it was paused; resuming (or any other status) clears it.
  // The new version also starts a fresh flood-guard window (storage/alert-limits.ts).
  after.pausedReason = after.status === 'paused' ? before.pausedReason : null;
  if (after.status === 'active' && effectiveStatus(after, now) === 'expired') {
    throw new ValidationError([
      { path: 'expiresAt', message: 'has passed: send a later expiresAt (or null) with status "active" to re-activate the rule' },
    ]);
  }
  return after;
}

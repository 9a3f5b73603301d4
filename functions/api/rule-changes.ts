/**
 * The rule lifecycle as pure functions: a new rule from a create request, a changed rule from a
 * patch, and the resource a client sees. Time is an argument; nothing here does I/O.
 */
import { ValidationError, type Rule, type RuleCreate, type RulePatch, type RuleStatus } from '../../core/rule-model';
import type { RuleRecord } from '../../storage/rules-repository';

/**
 * The status a client sees: an `active` rule whose `expiresAt` has passed is `expired` even
 * before the evaluator has written that down.
 */
export function effectiveStatus(rule: Pick<Rule, 'status' | 'expiresAt'>, now: Date): RuleStatus {
  if (rule.status === 'active' && rule.expiresAt !== null && Date.parse(rule.expiresAt) <= now.getTime()) return 'expired';
  return rule.status;
}

export function toRuleResource(record: RuleRecord, now: Date): Rule {
  return {
    id: record.id,
    symbol: record.symbol,
    condition: record.condition,
    trigger: record.trigger,
    cooldownSeconds: record.cooldownSeconds,
    expiresAt: record.expiresAt,
    channels: record.channels,
    message: record.message,
    note: record.note,
    status: effectiveStatus(record, now),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    lastTriggeredAt: record.lastTriggeredAt,
    triggerCount: record.triggerCount,
  };
}

function requireFutureExpiry(expiresAt: string | null | undefined, now: Date): void {
  if (typeof expiresAt === 'string' && Date.parse(expiresAt) <= now.getTime()) {
    throw new ValidationError([{ path: 'expiresAt', message: 'must be in the future' }]);
  }
}

export function newRuleRecord(owner: string, input: RuleCreate, options: { id: string; now: Date }): RuleRecord {
  requireFutureExpiry(input.expiresAt, options.now);
  const at = options.now.toISOString();
  return {
    ...input,
    id: options.id,
    owner,
    createdAt: at,
    updatedAt: at,
    lastTriggeredAt: null,
    triggerCount: 0,
    version: 1,
    armed: true,
  };
}

/**
 * The rule after `patch`. Any change re-arms the rule and counts as a new version. A rule past
 * its expiry stays `expired` unless the patch sets `status: "active"`, which also revives a
 * `triggered` rule; reviving needs an `expiresAt` in the future (or none).
 */
export function patchedRuleRecord(before: RuleRecord, patch: RulePatch, now: Date): RuleRecord {
  requireFutureExpiry(patch.expiresAt, now);
  const { status: requestedStatus, ...fields } = patch;
  const changes = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  const after: RuleRecord = {
    ...before,
    ...changes,
    status: requestedStatus ?? effectiveStatus(before, now),
    updatedAt: now.toISOString(),
    version: before.version + 1,
    armed: true,
  };
  if (after.status === 'active' && effectiveStatus(after, now) === 'expired') {
    throw new ValidationError([
      { path: 'expiresAt', message: 'has passed: send a later expiresAt (or null) with status "active" to re-activate the rule' },
    ]);
  }
  return after;
}

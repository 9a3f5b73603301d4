/**
 * Trigger modes: given how a rule's condition was judged at a point, does the rule fire, and how
 * does its trigger state change? Shared by the indexed engine and the reference engine.
 *
 * - `once`: fires at the first point where the condition fires; then the rule is consumed.
 * - `rearm`: fires when armed and the cooldown has passed; disarms; re-arms at a point where the
 *   condition does not hold (for edges, at once: a new edge is needed).
 * - `repeat`: fires whenever the condition fires and the cooldown has passed.
 * - A rule fires at most once per batch; a second firing in the same batch is *suppressed*: no
 *   alert, but a `rearm` rule disarms as if it had fired, so the outcome does not depend on how
 *   ticks were split into batches more than the once-per-batch limit itself implies.
 * - Cooldowns and expiry are counted in whole seconds of tick time (see core/tick-time.ts).
 */
import { secondOf } from '../tick-time';
import type { EngineRule, RuleRuntime } from './types';

export type Outcome = 'fire' | 'suppressed' | 'none';

export function newRuntime(rule: EngineRule, now: number): RuleRuntime {
  return {
    version: rule.version,
    armed: rule.armed,
    lastFiredAt: rule.lastFiredAt,
    consumed: false,
    storedArmed: rule.armed,
    wakeAt: null,
    deferred: false,
    touchedAt: now,
  };
}

/** A rule is expired from the first whole second of its `expiresAt`, so it never fires after it. */
export function isExpired(rule: EngineRule, second: number): boolean {
  return rule.expiresAt !== null && second >= secondOf(rule.expiresAt);
}

/**
 * First second at which the cooldown allows the rule to fire again. A `once` rule has no cooldown:
 * it fires once, and a user who re-activates it wants the next alert, whenever the last one was.
 */
export function eligibleFrom(rule: EngineRule, runtime: RuleRuntime): number {
  if (runtime.lastFiredAt === null || rule.trigger === 'once') return Number.NEGATIVE_INFINITY;
  return secondOf(runtime.lastFiredAt) + rule.cooldownSeconds;
}

/**
 * Applies the trigger mode at a point where the rule's condition was judged (`fires`, `holds`).
 * Mutates `runtime`; returns whether an alert is due.
 */
export function decide(
  rule: EngineRule,
  runtime: RuleRuntime,
  fires: boolean,
  holds: boolean,
  at: number,
  firedThisBatch: boolean,
): Outcome {
  if (runtime.consumed) return 'none';
  const second = secondOf(at);
  if (isExpired(rule, second)) return 'none';
  let outcome: Outcome = 'none';
  if (fires && (rule.trigger !== 'rearm' || runtime.armed) && second >= eligibleFrom(rule, runtime)) {
    if (firedThisBatch) {
      outcome = 'suppressed';
    } else {
      outcome = 'fire';
      runtime.lastFiredAt = at;
      if (rule.trigger === 'once') runtime.consumed = true;
    }
    if (rule.trigger === 'rearm') runtime.armed = false;
  }
  if (!holds && rule.trigger === 'rearm') runtime.armed = true;
  return outcome;
}

/**
 * The two alert limits as pure functions (api.md "Limits and flood guard"; docs/security.md):
 *
 * - the flood guard's window: a rule that fires more than `fires` times within `windowMs` is
 *   paused. The window is the tick times of the rule's latest fires (at most `fires` numbers),
 *   kept on the rule's item and written by the claim transaction (trigger-state-repository.ts),
 *   which is what makes it exact across evaluator instances. It belongs to one rule version: any
 *   change through the API (a resume included) starts an empty window.
 * - the owner's alerts per minute: which alerts of a minute are admitted, given the ids already
 *   admitted that minute (alert-limits-repository.ts keeps them). Deciding by alert id makes a
 *   retried batch (same alert ids) count once, and picks the same alert for the one notice.
 *
 * No I/O here: the repositories call these with what they read.
 */

export interface FloodGuardSettings {
  /** More fires than this within the window pause the rule (FLOOD_GUARD_FIRES). */
  fires: number;
  /** FLOOD_GUARD_WINDOW_SECONDS, in ms. */
  windowMs: number;
}

export const DEFAULT_FLOOD_GUARD: FloodGuardSettings = { fires: 15, windowMs: 180_000 };
export const DEFAULT_OWNER_ALERTS_PER_MINUTE = 120;

/** A rule's recent fires (tick times, epoch ms, oldest first) and the rule version they belong to. */
export interface RecentFires {
  version: number;
  at: number[];
}

export interface FloodVerdict {
  /** This fire is one more than the guard allows within the window: the rule is paused by it. */
  flood: boolean;
  /** The window to store after this fire (at most `fires` times). */
  recent: RecentFires;
}

/**
 * Judges one fire at `firedAt` of rule `version` against its stored window. The fire that makes
 * `fires + 1` within `windowMs` (the 16th in 3 minutes by default) is the flood: it pauses the
 * rule and is delivered as the pause notice instead of as an alert.
 */
export function judgeFire(stored: RecentFires | undefined, version: number, firedAt: number, settings: FloodGuardSettings): FloodVerdict {
  const since = firedAt - settings.windowMs;
  const prior = stored?.version === version ? stored.at.filter((at) => at > since) : [];
  return { flood: prior.length >= settings.fires, recent: { version, at: [...prior, firedAt].slice(-settings.fires) } };
}

/** "3 minutes", "90 seconds", "1 minute". */
export function describeWindow(windowMs: number): string {
  const seconds = Math.round(windowMs / 1000);
  if (seconds % 60 === 0) return seconds === 60 ? '1 minute' : `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}

/** The message of the flood-guard notice, delivered to the paused rule's channels. */
export function floodNotice(symbol: string, settings: FloodGuardSettings): string {
  return `${symbol} rule paused: it fired more than ${settings.fires} times in ${describeWindow(settings.windowMs)}; resume it with PATCH {status: active}`;
}

/** The message of the one notice per owner and minute once its alerts are held back. */
export function heldBackNotice(perMinute: number): string {
  return `alerts are being held back: more than ${perMinute} alerts this minute; see GET /alerts`;
}

/** The minute an alert counts in: its `triggeredAt` (which a retried batch keeps) cut to the minute, `2026-03-02T14:30`. */
export function alertMinute(triggeredAt: string): string {
  return new Date(triggeredAt).toISOString().slice(0, 16);
}

/** What the limit made of an alert: sent as usual, held back, or held back and the one that carries the minute's notice. */
export type Admission = 'admitted' | 'held' | 'notice';

/** One owner's minute as stored: the alert ids admitted, and the held-back alert that carries the notice. */
export interface OwnerMinute {
  admitted: ReadonlySet<string>;
  noticedBy: string | undefined;
}

export interface AdmissionPlan {
  /** Per candidate id. */
  decisions: Map<string, Admission>;
  /** Ids to add to the minute's admitted set. */
  add: string[];
  /** The notice carrier to record, when the minute has none yet. */
  noticedBy: string | undefined;
}

/**
 * Admits `candidates` (in order) into an owner's minute holding `minute.admitted` already: an id
 * admitted before stays admitted; new ids are admitted while fewer than `limit` are; the others
 * are held, and the first held one carries the notice unless the minute has a carrier already
 * (the carrier itself, asked again, is `notice` again: a retry re-writes the same notice).
 */
export function planAdmission(minute: OwnerMinute, candidates: readonly string[], limit: number): AdmissionPlan {
  const decisions = new Map<string, Admission>();
  const add: string[] = [];
  let carrier = minute.noticedBy;
  let noticedBy: string | undefined;
  for (const id of candidates) {
    if (decisions.has(id)) continue;
    if (minute.admitted.has(id)) {
      decisions.set(id, 'admitted');
    } else if (minute.admitted.size + add.length < limit) {
      decisions.set(id, 'admitted');
      add.push(id);
    } else if (carrier === undefined || carrier === id) {
      decisions.set(id, 'notice');
      if (carrier === undefined) noticedBy = id;
      carrier = id;
    } else {
      decisions.set(id, 'held');
    }
  }
  return { decisions, add, noticedBy };
}

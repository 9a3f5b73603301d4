/**
 * The per-owner limits the API enforces besides the rule quota (api.md "Limits and flood guard"):
 * how many distinct symbols an owner's active and paused rules may watch. Pure: the owner's
 * other symbols are read by the caller (storage/owner-symbols.ts). Past a limit the request is
 * refused with 429 `limit_exceeded`, naming the limit, its setting and the field that hit it.
 */
import type { StoredRuleStatus } from '../../core/rule-model';

/** The limits by the name a 429 gives them, with the setting that changes each. */
export const OWNER_LIMITS = {
  symbolsPerOwner: { setting: 'OWNER_SYMBOL_LIMIT', default: 200 },
} as const;

export type OwnerLimitName = keyof typeof OWNER_LIMITS;

/** A request that would take the owner past one of its limits: 429 `limit_exceeded`. */
export class LimitExceededError extends Error {
  override readonly name = 'LimitExceededError';
  constructor(
    readonly limit: OwnerLimitName,
    readonly max: number,
    /** The request field that hit the limit (error details' `path`). */
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** Statuses whose rules count against the symbol limit: those that watch, or will again on resume. */
export function holdsSymbol(status: StoredRuleStatus): boolean {
  return status === 'active' || status === 'paused';
}

/**
 * Refuses a rule that would hold `symbol` when the owner's other active and paused rules already
 * watch `max` distinct symbols without it. A symbol already watched costs nothing.
 * @throws LimitExceededError
 */
export function requireSymbolRoom(otherSymbols: ReadonlySet<string>, symbol: string, max: number): void {
  if (otherSymbols.has(symbol) || otherSymbols.size < max) return;
  throw new LimitExceededError(
    'symbolsPerOwner',
    max,
    'symbol',
    `limit reached: symbolsPerOwner — an owner's active and paused rules may watch at most ${max} distinct symbols (${OWNER_LIMITS.symbolsPerOwner.setting}); ${symbol} would be one more: delete rules of another symbol, or use one already watched`,
  );
}

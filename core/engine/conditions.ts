/**
 * What each condition means, judged at one point of a price path (see docs/rules.md).
 *
 * A point is a trade; the *move* to it runs from the previous point's price `prev` to its price.
 * - Levels (`price_*`, `moves_*_pct`, `change_from_prev_close_pct`, `volume_spike`) hold or not
 *   at the point.
 * - Edges (`crosses*`, `enters_channel`, `exits_channel`) happen on the move: the market is taken
 *   to have traded through every price between two consecutive trades, so 199 → 201 crosses 200,
 *   and 190 → 215 enters and exits the channel [200, 210]. No edge happens on a baseline point.
 * - `any` fires when one of its conditions fires at the point.
 * - `all` fires when there is one price on the move at which all its conditions hold together:
 *   an edge holds at its threshold, a price level on its interval, and the window conditions
 *   (`moves_*_pct`, `volume_spike`) as judged at the point. The move is the half-open interval
 *   from the previous price (excluded) to the point's price (included).
 *
 * `holds` says whether the condition still holds at the point itself; a `rearm` rule re-arms
 * at a point where it does not. Edges never hold at a point.
 */
import type { Condition, SimpleCondition } from '../rule-model';
import type { SymbolState } from './types';
import { windowHigh, windowLow, windowVolume } from './market-state';

/** Where a condition is judged: the move from `prev` to `price`, with the symbol's market state after the point. */
export interface PointContext {
  prev: number | null;
  price: number;
  market: SymbolState;
}

export interface Judgement {
  fires: boolean;
  holds: boolean;
}

/** Price at which `change_from_prev_close_pct` reaches `percent` (shared by every engine so thresholds agree bit for bit). */
export function changeThreshold(prevClose: number, percent: number): number {
  return prevClose * (1 + percent / 100);
}

/** Price at or above which `moves_up_pct` holds, from the window's low. */
export function movesUpThreshold(low: number, percent: number): number {
  return low * (1 + percent / 100);
}

/** Price at or below which `moves_down_pct` holds, from the window's high. */
export function movesDownThreshold(high: number, percent: number): number {
  return high * (1 - percent / 100);
}

/** Does a level condition hold at `price`? (False for edges.) */
export function levelHolds(condition: SimpleCondition, price: number, market: SymbolState): boolean {
  switch (condition.type) {
    case 'price_above':
      return price > condition.value;
    case 'price_below':
      return price < condition.value;
    case 'moves_up_pct':
      return price >= movesUpThreshold(windowLow(market, condition.windowSeconds), condition.percent);
    case 'moves_down_pct':
      return price <= movesDownThreshold(windowHigh(market, condition.windowSeconds), condition.percent);
    case 'change_from_prev_close_pct': {
      if (market.prevClose === null) return false;
      const threshold = changeThreshold(market.prevClose, condition.percent);
      return condition.percent > 0 ? price >= threshold : price <= threshold;
    }
    case 'volume_spike': {
      const { current, average } = windowVolume(market, condition.windowSeconds);
      return average !== null && average > 0 && current >= condition.multiple * average;
    }
    default:
      return false;
  }
}

/** The price at which an edge happens on the move from `prev` to `price`, or null. */
export function edgeAt(condition: SimpleCondition, prev: number | null, price: number): number | null {
  if (prev === null) return null;
  switch (condition.type) {
    case 'crosses_above':
      return prev < condition.value && condition.value <= price ? condition.value : null;
    case 'crosses_below':
      return prev > condition.value && condition.value >= price ? condition.value : null;
    case 'crosses':
      return (prev < condition.value && condition.value <= price) || (prev > condition.value && condition.value >= price)
        ? condition.value
        : null;
    case 'enters_channel':
      if (prev < condition.lower && condition.lower <= price) return condition.lower;
      if (prev > condition.upper && condition.upper >= price) return condition.upper;
      return null;
    case 'exits_channel':
      if (prev <= condition.upper && condition.upper < price) return condition.upper;
      if (prev >= condition.lower && condition.lower > price) return condition.lower;
      return null;
    default:
      return null;
  }
}

export function isEdge(condition: SimpleCondition): boolean {
  switch (condition.type) {
    case 'crosses_above':
    case 'crosses_below':
    case 'crosses':
    case 'enters_channel':
    case 'exits_channel':
      return true;
    default:
      return false;
  }
}

/** Judges any condition at a point. */
export function judge(condition: Condition, ctx: PointContext): Judgement {
  switch (condition.type) {
    case 'all':
      return { fires: allFires(condition.conditions, ctx), holds: condition.conditions.every((c) => levelHolds(c, ctx.price, ctx.market)) };
    case 'any': {
      let fires = false;
      let holds = false;
      for (const c of condition.conditions) {
        if (isEdge(c)) {
          fires ||= edgeAt(c, ctx.prev, ctx.price) !== null;
        } else if (levelHolds(c, ctx.price, ctx.market)) {
          fires = true;
          holds = true;
        }
      }
      return { fires, holds };
    }
    default:
      if (isEdge(condition)) return { fires: edgeAt(condition, ctx.prev, ctx.price) !== null, holds: false };
      {
        const holds = levelHolds(condition, ctx.price, ctx.market);
        return { fires: holds, holds };
      }
  }
}

/** An interval of prices; `lo > hi` (or equal with an open end) is empty. */
interface Interval {
  lo: number;
  loOpen: boolean;
  hi: number;
  hiOpen: boolean;
}

/** `all`: is there one price on the move at which every condition holds? */
function allFires(conditions: readonly SimpleCondition[], { prev, price, market }: PointContext): boolean {
  // The move: (prev, price] upward, [price, prev) downward, [price, price] on a baseline or no move.
  const set: Interval =
    prev === null || prev === price
      ? { lo: price, loOpen: false, hi: price, hiOpen: false }
      : prev < price
        ? { lo: prev, loOpen: true, hi: price, hiOpen: false }
        : { lo: price, loOpen: false, hi: prev, hiOpen: true };
  for (const c of conditions) {
    if (!narrow(set, c, prev, price, market)) return false;
  }
  return true;
}

/** Intersects `set` with the prices at which `c` holds on this move; false when it becomes empty. */
function narrow(set: Interval, c: SimpleCondition, prev: number | null, price: number, market: SymbolState): boolean {
  switch (c.type) {
    case 'price_above':
      raiseLow(set, c.value, true);
      break;
    case 'price_below':
      lowerHigh(set, c.value, true);
      break;
    case 'change_from_prev_close_pct': {
      if (market.prevClose === null) return false;
      const threshold = changeThreshold(market.prevClose, c.percent);
      if (c.percent > 0) raiseLow(set, threshold, false);
      else lowerHigh(set, threshold, false);
      break;
    }
    case 'moves_up_pct':
    case 'moves_down_pct':
    case 'volume_spike':
      if (!levelHolds(c, price, market)) return false;
      break;
    default: {
      const at = edgeAt(c, prev, price);
      if (at === null) return false;
      raiseLow(set, at, false);
      lowerHigh(set, at, false);
    }
  }
  return set.lo < set.hi || (set.lo === set.hi && !set.loOpen && !set.hiOpen);
}

function raiseLow(set: Interval, lo: number, open: boolean): void {
  if (lo > set.lo || (lo === set.lo && open)) {
    set.lo = lo;
    set.loOpen = open;
  }
}

function lowerHigh(set: Interval, hi: number, open: boolean): void {
  if (hi < set.hi || (hi === set.hi && open)) {
    set.hi = hi;
    set.hiOpen = open;
  }
}

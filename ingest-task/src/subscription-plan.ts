/**
 * Which symbol is watched on which iTick connection, and which cannot be watched at all.
 *
 * Each market (asset class) has its own WebSocket URL, so its symbols go on connections of its
 * own ({@link planMarkets}); within a market, iTick allows one connection per key unless the plan
 * says otherwise, and limits the symbols per connection. Both limits are taken per market: iTick's
 * one-connection rule is per cluster and each class is served at its own URL (an assumption: its
 * docs say "a single connection per cluster" and nothing more). The plan is recomputed on every watchlist refresh and is sticky: a symbol stays on
 * the connection it is on (moving it would mean an unsubscribe, a subscribe and a reset), and
 * symbols already watched keep their place when the list grows past the limit, so the symbols
 * left out are the newest ones. Pure: no I/O, no clock. How one connection brings iTick to its
 * share (requests, answers, refusals) is connection-subscriptions.ts.
 */

import { marketOf, type Market } from '../../core/rule-model';

export interface PlanLimits {
  connections: number;
  /** Symbols one connection may hold; `undefined` when the plan's limit is not known. */
  maxPerConnection: number | undefined;
}

export interface SubscriptionPlan {
  /** `connections[i]` is the sorted list of symbols for connection `i`. */
  connections: string[][];
  /** Symbols with active rules that do not fit (sorted). */
  unwatched: string[];
}

/**
 * Spreads `wanted` over the connections, keeping `previous` assignments where possible.
 * @example planSubscriptions(['A$US', 'B$US'], [[]], { connections: 1, maxPerConnection: 1 })
 *   // { connections: [['A$US']], unwatched: ['B$US'] }
 */
export function planSubscriptions(wanted: Iterable<string>, previous: readonly (readonly string[])[], limits: PlanLimits): SubscriptionPlan {
  const capacity = limits.maxPerConnection ?? Number.POSITIVE_INFINITY;
  const remaining = new Set(wanted);
  const connections: string[][] = [];
  for (let i = 0; i < limits.connections; i += 1) {
    const kept = (previous[i] ?? []).filter((symbol) => remaining.has(symbol)).slice(0, capacity);
    for (const symbol of kept) remaining.delete(symbol);
    connections.push(kept);
  }
  const unwatched: string[] = [];
  for (const symbol of [...remaining].sort()) {
    // Fill in order: a connection beyond the first is only opened when the ones before it are full.
    const target = connections.find((symbols) => symbols.length < capacity);
    if (target === undefined) unwatched.push(symbol);
    else target.push(symbol);
  }
  return { connections: connections.map((symbols) => symbols.sort()), unwatched };
}

/**
 * Groups `wanted` (canonical symbols, `crypto:BTCUSDT$BA`) by market and plans each market on its
 * own connections. Every market with wanted symbols or a previous plan appears, and stocks always
 * do (their first connection stays open even with nothing to watch; see ingest-task.ts).
 * @example planMarkets(['AAPL$US', 'crypto:BTCUSDT$BA'], new Map(), { connections: 1, maxPerConnection: undefined })
 *   // Map { 'stock' => { connections: [['AAPL$US']], unwatched: [] }, 'crypto' => { connections: [['crypto:BTCUSDT$BA']], unwatched: [] } }
 */
export function planMarkets(
  wanted: Iterable<string>,
  previous: ReadonlyMap<Market, readonly (readonly string[])[]>,
  limits: PlanLimits,
): Map<Market, SubscriptionPlan> {
  const byMarket = new Map<Market, string[]>([['stock', []]]);
  for (const market of previous.keys()) byMarket.set(market, []);
  for (const symbol of wanted) {
    const market = marketOf(symbol);
    const symbols = byMarket.get(market) ?? [];
    symbols.push(symbol);
    byMarket.set(market, symbols);
  }
  const plans = new Map<Market, SubscriptionPlan>();
  for (const [market, symbols] of byMarket) plans.set(market, planSubscriptions(symbols, previous.get(market) ?? [], limits));
  return plans;
}

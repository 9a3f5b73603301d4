/**
 * The reference engine: judges every rule of a symbol at every point. Obviously correct and slow;
 * the property tests hold the indexed engine to it, and `npm run bench:engine` measures both.
 */
import { judge } from './conditions';
import { collectUpdates, DEFAULT_FORGET_AFTER_MS, forgetIdle, keepRuntime, prepareSymbol, runtimeOf, windowsUsedBy } from './engine-state';
import { advanceWindows } from './market-state';
import { decide } from './trigger';
import type { EngineRule, EngineState, EvaluateOptions, EvaluationResult, FiredAlert, SymbolBatch } from './types';

export function evaluateReference(
  rules: readonly EngineRule[],
  state: EngineState,
  batch: readonly SymbolBatch[],
  options: EvaluateOptions,
): EvaluationResult {
  const { now } = options;
  const bySymbol = new Map<string, EngineRule[]>();
  for (const rule of rules) {
    const list = bySymbol.get(rule.symbol);
    if (list === undefined) bySymbol.set(rule.symbol, [rule]);
    else list.push(rule);
  }
  const alerts: FiredAlert[] = [];
  const firedAt = new Map<string, number>();
  const changed = new Set<string>();
  let points = 0;
  let visits = 0;
  for (const path of batch) {
    const symbolRules = bySymbol.get(path.symbol) ?? [];
    const { market } = prepareSymbol(state, path, windowsUsedBy(symbolRules));
    for (const point of path.points) {
      points += 1;
      const prev = market.last;
      advanceWindows(market, point);
      for (const rule of symbolRules) {
        visits += 1;
        const runtime = runtimeOf(state, rule, now);
        const { fires, holds } = judge(rule.condition, { prev, price: point.price, market });
        const outcome = decide(rule, runtime, fires, holds, point.at, firedAt.has(rule.id));
        if (outcome === 'fire') {
          firedAt.set(rule.id, point.at);
          alerts.push({ ruleId: rule.id, ruleVersion: rule.version, symbol: path.symbol, price: point.price, at: point.at, previousPrice: prev });
        }
        keepRuntime(state, rule, runtime, now);
        if (outcome === 'fire' || runtime.armed !== runtime.storedArmed) changed.add(rule.id);
      }
      market.last = point.price;
      market.lastAt = point.at;
    }
  }
  const updates = collectUpdates(state, changed, firedAt);
  forgetIdle(state, now, options.forgetAfterMs ?? DEFAULT_FORGET_AFTER_MS);
  const expired = rules.filter((r) => r.expiresAt !== null && r.expiresAt <= now).map((r) => r.id);
  return { alerts, updates, expired, stats: { points, visits } };
}

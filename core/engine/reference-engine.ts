/**
 * The reference engine: judges every rule of a symbol at every point, and every rule judged at
 * bar closes at every moment where bars close. Obviously correct and slow; the property tests
 * hold the indexed engine to it, and `npm run bench:engine` measures both.
 */
import type { IndicatorCondition } from '../rule-model';
import { advanceBars, BAR_CLOSE_GRACE_MS, byEnd, closeDueBars, type ClosedBar } from './bars';
import { partsOf } from '../conditions/registry';
import { formingEdgeKey, isEdge, isForming, isIndicatorCondition, isJudgedAtClose, judge, judgeAtClose, snapshotFormingEdges } from './conditions';
import { collectUpdates, DEFAULT_FORGET_AFTER_MS, forgetIdle, keepRuntime, prepareSymbol, runtimeOf, windowsUsedBy } from './engine-state';
import { advanceWindows } from './market-state';
import { calendarOf } from './sessions';
import { decide } from './trigger';
import type { EngineRule, EngineState, EvaluateOptions, EvaluationResult, FiredAlert, SymbolBatch, SymbolState } from './types';

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

  /** Judges the symbol's bar-close rules at each moment where some of `closed` close. */
  const judgeCloses = (symbol: string, market: SymbolState, symbolRules: readonly EngineRule[], closed: ClosedBar[]): void => {
    closed.sort(byEnd);
    const calendar = calendarOf(symbol);
    for (let i = 0; i < closed.length; ) {
      const end = (closed[i] as ClosedBar).end;
      const closing = new Map<string, ClosedBar>();
      for (; i < closed.length && (closed[i] as ClosedBar).end === end; i += 1) closing.set((closed[i] as ClosedBar).series.key, closed[i] as ClosedBar);
      for (const rule of symbolRules) {
        if (!isJudgedAtClose(rule.condition)) continue;
        const judged = judgeAtClose(rule.condition, { market, calendar, closing });
        if (judged === null) continue;
        visits += 1;
        const runtime = runtimeOf(state, rule, now);
        const outcome = decide(rule, runtime, judged.fires, judged.holds, end, firedAt.has(rule.id));
        if (outcome === 'fire') {
          firedAt.set(rule.id, end);
          alerts.push({ ruleId: rule.id, ruleVersion: rule.version, symbol, price: judged.price, at: end, previousPrice: judged.prev });
        }
        keepRuntime(state, rule, runtime, now);
        if (outcome === 'fire' || runtime.armed !== runtime.storedArmed) changed.add(rule.id);
      }
    }
  };

  for (const path of batch) {
    const symbolRules = bySymbol.get(path.symbol) ?? [];
    const calendar = calendarOf(path.symbol);
    const { market } = prepareSymbol(state, path, windowsUsedBy(symbolRules));
    const edges = formingEdgesOf(symbolRules, calendar);
    const before = new Map<string, number | null>();
    for (const point of path.points) {
      points += 1;
      const prev = market.last;
      snapshotFormingEdges(market, calendar, edges, before);
      advanceWindows(market, point);
      const closed: ClosedBar[] = [];
      advanceBars(market, calendar, point, closed);
      if (closed.length > 0) judgeCloses(path.symbol, market, symbolRules, closed);
      for (const rule of symbolRules) {
        visits += 1;
        if (isJudgedAtClose(rule.condition)) continue;
        const runtime = runtimeOf(state, rule, now);
        const { fires, holds } = judge(rule.condition, { prev, price: point.price, market, calendar, before });
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
  // Bars whose end the batch's clock has passed (with a grace for clock skew) close now.
  for (const [symbol, market] of Object.entries(state.symbols)) {
    const closed: ClosedBar[] = [];
    closeDueBars(market, now - BAR_CLOSE_GRACE_MS, closed);
    if (closed.length > 0) judgeCloses(symbol, market, bySymbol.get(symbol) ?? [], closed);
  }
  const updates = collectUpdates(state, changed, firedAt);
  forgetIdle(state, now, options.forgetAfterMs ?? DEFAULT_FORGET_AFTER_MS);
  const expired = rules.filter((r) => r.expiresAt !== null && r.expiresAt <= now).map((r) => r.id);
  return { alerts, updates, expired, stats: { points, visits } };
}

/** The forming-bar edge quantities the rules compare (key → a condition reading it). */
function formingEdgesOf(rules: readonly EngineRule[], calendar: string): Map<string, IndicatorCondition> {
  const edges = new Map<string, IndicatorCondition>();
  for (const rule of rules) {
    for (const c of partsOf(rule.condition)) if (isIndicatorCondition(c) && isForming(c) && isEdge(c)) edges.set(formingEdgeKey(c, calendar), c);
  }
  return edges;
}

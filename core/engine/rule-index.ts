/**
 * The rule index: active rules grouped by symbol, with everything a price move needs to find the
 * rules it may change, by binary search:
 *
 * - `thresholds`: every fixed price of a symbol's conditions (levels, edges, channel bounds, also
 *   inside `all` / `any`). A move from a to b can only change rules with a threshold in [a, b].
 * - `change`: `change_from_prev_close_pct` rules by percent; a move changes those whose percent
 *   lies between the move's change against the previous close at a and at b.
 * - `moves`: `moves_*_pct` rules by window and direction, by percent; likewise for the rise
 *   (fall) against the window's low (high) before and after the point.
 * - `volume`: `volume_spike` rules by window, by multiple; likewise for the volume ratio.
 * - `atClose`: rules with an indicator condition judged on closed bars, by bar series: they are
 *   looked at when a bar of that series closes, never at a trade.
 * - `forming`: forming-bar indicator conditions by series and indicator: RSI rules by level, the
 *   crosses (MACD, moving averages) at 0, Bollinger rules by ±stdDev (the close's distance from
 *   the mean in standard deviations); a move changes those whose key lies between the value
 *   before and after the point.
 * - `sessionChange`: `change_from_prev_close_pct` rules that compare with a session's daily
 *   close, by series, by percent (like `change`).
 *
 * Rules are added, changed and removed one at a time; nothing is rebuilt. A rule added or changed
 * is looked at on its symbol's next point. The index holds no trigger state: that is in the
 * engine state, so one index can serve any shard's state.
 */
import { assertNever } from '../assert-never';
import { definitionOf, indicatorJudging, isIndicatorCondition, partsOf } from '../conditions/registry';
import type { IndicatorCondition, SimpleCondition } from '../rule-model';
import { formingEdgeKey, isJudgedAtClose, seriesKeyFor } from './conditions';
import { seriesSpecs } from './engine-state';
import type { WindowsInUse } from './market-state';
import { calendarOf } from './sessions';
import { SortedEntries } from './sorted-entries';
import { popDueTimer, pushTimer } from './timer-heap';
import type { EngineRule, MovesWindowState, VolumeWindowState } from './types';

export interface IndexedRule {
  rule: EngineRule;
  /** Point stamp of the last look, so a rule is looked at once per point. */
  stamp: number;
  /** Judged at its bar series' closes, never at a trade (isJudgedAtClose: fixed for a rule version). */
  atClose: boolean;
}

export interface MovesGroup {
  windowSeconds: number;
  up: boolean;
  byPercent: SortedEntries<IndexedRule>;
}

/**
 * A ratio that rules of one group compare their key with: the rise (fall) against a moves
 * window's low (high) in percent, or the volume ratio of a volume window.
 */
export interface DynamicGroup {
  entries: SortedEntries<IndexedRule>;
  kind: 'up' | 'down' | 'volume';
  moves: MovesWindowState | undefined;
  volume: VolumeWindowState | undefined;
  /** The ratio at the previous point. */
  before: number;
  /** Volume groups: the window index the cached average belongs to, and the average (0: none yet). */
  averageOf: number;
  average: number;
}

/** Forming-bar indicator rules of one series and indicator, by key (see the module comment). */
export interface FormingGroup {
  /** `series|quantity` (formingEdgeKey): for edge groups the key of their quantity's snapshot too. */
  key: string;
  seriesKey: string;
  /** Edges (crosses, Bollinger breaks) compare the quantity before and after a point; levels (RSI) only after. */
  edge: boolean;
  /** A condition of the group: its quantity (RSI, MACD − signal, fast − slow, the close's place in its band) is the group's ratio. */
  probe: IndicatorCondition;
  entries: SortedEntries<IndexedRule>;
}

export class SymbolIndex {
  readonly members = new Map<string, IndexedRule>();
  readonly thresholds = new SortedEntries<IndexedRule>();
  readonly change = new SortedEntries<IndexedRule>();
  readonly moves = new Map<string, MovesGroup>();
  readonly volume = new Map<number, SortedEntries<IndexedRule>>();
  /** Rules judged at bar closes, by series key (a rule appears once per condition on the series). */
  readonly atClose = new Map<string, SortedEntries<IndexedRule>>();
  readonly forming = new Map<string, FormingGroup>();
  readonly sessionChange = new Map<string, SortedEntries<IndexedRule>>();
  /** Forming edge quantities in use (key → a condition reading it), with how many conditions read each. */
  readonly formingEdges = new Map<string, IndicatorCondition>();
  private readonly formingEdgeUse = new Map<string, number>();
  /** Changes whenever the groups change (for caches derived from them). */
  version = 0;
  /** The dynamic groups bound to the market windows of the state last evaluated (derived, rebuilt at will). */
  groupsCache: { version: number; moves: MovesWindowState[]; volume: VolumeWindowState[]; groups: DynamicGroup[] } | null = null;
  /** The same for the bar-series groups (owned by engine.ts). */
  barGroupsCache: unknown = null;
  /** Rules added or changed since the symbol's last point. */
  readonly pending = new Set<string>();
  private readonly windowUse = { moves: new Map<number, number>(), volume: new Map<number, number>() };
  /** Per series key: conditions on it, and per indicator key how many conditions read it. */
  private readonly seriesUse = new Map<string, { users: number; indicators: Map<string, number> }>();
  private windowsCache: WindowsInUse | null = null;

  constructor(readonly calendar: string) {}

  get isEmpty(): boolean {
    return this.members.size === 0;
  }

  windowsInUse(): WindowsInUse {
    this.windowsCache ??= {
      moves: [...this.windowUse.moves.keys()],
      volume: [...this.windowUse.volume.keys()],
      series: seriesSpecs(new Map([...this.seriesUse].map(([key, use]) => [key, use.indicators.keys()]))),
    };
    return this.windowsCache;
  }

  /** Indexes (or un-indexes) one condition of a rule; `atClose`: the rule is judged at bar closes. */
  register(id: IndexedRule, c: SimpleCondition, add: boolean, atClose: boolean): void {
    this.version += 1;
    const seriesKey = seriesKeyFor(c, this.calendar);
    const indicator = isIndicatorCondition(c) ? c : null;
    if (seriesKey !== null) this.countSeries(seriesKey, indicator === null ? [] : indicatorJudging(indicator).indicators(indicator), add);
    const placement = definitionOf(c).index;
    if (atClose) {
      // Judged at its series' closes only; its window conditions still need their windows.
      if (seriesKey !== null && indicator !== null) this.entry(this.groupOf(this.atClose, seriesKey), 0, id, add);
      if (placement.group === 'moves') this.countWindow(this.windowUse.moves, placement.windowSeconds(c), add);
      if (placement.group === 'volume') this.countWindow(this.windowUse.volume, placement.windowSeconds(c), add);
      this.dropEmpty(this.atClose, seriesKey);
      return;
    }
    switch (placement.group) {
      case 'thresholds':
        for (const key of placement.keys(c)) this.entry(this.thresholds, key, id, add);
        break;
      case 'change':
        if (seriesKey === null) {
          this.entry(this.change, placement.key(c), id, add);
        } else {
          this.entry(this.groupOf(this.sessionChange, seriesKey), placement.key(c), id, add);
          this.dropEmpty(this.sessionChange, seriesKey);
        }
        break;
      case 'moves': {
        const { up } = placement;
        const windowSeconds = placement.windowSeconds(c);
        const key = `${windowSeconds}:${up ? 'up' : 'down'}`;
        let group = this.moves.get(key);
        if (group === undefined) {
          group = { windowSeconds, up, byPercent: new SortedEntries<IndexedRule>() };
          this.moves.set(key, group);
        }
        this.entry(group.byPercent, placement.key(c), id, add);
        if (group.byPercent.size === 0) this.moves.delete(key);
        this.countWindow(this.windowUse.moves, windowSeconds, add);
        break;
      }
      case 'volume': {
        const windowSeconds = placement.windowSeconds(c);
        let group = this.volume.get(windowSeconds);
        if (group === undefined) {
          group = new SortedEntries<IndexedRule>();
          this.volume.set(windowSeconds, group);
        }
        this.entry(group, placement.key(c), id, add);
        if (group.size === 0) this.volume.delete(windowSeconds);
        this.countWindow(this.windowUse.volume, windowSeconds, add);
        break;
      }
      case 'indicator':
        if (indicator === null) throw new Error(`condition ${c.type} is placed with indicators but is not judged on one`);
        this.registerForming(id, indicator, seriesKey as string, add);
        break;
      default:
        assertNever(placement, 'index placement');
    }
  }

  private registerForming(id: IndexedRule, c: IndicatorCondition, seriesKey: string, add: boolean): void {
    const judging = indicatorJudging(c);
    const groupKey = formingEdgeKey(c, this.calendar);
    let group = this.forming.get(groupKey);
    if (group === undefined) {
      group = { key: groupKey, seriesKey, edge: judging.shape === 'edge', probe: c, entries: new SortedEntries<IndexedRule>() };
      this.forming.set(groupKey, group);
    }
    this.entry(group.entries, judging.line(c), id, add);
    if (group.entries.size === 0) this.forming.delete(groupKey);
    if (judging.shape === 'edge') {
      const uses = (this.formingEdgeUse.get(groupKey) ?? 0) + (add ? 1 : -1);
      if (uses > 0) {
        this.formingEdgeUse.set(groupKey, uses);
        if (!this.formingEdges.has(groupKey)) this.formingEdges.set(groupKey, c);
      } else {
        this.formingEdgeUse.delete(groupKey);
        this.formingEdges.delete(groupKey);
      }
    }
  }

  private groupOf(groups: Map<string, SortedEntries<IndexedRule>>, key: string): SortedEntries<IndexedRule> {
    let group = groups.get(key);
    if (group === undefined) {
      group = new SortedEntries<IndexedRule>();
      groups.set(key, group);
    }
    return group;
  }

  private dropEmpty(groups: Map<string, SortedEntries<IndexedRule>>, key: string | null): void {
    if (key !== null && groups.get(key)?.size === 0) groups.delete(key);
  }

  private countSeries(key: string, indicators: readonly string[], add: boolean): void {
    let use = this.seriesUse.get(key);
    if (use === undefined) {
      use = { users: 0, indicators: new Map() };
      this.seriesUse.set(key, use);
    }
    use.users += add ? 1 : -1;
    for (const indicator of indicators) {
      const next = (use.indicators.get(indicator) ?? 0) + (add ? 1 : -1);
      if (next > 0) use.indicators.set(indicator, next);
      else use.indicators.delete(indicator);
    }
    if (use.users <= 0) this.seriesUse.delete(key);
    this.windowsCache = null;
  }

  private entry(entries: SortedEntries<IndexedRule>, key: number, id: IndexedRule, add: boolean): void {
    if (add) entries.insert(key, id);
    else entries.remove(key, id);
  }

  private countWindow(counts: Map<number, number>, windowSeconds: number, add: boolean): void {
    const next = (counts.get(windowSeconds) ?? 0) + (add ? 1 : -1);
    if (next > 0) counts.set(windowSeconds, next);
    else counts.delete(windowSeconds);
    this.windowsCache = null;
  }
}

/**
 * Active rules, indexed for evaluation.
 * @example
 * const index = new RuleIndex();
 * index.upsert(rule);            // add or change
 * evaluateBatch(index, state, batch, { now });
 * index.remove(rule.id);
 */
export class RuleIndex {
  private readonly symbols = new Map<string, SymbolIndex>();
  private readonly rules = new Map<string, IndexedRule>();
  private stamps = 0;
  /** Min-heap of [expiresAt, ruleId]. */
  private readonly expiries: Array<[number, string]> = [];

  get size(): number {
    return this.rules.size;
  }

  /** A new stamp for a point: rules looked at during it carry it. */
  nextStamp(): number {
    this.stamps += 1;
    return this.stamps;
  }

  get(ruleId: string): IndexedRule | undefined {
    return this.rules.get(ruleId);
  }

  symbol(symbol: string): SymbolIndex | undefined {
    return this.symbols.get(symbol);
  }

  /** Adds a rule or replaces it. A new version (or symbol) re-indexes it; the same version only refreshes its durable state. */
  upsert(rule: EngineRule): void {
    const existing = this.rules.get(rule.id);
    if (existing !== undefined && existing.rule.version === rule.version && existing.rule.symbol === rule.symbol) {
      existing.rule = rule;
      return;
    }
    if (existing !== undefined) this.remove(rule.id);
    let symbolIndex = this.symbols.get(rule.symbol);
    if (symbolIndex === undefined) {
      symbolIndex = new SymbolIndex(calendarOf(rule.symbol));
      this.symbols.set(rule.symbol, symbolIndex);
    }
    const indexed: IndexedRule = { rule, stamp: -1, atClose: isJudgedAtClose(rule.condition) };
    this.rules.set(rule.id, indexed);
    symbolIndex.members.set(rule.id, indexed);
    symbolIndex.pending.add(rule.id);
    for (const part of partsOf(rule.condition)) symbolIndex.register(indexed, part, true, indexed.atClose);
    if (rule.expiresAt !== null) pushTimer(this.expiries, rule.expiresAt, rule.id);
  }

  remove(ruleId: string): void {
    const existing = this.rules.get(ruleId);
    if (existing === undefined) return;
    this.rules.delete(ruleId);
    const symbolIndex = this.symbols.get(existing.rule.symbol);
    if (symbolIndex === undefined) return;
    for (const part of partsOf(existing.rule.condition)) symbolIndex.register(existing, part, false, existing.atClose);
    symbolIndex.members.delete(ruleId);
    symbolIndex.pending.delete(ruleId);
    if (symbolIndex.isEmpty) this.symbols.delete(existing.rule.symbol);
  }

  /** Makes the index hold exactly `rules` (a refreshed cache), touching only what changed. */
  replaceAll(rules: Iterable<EngineRule>): void {
    const seen = new Set<string>();
    for (const rule of rules) {
      seen.add(rule.id);
      this.upsert(rule);
    }
    for (const id of [...this.rules.keys()]) if (!seen.has(id)) this.remove(id);
  }

  /** Ids of rules whose `expiresAt` is at or before `now`, each reported once. */
  takeExpired(now: number): string[] {
    const due: string[] = [];
    for (let next = popDueTimer(this.expiries, now); next !== undefined; next = popDueTimer(this.expiries, now)) {
      const [expiresAt, id] = next;
      if (this.rules.get(id)?.rule.expiresAt === expiresAt) due.push(id);
    }
    return due;
  }

  rulesOf(symbol: string): EngineRule[] {
    const symbolIndex = this.symbols.get(symbol);
    if (symbolIndex === undefined) return [];
    return [...symbolIndex.members.values()].map((indexed) => indexed.rule);
  }
}

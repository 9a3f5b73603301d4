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
 *
 * Rules are added, changed and removed one at a time; nothing is rebuilt. A rule added or changed
 * is looked at on its symbol's next point. The index holds no trigger state: that is in the
 * engine state, so one index can serve any shard's state.
 */
import type { SimpleCondition } from '../rule-model';
import type { WindowsInUse } from './market-state';
import { SortedEntries } from './sorted-entries';
import { popDueTimer, pushTimer } from './timer-heap';
import type { EngineRule, MovesWindowState, VolumeWindowState } from './types';

export interface IndexedRule {
  rule: EngineRule;
  /** Point stamp of the last look, so a rule is looked at once per point. */
  stamp: number;
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

export class SymbolIndex {
  readonly members = new Map<string, IndexedRule>();
  readonly thresholds = new SortedEntries<IndexedRule>();
  readonly change = new SortedEntries<IndexedRule>();
  readonly moves = new Map<string, MovesGroup>();
  readonly volume = new Map<number, SortedEntries<IndexedRule>>();
  /** Changes whenever the groups change (for caches derived from them). */
  version = 0;
  /** The dynamic groups bound to the market windows of the state last evaluated (derived, rebuilt at will). */
  groupsCache: { version: number; moves: MovesWindowState[]; volume: VolumeWindowState[]; groups: DynamicGroup[] } | null = null;
  /** Rules added or changed since the symbol's last point. */
  readonly pending = new Set<string>();
  private readonly windowUse = { moves: new Map<number, number>(), volume: new Map<number, number>() };
  private windowsCache: WindowsInUse | null = null;

  get isEmpty(): boolean {
    return this.members.size === 0;
  }

  windowsInUse(): WindowsInUse {
    this.windowsCache ??= { moves: [...this.windowUse.moves.keys()], volume: [...this.windowUse.volume.keys()] };
    return this.windowsCache;
  }

  register(id: IndexedRule, c: SimpleCondition, add: boolean): void {
    this.version += 1;
    switch (c.type) {
      case 'price_above':
      case 'price_below':
      case 'crosses_above':
      case 'crosses_below':
      case 'crosses':
        this.entry(this.thresholds, c.value, id, add);
        break;
      case 'enters_channel':
      case 'exits_channel':
        this.entry(this.thresholds, c.lower, id, add);
        this.entry(this.thresholds, c.upper, id, add);
        break;
      case 'change_from_prev_close_pct':
        this.entry(this.change, c.percent, id, add);
        break;
      case 'moves_up_pct':
      case 'moves_down_pct': {
        const up = c.type === 'moves_up_pct';
        const key = `${c.windowSeconds}:${up ? 'up' : 'down'}`;
        let group = this.moves.get(key);
        if (group === undefined) {
          group = { windowSeconds: c.windowSeconds, up, byPercent: new SortedEntries<IndexedRule>() };
          this.moves.set(key, group);
        }
        this.entry(group.byPercent, c.percent, id, add);
        if (group.byPercent.size === 0) this.moves.delete(key);
        this.countWindow(this.windowUse.moves, c.windowSeconds, add);
        break;
      }
      case 'volume_spike': {
        let group = this.volume.get(c.windowSeconds);
        if (group === undefined) {
          group = new SortedEntries<IndexedRule>();
          this.volume.set(c.windowSeconds, group);
        }
        this.entry(group, c.multiple, id, add);
        if (group.size === 0) this.volume.delete(c.windowSeconds);
        this.countWindow(this.windowUse.volume, c.windowSeconds, add);
        break;
      }
    }
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

const partsOf = (rule: EngineRule): readonly SimpleCondition[] =>
  rule.condition.type === 'all' || rule.condition.type === 'any' ? rule.condition.conditions : [rule.condition];

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
      symbolIndex = new SymbolIndex();
      this.symbols.set(rule.symbol, symbolIndex);
    }
    const indexed: IndexedRule = { rule, stamp: -1 };
    this.rules.set(rule.id, indexed);
    symbolIndex.members.set(rule.id, indexed);
    symbolIndex.pending.add(rule.id);
    for (const part of partsOf(rule)) symbolIndex.register(indexed, part, true);
    if (rule.expiresAt !== null) pushTimer(this.expiries, rule.expiresAt, rule.id);
  }

  remove(ruleId: string): void {
    const existing = this.rules.get(ruleId);
    if (existing === undefined) return;
    this.rules.delete(ruleId);
    const symbolIndex = this.symbols.get(existing.rule.symbol);
    if (symbolIndex === undefined) return;
    for (const part of partsOf(existing.rule)) symbolIndex.register(existing, part, false);
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

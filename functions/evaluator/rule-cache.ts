/**
 * The evaluator's cache of active rules, kept across warm invocations, and the engine index over
 * it. Staleness is bounded without reading every rule every time: each symbol's item in the
 * `SYMBOLS` partition carries a `rulesVersion` that every write to an active rule of the symbol
 * bumps (API changes, claims, re-arms, expiry). At most every `checkEveryMs` the cache reads that
 * partition (one Query) and reloads only the symbols whose version moved; every symbol is
 * reloaded anyway after `maxAgeMs`. A new rule is therefore live within about `checkEveryMs`.
 */
import { RuleIndex } from '../../core/engine';
import type { EngineRule } from '../../core/engine';
import type { RuleRecord } from '../../storage/rules-repository';

/** A rule the evaluator can fire: the stored record and its engine view. */
export interface ActiveRule {
  record: RuleRecord;
  engine: EngineRule;
}

export interface RuleSource {
  /** Version of each watched symbol's rules (absent: no active rules). */
  symbolVersions(): Promise<Map<string, number>>;
  activeRules(symbol: string): Promise<RuleRecord[]>;
}

export interface RuleCacheOptions {
  checkEveryMs: number;
  maxAgeMs: number;
  /** How many symbols are reloaded at once. */
  concurrency?: number;
}

interface CachedSymbol {
  version: number;
  loadedAt: number;
  ruleIds: Set<string>;
}

export function toEngineRule(record: RuleRecord): EngineRule {
  return {
    id: record.id,
    symbol: record.symbol,
    condition: record.condition,
    trigger: record.trigger,
    cooldownSeconds: record.cooldownSeconds,
    expiresAt: record.expiresAt === null ? null : Date.parse(record.expiresAt),
    version: record.version,
    armed: record.armed,
    lastFiredAt: record.lastFiredAt ?? null,
  };
}

export class RuleCache {
  readonly index = new RuleIndex();
  private readonly rules = new Map<string, ActiveRule>();
  private readonly symbols = new Map<string, CachedSymbol>();
  private versions = new Map<string, number>();
  private versionsAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly source: RuleSource,
    private readonly options: RuleCacheOptions,
  ) {}

  get(ruleId: string): ActiveRule | undefined {
    return this.rules.get(ruleId);
  }

  get size(): number {
    return this.rules.size;
  }

  /** Makes the rules of `symbols` fresh enough to evaluate a batch at `now`. */
  async prepare(symbols: readonly string[], now: number): Promise<void> {
    if (now - this.versionsAt >= this.options.checkEveryMs) {
      this.versions = await this.source.symbolVersions();
      this.versionsAt = now;
    }
    const stale = symbols.filter((symbol) => {
      const cached = this.symbols.get(symbol);
      const version = this.versions.get(symbol) ?? 0;
      return cached === undefined || cached.version !== version || now - cached.loadedAt >= this.options.maxAgeMs;
    });
    const concurrency = this.options.concurrency ?? 16;
    for (let i = 0; i < stale.length; i += concurrency) {
      await Promise.all(stale.slice(i, i + concurrency).map((symbol) => this.reload(symbol, now)));
    }
  }

  private async reload(symbol: string, now: number): Promise<void> {
    const version = this.versions.get(symbol) ?? 0;
    const records = version === 0 ? [] : await this.source.activeRules(symbol);
    const previous = this.symbols.get(symbol)?.ruleIds ?? new Set<string>();
    const ruleIds = new Set<string>();
    for (const record of records) {
      const rule: ActiveRule = { record, engine: toEngineRule(record) };
      this.rules.set(record.id, rule);
      this.index.upsert(rule.engine);
      ruleIds.add(record.id);
    }
    for (const id of previous) {
      // A rule that moved to another symbol has been re-indexed there already.
      if (!ruleIds.has(id) && this.rules.get(id)?.record.symbol === symbol) {
        this.rules.delete(id);
        this.index.remove(id);
      }
    }
    this.symbols.set(symbol, { version, loadedAt: now, ruleIds });
  }
}

/**
 * The rules use cases behind the HTTP routes: validation, owner isolation, the webhook URL
 * policy, the read-change-write cycle with its retry when another writer got there first, and
 * the feed's verdict on each rule returned (`invalid_symbol`, `warmUp`: the feed states of a
 * page's symbols, read in one BatchGet), and the owner's symbol limit (owner-limits.ts). Plain functions over injected adapters: no middy, no
 * event shapes.
 */
import { destinationUrlOf } from '../../core/channels/registry';
import { parseWith, ruleCreateSchema, rulePatchSchema, ValidationError, type Channel, type Rule } from '../../core/rule-model';
import type { Db } from '../../storage/dynamodb-client';
import type { Page } from '../../storage/query-page';
import { isId, newId } from '../../storage/random-ids';
import {
  ConcurrentRuleChangeError,
  createRule,
  deleteRule,
  getRule,
  listRules,
  ruleListCursorAfter,
  updateRule,
  type RuleRecord,
} from '../../storage/rules-repository';
import { readOwnerSymbols } from '../../storage/owner-symbols';
import { readSymbolFeedStates, type SymbolFeedState } from '../../storage/symbols-repository';
import { notFound } from '../shared/http-errors';
import { effectiveStatus, newRuleRecord, patchedRuleRecord, toRuleResource } from './rule-changes';
import { holdsSymbol, requireSymbolRoom } from './owner-limits';
import { listRulesQuerySchema, MAX_PAGE_SIZE, parseQuery, type ListRulesQuery } from './query-schemas';

export interface RulesServiceDependencies {
  db: Db;
  ruleQuota: number;
  /** Distinct symbols an owner's active and paused rules may watch (`OWNER_SYMBOL_LIMIT`). */
  ownerSymbolLimit: number;
  /** The webhook URL policy: null when the URL may be used, else why not. */
  checkWebhookUrl: (url: string) => Promise<string | null>;
  now: () => Date;
}

export type QueryParameters = Record<string, string | undefined> | undefined;

/** Attempts of a read-change-write before giving up on a rule that keeps changing under us. */
const WRITE_ATTEMPTS = 3;

export function createRulesService(deps: RulesServiceDependencies) {
  const { db } = deps;

  async function requireAllowedWebhooks(channels: readonly Channel[] | undefined): Promise<void> {
    const problems = await Promise.all(
      (channels ?? []).map(async (channel, index) => {
        // Every channel whose destination is a URL (core/channels/registry.ts), not only webhooks.
        const target = destinationUrlOf(channel);
        return target === null ? null : { path: `channels[${index}].${target.field}`, problem: await deps.checkWebhookUrl(target.url) };
      }),
    );
    const details = problems.flatMap((p) => (p === null || p.problem === null ? [] : [{ path: p.path, message: p.problem }]));
    if (details.length > 0) throw new ValidationError(details);
  }

  /**
   * Refuses `after` when it would make the owner's active and paused rules watch one symbol more
   * than the limit. Read before the write, not inside its transaction: concurrent requests that
   * each add a new symbol may together pass the limit by their number (docs/api.md "Limits").
   */
  async function requireSymbolLimit(after: RuleRecord, before: RuleRecord | null, now: Date): Promise<void> {
    if (!holdsSymbol(effectiveStatus(after, now))) return;
    if (before !== null && before.symbol === after.symbol && holdsSymbol(effectiveStatus(before, now))) return;
    const others = await readOwnerSymbols(db, after.owner, (rule) => holdsSymbol(effectiveStatus(rule, now)), after.id);
    requireSymbolRoom(others, after.symbol, deps.ownerSymbolLimit);
  }

  /** The owner's rule, or 404 for a missing rule, another owner's rule and a malformed id alike. */
  async function requireRule(owner: string, id: string): Promise<RuleRecord> {
    const record = isId(id) ? await getRule(db, owner, id) : null;
    if (record === null) throw notFound();
    return record;
  }

  /** Reads the rule, applies `change`, and retries when the rule changed in between. */
  async function rewrite<T>(owner: string, id: string, change: (before: RuleRecord, now: Date) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const before = await requireRule(owner, id);
      try {
        return await change(before, deps.now());
      } catch (error) {
        if (!(error instanceof ConcurrentRuleChangeError) || attempt >= WRITE_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * The resources of stored rules as of `now`: the feed states of the symbols of those active as
   * of now, in one BatchGet (none when no rule is active: the others show no feed verdict).
   */
  async function withVerdicts(records: readonly RuleRecord[], now: Date): Promise<Rule[]> {
    const symbols = records.filter((record) => effectiveStatus(record, now) === 'active').map((record) => record.symbol);
    const feed = symbols.length === 0 ? new Map<string, SymbolFeedState>() : await readSymbolFeedStates(db, symbols);
    return records.map((record) => toRuleResource(record, now, feed.get(record.symbol)));
  }

  async function withVerdict(record: RuleRecord, now: Date): Promise<Rule> {
    const [rule] = await withVerdicts([record], now);
    return rule as Rule;
  }

  /**
   * A page of the rules `active` or `invalid_symbol` as of now: which of the two a rule is, is the
   * feed's verdict, known only once its symbol's state is read. So pages of the rules active as
   * stored are read, {@link MAX_PAGE_SIZE} at a time (a Query and one BatchGet each: at most
   * quota / 100 rounds), and filtered until the page is full; a page that ends inside a read page
   * continues right after its last rule.
   */
  async function listByVerdict(owner: string, query: ListRulesQuery, wanted: 'active' | 'invalid_symbol', now: Date): Promise<Page<Rule>> {
    const items: Rule[] = [];
    let cursor = query.cursor;
    for (;;) {
      const page = await listRules(db, owner, { limit: MAX_PAGE_SIZE, cursor, symbol: query.symbol, keep: (rule) => effectiveStatus(rule, now) === 'active' });
      const shown = await withVerdicts(page.items, now);
      const kept = shown.flatMap((rule, index) => (rule.status === wanted ? [{ rule, index }] : []));
      const room = query.limit - items.length;
      items.push(...kept.slice(0, room).map((entry) => entry.rule));
      const last = kept[room - 1];
      if (last !== undefined) {
        // The last page when no other kept rule follows in the page read and nothing follows it.
        const more = kept.length > room || page.nextCursor !== null;
        return { items, nextCursor: more ? ruleListCursorAfter(last.rule) : null };
      }
      if (page.nextCursor === null) return { items, nextCursor: null };
      cursor = page.nextCursor;
    }
  }

  return {
    async create(owner: string, body: unknown): Promise<Rule> {
      const input = parseWith(ruleCreateSchema, body);
      const now = deps.now();
      const record = newRuleRecord(owner, input, { id: newId(), now });
      await requireAllowedWebhooks(input.channels);
      await requireSymbolLimit(record, null, now);
      await createRule(db, record, { quota: deps.ruleQuota, now });
      return withVerdict(record, now);
    },

    async get(owner: string, id: string): Promise<Rule> {
      return withVerdict(await requireRule(owner, id), deps.now());
    },

    async list(owner: string, parameters: QueryParameters): Promise<Page<Rule>> {
      const query = parseQuery(listRulesQuerySchema, parameters);
      const now = deps.now();
      const wanted = query.status;
      if (wanted === 'active' || wanted === 'invalid_symbol') return listByVerdict(owner, query, wanted, now);
      const page = await listRules(db, owner, {
        limit: query.limit,
        cursor: query.cursor,
        symbol: query.symbol,
        keep: wanted === undefined ? undefined : (rule) => effectiveStatus(rule, now) === wanted,
      });
      return { items: await withVerdicts(page.items, now), nextCursor: page.nextCursor };
    },

    async update(owner: string, id: string, body: unknown): Promise<Rule> {
      const patch = parseWith(rulePatchSchema, body);
      await requireAllowedWebhooks(patch.channels);
      return rewrite(owner, id, async (before, now) => {
        const after = patchedRuleRecord(before, patch, now);
        await requireSymbolLimit(after, before, now);
        await updateRule(db, before, after, now);
        return withVerdict(after, now);
      });
    },

    async remove(owner: string, id: string): Promise<void> {
      await rewrite(owner, id, (before, now) => deleteRule(db, before, now));
    },
  };
}

export type RulesService = ReturnType<typeof createRulesService>;

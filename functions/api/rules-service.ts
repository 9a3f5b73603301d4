/**
 * The rules use cases behind the HTTP routes: validation, owner isolation, the webhook URL
 * policy, and the read-change-write cycle with its retry when another writer got there first.
 * Plain functions over injected adapters: no middy, no event shapes.
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
  updateRule,
  type RuleRecord,
} from '../../storage/rules-repository';
import { notFound } from '../shared/http-errors';
import { effectiveStatus, newRuleRecord, patchedRuleRecord, toRuleResource } from './rule-changes';
import { listRulesQuerySchema, parseQuery } from './query-schemas';

export interface RulesServiceDependencies {
  db: Db;
  ruleQuota: number;
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

  return {
    async create(owner: string, body: unknown): Promise<Rule> {
      const input = parseWith(ruleCreateSchema, body);
      const now = deps.now();
      const record = newRuleRecord(owner, input, { id: newId(), now });
      await requireAllowedWebhooks(input.channels);
      await createRule(db, record, { quota: deps.ruleQuota, now });
      return toRuleResource(record, now);
    },

    async get(owner: string, id: string): Promise<Rule> {
      return toRuleResource(await requireRule(owner, id), deps.now());
    },

    async list(owner: string, parameters: QueryParameters): Promise<Page<Rule>> {
      const query = parseQuery(listRulesQuerySchema, parameters);
      const now = deps.now();
      const page = await listRules(db, owner, {
        limit: query.limit,
        cursor: query.cursor,
        symbol: query.symbol,
        keep: query.status === undefined ? undefined : (rule) => effectiveStatus(rule, now) === query.status,
      });
      return { items: page.items.map((record) => toRuleResource(record, now)), nextCursor: page.nextCursor };
    },

    async update(owner: string, id: string, body: unknown): Promise<Rule> {
      const patch = parseWith(rulePatchSchema, body);
      await requireAllowedWebhooks(patch.channels);
      return rewrite(owner, id, async (before, now) => {
        const after = patchedRuleRecord(before, patch, now);
        await updateRule(db, before, after, now);
        return toRuleResource(after, now);
      });
    },

    async remove(owner: string, id: string): Promise<void> {
      await rewrite(owner, id, (before, now) => deleteRule(db, before, now));
    },
  };
}

export type RulesService = ReturnType<typeof createRulesService>;

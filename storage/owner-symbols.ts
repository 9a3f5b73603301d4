/**
 * The distinct symbols of an owner's rules, for its symbol limit (functions/api/owner-limits.ts)
 * and for what `GET /health` tells the owner (functions/health/owner-usage.ts): one consistent
 * Query of the owner's rules, paged, at most RULE_QUOTA items (a few pages). Kept apart from
 * rules-repository.ts because these are a limit's reads.
 */
import type { Db } from './dynamodb-client';
import { listRules, type RuleRecord } from './rules-repository';

/** Page size of the read: DynamoDB's 1 MB page holds far more rules than this. */
const PAGE = 500;

/**
 * The distinct symbols of the owner's rules that `counts` keeps, leaving out the rule `exceptRuleId`
 * (the one being changed).
 */
export async function readOwnerSymbols(
  db: Db,
  owner: string,
  counts: (rule: RuleRecord) => boolean,
  exceptRuleId?: string,
): Promise<Set<string>> {
  const symbols = new Set<string>();
  for await (const rule of ownerRules(db, owner, (r) => r.id !== exceptRuleId && counts(r))) symbols.add(rule.symbol);
  return symbols;
}

/** In one read: the symbols of all the owner's rules (whatever their status), and those of the rules `counts` keeps. */
export async function readOwnerSymbolUse(db: Db, owner: string, counts: (rule: RuleRecord) => boolean): Promise<{ all: Set<string>; counted: Set<string> }> {
  const all = new Set<string>();
  const counted = new Set<string>();
  for await (const rule of ownerRules(db, owner)) {
    all.add(rule.symbol);
    if (counts(rule)) counted.add(rule.symbol);
  }
  return { all, counted };
}

/** The owner's rules that `keep` keeps (all when unset), page by page. */
async function* ownerRules(db: Db, owner: string, keep?: (rule: RuleRecord) => boolean): AsyncGenerator<RuleRecord> {
  let cursor: string | undefined;
  for (;;) {
    const page = await listRules(db, owner, { limit: PAGE, cursor, ...(keep === undefined ? {} : { keep }) });
    yield* page.items;
    if (page.nextCursor === null) return;
    cursor = page.nextCursor;
  }
}

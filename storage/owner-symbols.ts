/**
 * The distinct symbols of an owner's rules that count against its symbol limit
 * (functions/api/owner-limits.ts): one consistent Query of the owner's rules, paged, at most
 * RULE_QUOTA items (a few pages). Kept apart from rules-repository.ts because it is a limit's read.
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
  let cursor: string | undefined;
  for (;;) {
    const page = await listRules(db, owner, { limit: PAGE, cursor, keep: (rule) => rule.id !== exceptRuleId && counts(rule) });
    for (const rule of page.items) symbols.add(rule.symbol);
    if (page.nextCursor === null) return symbols;
    cursor = page.nextCursor;
  }
}

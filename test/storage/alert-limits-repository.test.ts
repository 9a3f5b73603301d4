/**
 * The owner's alerts-per-minute item on DynamoDB Local: exact under evaluators racing on one
 * minute, idempotent for a retried batch, one notice carrier per minute, minutes and owners apart.
 */
import { describe, expect, it } from 'vitest';
import { admitOwnerAlerts } from '../../storage/alert-limits-repository';
import { uniqueOwner, useDynamoDbTable } from '../support/dynamodb';

const table = useDynamoDbTable();
const MINUTE = '2026-03-02T14:30';
const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('admitOwnerAlerts', () => {
  it('admits exactly the limit when four evaluators race on one minute, with one notice', async () => {
    const owner = uniqueOwner('race');
    const answers = await Promise.all(['a', 'b', 'c', 'd'].map((p) => admitOwnerAlerts(table.db, owner, MINUTE, ids(p, 4), 10)));
    const decisions = answers.flatMap((answer) => [...answer.values()]);
    expect(decisions.filter((d) => d === 'admitted')).toHaveLength(10);
    expect(decisions.filter((d) => d === 'notice')).toHaveLength(1);
    expect(decisions.filter((d) => d === 'held')).toHaveLength(5);
  });

  it('answers a retried batch as the first time, counting nothing twice', async () => {
    const owner = uniqueOwner('retry');
    const first = await admitOwnerAlerts(table.db, owner, MINUTE, ids('x', 4), 3);
    const again = await admitOwnerAlerts(table.db, owner, MINUTE, ids('x', 4), 3);
    expect([...again]).toEqual([...first]);
    expect([...first.values()]).toEqual(['admitted', 'admitted', 'admitted', 'notice']);
    // A new alert in the same minute is held without a second notice; the next minute starts afresh.
    expect([...(await admitOwnerAlerts(table.db, owner, MINUTE, ['y'], 3)).values()]).toEqual(['held']);
    expect([...(await admitOwnerAlerts(table.db, owner, '2026-03-02T14:31', ['z'], 3)).values()]).toEqual(['admitted']);
    expect([...(await admitOwnerAlerts(table.db, uniqueOwner('other'), MINUTE, ['y'], 3)).values()]).toEqual(['admitted']);
  });
});

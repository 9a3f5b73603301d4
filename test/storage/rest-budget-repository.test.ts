/**
 * The REST budget item on DynamoDB Local: a rolling window of grants shared by every process
 * (several budgets on one item play several evaluator instances), exact under concurrent takes,
 * a 429's pause stored for everyone, and an item named by a hash, never by the token.
 */
import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoRestBudgetStore, RestBudget, restBudgetTokenHash } from '../../functions/shared/itick-rest';
import { pauseRestBudget, readRestBudget, takeRestSlot } from '../../storage/rest-budget-repository';
import { useDynamoDbTable } from '../support/dynamodb';

const table = useDynamoDbTable();
const WINDOW = { limit: 5, windowMs: 60_000 };
const T = Date.UTC(2026, 11, 4, 15);
const freshHash = () => restBudgetTokenHash(`token-${randomUUID()}`);

describe('takeRestSlot', () => {
  it('grants the limit in a rolling minute, then says when the oldest grant leaves it', async () => {
    const hash = freshHash();
    for (let i = 0; i < 5; i += 1) expect(await takeRestSlot(table.db, hash, WINDOW, T + i * 10_000)).toMatchObject({ granted: true });
    expect(await takeRestSlot(table.db, hash, WINDOW, T + 50_000)).toEqual({ granted: false, retryAt: T + 60_000, why: 'spent' });
    expect(await takeRestSlot(table.db, hash, WINDOW, T + 60_000)).toMatchObject({ granted: true });
    expect(await takeRestSlot(table.db, hash, WINDOW, T + 60_001)).toEqual({ granted: false, retryAt: T + 70_000, why: 'spent' });
  });

  it('grants exactly the limit to many processes asking at the same moment', async () => {
    const hash = freshHash();
    const decisions = await Promise.all(Array.from({ length: 20 }, () => takeRestSlot(table.db, hash, WINDOW, T)));
    expect(decisions.filter((d) => d.granted)).toHaveLength(5);
    expect((await readRestBudget(table.db, hash))?.grants).toHaveLength(5);
  });

  it('holds every process during a stored pause; a shorter pause does not shorten it', async () => {
    const hash = freshHash();
    await pauseRestBudget(table.db, hash, T + 30_000, T);
    await pauseRestBudget(table.db, hash, T + 10_000, T);
    expect(await takeRestSlot(table.db, hash, WINDOW, T + 20_000)).toEqual({ granted: false, retryAt: T + 30_000, why: 'paused' });
    expect(await takeRestSlot(table.db, hash, WINDOW, T + 30_000)).toMatchObject({ granted: true });
  });
});

describe('RestBudget on the table', () => {
  it('is one budget for every process with the token: ten instances asking at once get five calls', async () => {
    const hash = freshHash();
    const instances = Array.from({ length: 10 }, () => new RestBudget(dynamoRestBudgetStore(table.db, async () => hash, WINDOW), { perMinute: 5 }));
    const answers = await Promise.all(instances.flatMap((budget) => [budget.acquire(0), budget.acquire(0)]));
    expect(answers.filter((a) => a.granted)).toHaveLength(5);
  });

  it('keys the item by a hash of the token; the token is stored nowhere', async () => {
    const token = `secret-${randomUUID()}`;
    const budget = new RestBudget(dynamoRestBudgetStore(table.db, async () => restBudgetTokenHash(token), WINDOW), { perMinute: 5 });
    await budget.acquire(0);
    await budget.pause(Date.now() + 1000);
    const { Items = [] } = await table.db.doc.send(new ScanCommand({ TableName: table.tableName }));
    const budgets = Items.filter((item) => String(item.PK).startsWith('RESTBUDGET#'));
    expect(budgets.some((item) => item.PK === `RESTBUDGET#${restBudgetTokenHash(token)}`)).toBe(true);
    expect(JSON.stringify(Items)).not.toContain(token);
    expect(budgets.every((item) => typeof item.ttl === 'number')).toBe(true);
  });
});

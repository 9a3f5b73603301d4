/**
 * The notifier's side of an alert record on DynamoDB Local: the lease that lets one worker at a
 * time send a delivery, and the recorded outcome. Alerts are written by the evaluator's claim
 * (storage/trigger-state-repository.ts), as in production.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { alertSchema, type Alert } from '../../core/rule-model';
import { alertKeyOf, getAlert, listAlerts } from '../../storage/alerts-repository';
import { finishDelivery, getDeliverableAlert, leaseDelivery } from '../../storage/deliveries-repository';
import { createRule } from '../../storage/rules-repository';
import { claimAlert } from '../../storage/trigger-state-repository';
import { alert as anAlert, ruleRecord, T0 } from '../support/api-fixtures';
import { uniqueOwner, useDynamoDbTable } from '../support/dynamodb';

const table = useDynamoDbTable();
const NOW = T0.getTime();
const LEASE_MS = 60_000;

/** A claimed alert with an email and a webhook delivery, both pending. */
async function aClaimedAlert() {
  const owner = uniqueOwner();
  const rule = ruleRecord(owner, {
    channels: [
      { type: 'email', to: 'me@example.com' },
      { type: 'webhook', url: 'https://example.com/hook' },
    ],
    note: 'check the news',
  });
  await createRule(table.db, rule, { quota: 100, now: T0 });
  const alert: Alert = anAlert({ ruleId: rule.id, triggeredAt: T0.toISOString() });
  const claim = await claimAlert(table.db, { record: rule, alert, firedAt: NOW, armed: false, consumed: false, fromPos: 1, toPos: 2, now: T0 });
  expect(claim).toEqual({ status: 'claimed' });
  return { owner, rule, alert, key: alertKeyOf(alert) };
}

describe('deliveries repository', () => {
  it('leases a pending delivery with everything the notifier needs: the alert, its channels and note at firing time, its owner', async () => {
    const { owner, rule, alert, key } = await aClaimedAlert();

    expect(await leaseDelivery(table.db, owner, key, 1, NOW, LEASE_MS)).toEqual({
      status: 'leased',
      alert: { owner, alert, channels: rule.channels, note: 'check the news' },
    });
  });

  it('refuses a second lease while the first is live (busy), per delivery', async () => {
    const { owner, key } = await aClaimedAlert();
    await leaseDelivery(table.db, owner, key, 0, NOW, LEASE_MS);

    expect(await leaseDelivery(table.db, owner, key, 0, NOW + 1_000, LEASE_MS)).toEqual({ status: 'busy' });
    expect(await leaseDelivery(table.db, owner, key, 0, NOW + LEASE_MS, LEASE_MS)).toEqual({ status: 'busy' });
    expect(await leaseDelivery(table.db, owner, key, 1, NOW + 1_000, LEASE_MS)).toMatchObject({ status: 'leased' });
  });

  it('lets another worker take a lease that expired (its holder died)', async () => {
    const { owner, key } = await aClaimedAlert();
    await leaseDelivery(table.db, owner, key, 0, NOW, LEASE_MS);

    expect(await leaseDelivery(table.db, owner, key, 0, NOW + LEASE_MS + 1, LEASE_MS)).toMatchObject({ status: 'leased' });
    expect(await leaseDelivery(table.db, owner, key, 0, NOW + LEASE_MS + 2, LEASE_MS)).toEqual({ status: 'busy' });
  });

  it('gives the lease back with a retryable outcome: the delivery stays pending, with its attempts and error, and can be leased again', async () => {
    const { owner, key } = await aClaimedAlert();
    await leaseDelivery(table.db, owner, key, 0, NOW, LEASE_MS);

    await finishDelivery(table.db, owner, key, 0, { status: 'pending', attempts: 1, error: 'SES answered 503' });

    expect((await getAlert(table.db, owner, key))?.deliveries[0]).toEqual({ channel: 'email', status: 'pending', attempts: 1, error: 'SES answered 503' });
    expect(await leaseDelivery(table.db, owner, key, 0, NOW + 1, LEASE_MS)).toMatchObject({ status: 'leased' });
  });

  it('answers done for a delivery that was sent or failed, and clears the last error on success', async () => {
    const { owner, key } = await aClaimedAlert();
    await leaseDelivery(table.db, owner, key, 0, NOW, LEASE_MS);
    await finishDelivery(table.db, owner, key, 0, { status: 'pending', attempts: 1, error: 'SES answered 503' });
    await leaseDelivery(table.db, owner, key, 0, NOW, LEASE_MS);
    await finishDelivery(table.db, owner, key, 0, { status: 'sent', attempts: 2 });
    await leaseDelivery(table.db, owner, key, 1, NOW, LEASE_MS);
    await finishDelivery(table.db, owner, key, 1, { status: 'failed', attempts: 1, error: 'webhook answered HTTP 404 Not Found' });

    expect(await leaseDelivery(table.db, owner, key, 0, NOW + 2 * LEASE_MS, LEASE_MS)).toEqual({ status: 'done' });
    expect(await leaseDelivery(table.db, owner, key, 1, NOW + 2 * LEASE_MS, LEASE_MS)).toEqual({ status: 'done' });
    expect((await getAlert(table.db, owner, key))?.deliveries).toEqual([
      { channel: 'email', status: 'sent', attempts: 2 },
      { channel: 'webhook', status: 'failed', attempts: 1, error: 'webhook answered HTTP 404 Not Found' },
    ]);
  });

  it('answers missing for an alert or a delivery position that does not exist', async () => {
    const { owner, key } = await aClaimedAlert();

    expect(await leaseDelivery(table.db, owner, 'ALERT#2026-03-02T14:30:00.000Z#nope', 0, NOW, LEASE_MS)).toEqual({ status: 'missing' });
    expect(await leaseDelivery(table.db, owner, key, 2, NOW, LEASE_MS)).toEqual({ status: 'missing' });
    expect(await getDeliverableAlert(table.db, owner, 'ALERT#2026-03-02T14:30:00.000Z#nope')).toBeNull();
  });

  it('refuses to record an outcome for an alert that is gone', async () => {
    const { owner } = await aClaimedAlert();

    await expect(finishDelivery(table.db, owner, 'ALERT#2026-03-02T14:30:00.000Z#nope', 0, { status: 'sent', attempts: 1 })).rejects.toBeInstanceOf(
      ConditionalCheckFailedException,
    );
  });

  it('records each delivery’s outcome by channel position', async () => {
    const { owner, key } = await aClaimedAlert();

    await finishDelivery(table.db, owner, key, 1, { status: 'failed', attempts: 2, error: 'HTTP 503' });
    expect((await getAlert(table.db, owner, key))?.deliveries).toEqual([
      { channel: 'email', status: 'pending', attempts: 0 },
      { channel: 'webhook', status: 'failed', attempts: 2, error: 'HTTP 503' },
    ]);

    await finishDelivery(table.db, owner, key, 1, { status: 'sent', attempts: 3 });
    expect((await getAlert(table.db, owner, key))?.deliveries[1]).toEqual({ channel: 'webhook', status: 'sent', attempts: 3 });
  });

  it('refuses an outcome for a channel position or an owner the alert does not have', async () => {
    const { owner, alert, key } = await aClaimedAlert();

    await expect(finishDelivery(table.db, owner, key, 2, { status: 'sent', attempts: 1 })).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    await expect(finishDelivery(table.db, uniqueOwner(), key, 0, { status: 'sent', attempts: 1 })).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    expect(await getAlert(table.db, owner, key)).toEqual(alert);
    await expect(finishDelivery(table.db, owner, key, -1, { status: 'sent', attempts: 1 })).rejects.toThrow(RangeError);
    await expect(leaseDelivery(table.db, owner, key, -1, NOW, LEASE_MS)).rejects.toThrow(RangeError);
  });

  it('never shows a lease in the alert resource that GET /alerts lists', async () => {
    const { owner, alert, key } = await aClaimedAlert();
    await leaseDelivery(table.db, owner, key, 0, NOW, LEASE_MS);
    await leaseDelivery(table.db, owner, key, 1, NOW, LEASE_MS);

    const { items } = await listAlerts(table.db, owner, { limit: 10 });
    expect(items).toEqual([alert]);
    expect(alertSchema.safeParse(items[0]).success).toBe(true);
    expect(await getAlert(table.db, owner, key)).toEqual(alert);
  });
});

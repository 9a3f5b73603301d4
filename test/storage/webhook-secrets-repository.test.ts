/** Webhook secret rotation on DynamoDB Local: the grace period during which both secrets sign. */
import { describe, expect, it } from 'vitest';
import { createApiKey } from '../../storage/api-keys-repository';
import { getOwnerProfile } from '../../storage/owners-repository';
import { rotateWebhookSecret, signingSecretsOf, webhookSigningSecrets } from '../../storage/webhook-secrets-repository';
import { T0 } from '../support/api-fixtures';
import { uniqueOwner, useDynamoDbTable } from '../support/dynamodb';

const table = useDynamoDbTable();
const HOUR = 3_600_000;
const at = (ms: number) => new Date(T0.getTime() + ms);

describe('webhook secrets repository', () => {
  it('signs with the new and the old secret during the grace period, then with the new one only', async () => {
    const owner = uniqueOwner();
    const { webhookSecret: first } = await createApiKey(table.db, { owner, now: T0 });
    expect(await webhookSigningSecrets(table.db, owner, T0)).toEqual([first]);

    const rotated = await rotateWebhookSecret(table.db, owner, { now: T0, graceMs: 24 * HOUR });
    expect(rotated).toEqual({ owner, secret: expect.stringMatching(/^[\w-]{43}$/), previousValidUntil: at(24 * HOUR).toISOString() });
    expect(rotated?.secret).not.toBe(first);

    expect(await webhookSigningSecrets(table.db, owner, at(HOUR))).toEqual([rotated?.secret, first]);
    expect(await webhookSigningSecrets(table.db, owner, at(24 * HOUR - 1))).toEqual([rotated?.secret, first]);
    expect(await webhookSigningSecrets(table.db, owner, at(24 * HOUR))).toEqual([rotated?.secret]);
    // The profile's current secret (what the rest of the code reads) is the new one; the rule count is untouched.
    expect(await getOwnerProfile(table.db, owner)).toMatchObject({ webhookSecret: rotated?.secret, ruleCount: 0 });
  });

  it('keeps only two secrets: a second rotation inside the grace period drops the oldest', async () => {
    const owner = uniqueOwner();
    const { webhookSecret: first } = await createApiKey(table.db, { owner, now: T0 });
    const second = await rotateWebhookSecret(table.db, owner, { now: T0, graceMs: 24 * HOUR });
    const third = await rotateWebhookSecret(table.db, owner, { now: at(HOUR), graceMs: 2 * HOUR });

    const secrets = await webhookSigningSecrets(table.db, owner, at(2 * HOUR));
    expect(secrets).toEqual([third?.secret, second?.secret]);
    expect(secrets).not.toContain(first);
    expect(await webhookSigningSecrets(table.db, owner, at(3 * HOUR))).toEqual([third?.secret]);
  });

  it('with no grace period, the old secret stops at once', async () => {
    const owner = uniqueOwner();
    await createApiKey(table.db, { owner, now: T0 });
    await rotateWebhookSecret(table.db, owner, { now: T0, graceMs: 24 * HOUR });
    const rotated = await rotateWebhookSecret(table.db, owner, { now: T0, graceMs: 0 });

    expect(rotated?.previousValidUntil).toBeNull();
    expect(await webhookSigningSecrets(table.db, owner, T0)).toEqual([rotated?.secret]);
  });

  it('rotates nothing for an owner without a secret, and signs with nothing', async () => {
    const owner = uniqueOwner();
    expect(await rotateWebhookSecret(table.db, owner, { now: T0, graceMs: HOUR })).toBeNull();
    expect(await webhookSigningSecrets(table.db, owner, T0)).toEqual([]);
    await expect(rotateWebhookSecret(table.db, owner, { now: T0, graceMs: -1 })).rejects.toThrow('non-negative');
  });

  it('ignores a previous secret with an unreadable end, or equal to the current one', () => {
    expect(signingSecretsOf({ webhookSecret: 'a', previousWebhookSecret: 'b', previousWebhookSecretUntil: 'soon' }, T0)).toEqual(['a']);
    expect(signingSecretsOf({ webhookSecret: 'a', previousWebhookSecret: 'a', previousWebhookSecretUntil: at(HOUR).toISOString() }, T0)).toEqual(['a']);
    expect(signingSecretsOf({ previousWebhookSecret: 'b', previousWebhookSecretUntil: at(HOUR).toISOString() }, T0)).toEqual([]);
  });
});

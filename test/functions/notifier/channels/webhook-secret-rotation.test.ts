/**
 * Webhook secret rotation end to end: the owner's secrets on DynamoDB Local, the real webhook
 * sender and a receiver on 127.0.0.1; a manual clock stands for the hours of the grace period.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runKeysCommand } from '../../../../cli/keys-command';
import { WebhookSender, type WebhookTargetPolicy } from '../../../../functions/notifier/channels/webhook-sender';
import { verifyWebhookSignature } from '../../../../functions/notifier/channels/webhook-signature';
import { webhookSigningSecrets } from '../../../../storage/webhook-secrets-repository';
import { T0 } from '../../../support/api-fixtures';
import { manualClock } from '../../../support/delivery-clocks';
import { aDeliverable } from '../../../support/delivery-fixtures';
import { uniqueOwner, useDynamoDbTable } from '../../../support/dynamodb';
import { startWebhookReceiver, type WebhookReceiver } from '../../../support/delivery-webhook-receiver';

const table = useDynamoDbTable();
const HOUR = 3_600_000;
let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

/** The test double of webhook-url-policy: every host is the loopback receiver. */
const loopbackPolicy: WebhookTargetPolicy = async () => ({ addresses: [{ address: '127.0.0.1', family: 4 }] });

async function keys(...argv: string[]): Promise<string[]> {
  const lines: string[] = [];
  await runKeysCommand(argv, { db: table.db, now: () => T0, print: (line) => lines.push(line) });
  return lines;
}

describe('webhook secret rotation', () => {
  it('sends both signatures during the grace period, and only the new one after it', async () => {
    const owner = uniqueOwner();
    const [, , , oldSecret = ''] = await keys('create', '--owner', owner);
    const [announcement, newSecret = ''] = await keys('rotate-secret', '--owner', owner, '--grace-hours', '24');
    expect(announcement).toBe(`New webhook signing secret for ${owner} (shown only now); webhooks carry both signatures until ${new Date(T0.getTime() + 24 * HOUR).toISOString()}:`);

    receiver = await startWebhookReceiver();
    const clock = manualClock(T0.getTime() + HOUR);
    const sender = new WebhookSender({ policy: loopbackPolicy, secretOf: (o, now) => webhookSigningSecrets(table.db, o, now), clock, timeoutMs: 2_000 });
    const hook = { type: 'webhook', url: `http://127.0.0.1:${receiver.port}/hook` } as const;
    const alert = { ...aDeliverable(), owner };

    expect(await sender.send(hook, alert)).toEqual({ ok: true });
    const during = receiver.requests[0];
    const duringHeader = String(during?.headers['x-signature']);
    expect(duringHeader).toMatch(/^sha256=[0-9a-f]{64}, sha256=[0-9a-f]{64}$/);
    // A receiver still on the old secret and one already on the new secret both accept it.
    expect(verifyWebhookSignature(during?.body ?? '', duringHeader, oldSecret)).toBe(true);
    expect(verifyWebhookSignature(during?.body ?? '', duringHeader, newSecret)).toBe(true);

    await clock.sleep(24 * HOUR);
    expect(await sender.send(hook, alert)).toEqual({ ok: true });
    const after = receiver.requests[1];
    const afterHeader = String(after?.headers['x-signature']);
    expect(afterHeader).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(after?.body ?? '', afterHeader, newSecret)).toBe(true);
    expect(verifyWebhookSignature(after?.body ?? '', afterHeader, oldSecret)).toBe(false);
  });
});

/**
 * Message bounds through the real senders and local stand-ins: the largest alert a valid rule can
 * produce (test/support/largest-alert.ts) is delivered, never refused, on Telegram (the Bot API
 * stand-in refuses a text over 4096 characters as Telegram does), by email (local SES) and by
 * webhook (a loopback receiver): each cut with an ellipsis within its channel's limit.
 */
import { SESClient } from '@aws-sdk/client-ses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmailSender } from '../../../../functions/notifier/channels/email-sender';
import { TelegramSender } from '../../../../functions/notifier/channels/telegram-sender';
import { WebhookSender, type WebhookTargetPolicy } from '../../../../functions/notifier/channels/webhook-sender';
import { verifyWebhookSignature } from '../../../../functions/notifier/channels/webhook-signature';
import { ELLIPSIS } from '../../../../functions/notifier/channels/text-limits';
import { startSesServer, type SesServer } from '../../../../local/ses-server';
import { startTelegramStandIn, type TelegramStandIn } from '../../../../local/telegram-stand-in';
import { fastClock } from '../../../support/delivery-clocks';
import { startWebhookReceiver, type WebhookReceiver } from '../../../support/delivery-webhook-receiver';
import { largestAcceptedAlert } from '../../../support/largest-alert';
import { LOCAL_AWS } from '../../../support/local-aws';

const { deliverable } = largestAcceptedAlert();
const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const SECRET = 'bWVzc2FnZS1ib3VuZHMtdGVzdC1zZWNyZXQtMzJieXRlcw';
const clock = fastClock(50);

let telegram: TelegramStandIn;
let ses: SesServer;
let sesClient: SESClient;
let receiver: WebhookReceiver;

beforeAll(async () => {
  [telegram, ses, receiver] = await Promise.all([startTelegramStandIn({ now: () => clock.now() }), startSesServer(), startWebhookReceiver()]);
  sesClient = new SESClient({ ...LOCAL_AWS, endpoint: ses.endpoint, maxAttempts: 1 });
});
afterAll(async () => {
  sesClient.destroy();
  await Promise.all([telegram.close(), ses.stop(), receiver.close()]);
});

describe('the largest alert a rule can produce, through the senders', () => {
  it('reaches Telegram cut to 4096 characters, not refused as too long', async () => {
    const sender = new TelegramSender({ botToken: TOKEN, apiBase: telegram.apiBase, clock, random: () => 0.5 });
    expect(await sender.send({ type: 'telegram', chatId: '777001' }, deliverable)).toEqual({ ok: true });
    const [message] = telegram.messagesTo('777001');
    expect(message?.text.length).toBeLessThanOrEqual(4096);
    expect([...(message?.plainText ?? '')].length).toBeLessThanOrEqual(4096);
    expect(message?.plainText).toContain(ELLIPSIS);
    expect(message?.plainText.endsWith(`rule ${deliverable.alert.ruleId}`)).toBe(true);
  });

  it('reaches the mailbox with a subject of at most 200 characters', async () => {
    const sender = new EmailSender({ ses: sesClient, from: 'alerts@localhost' });
    expect(await sender.send({ type: 'email', to: 'trader@example.com' }, deliverable)).toEqual({ ok: true });
    const [mail] = await ses.readMail();
    expect(mail?.subject.length).toBeLessThanOrEqual(200);
    expect(mail?.subject.endsWith(ELLIPSIS)).toBe(true);
  });

  it('reaches the webhook receiver in at most 64 KiB, valid JSON, signed over the bytes sent', async () => {
    const loopback: WebhookTargetPolicy = async () => ({ addresses: [{ address: '127.0.0.1', family: 4 }] });
    const sender = new WebhookSender({ policy: loopback, secretOf: async () => SECRET, timeoutMs: 2_000, clock, random: () => 0.5 });
    expect(await sender.send({ type: 'webhook', url: `http://127.0.0.1:${receiver.port}/hook` }, deliverable)).toEqual({ ok: true });
    const [request] = receiver.requests;
    const body = request?.body ?? Buffer.alloc(0);
    console.log(`webhook body of the largest alert: ${body.length} of ${64 * 1024} bytes`);
    expect(body.length).toBeLessThanOrEqual(64 * 1024);
    expect((JSON.parse(body.toString('utf8')) as { message: string }).message.endsWith(ELLIPSIS)).toBe(true);
    expect(verifyWebhookSignature(body, request?.headers['x-signature'], SECRET)).toBe(true);
  });
});

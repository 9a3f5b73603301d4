import { SendEmailCommand, SESClient, SESServiceException } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { classifySesError, EmailSender } from '../../../../functions/notifier/channels/email-sender';
import { startSesServer, type SesServer } from '../../../../local/ses-server';
import { LOCAL_AWS } from '../../../support/local-aws';
import { aDeliverable, HOSTILE_TEXT } from '../../../support/delivery-fixtures';

let ses: SesServer;
let client: SESClient;

beforeAll(async () => {
  ses = await startSesServer();
  client = new SESClient({ ...LOCAL_AWS, endpoint: ses.endpoint, maxAttempts: 1 });
});
afterAll(async () => {
  client.destroy();
  await ses.stop();
});
beforeEach(() => ses.clearMail());

const email = { type: 'email', to: 'trader@example.com' } as const;

describe('the email sender, against the local SES', () => {
  it('sends one email from the configured sender with subject, text and HTML bodies', async () => {
    const sender = new EmailSender({ ses: client, from: 'alerts@localhost' });
    expect(await sender.send(email, aDeliverable({ note: 'sell half' }))).toEqual({ ok: true });

    const [mail, ...others] = await ses.readMail();
    expect(others).toEqual([]);
    expect(mail).toMatchObject({
      from: 'alerts@localhost',
      destination: { to: ['trader@example.com'] },
      subject: 'AAPL$US crossed above 200 — 200.5',
    });
    expect(mail?.body.text).toContain('Note:      sell half');
    expect(mail?.body.text).toContain('rule R1b2C3d4E5f6G7h8I9j0K1');
    expect(mail?.body.html).toContain('<!DOCTYPE html>');
    expect(mail?.body.html).toContain('rule R1b2C3d4E5f6G7h8I9j0K1');
  });

  it('delivers user text verbatim in the text body and escaped in the HTML body', async () => {
    await new EmailSender({ ses: client, from: 'alerts@localhost' }).send(email, aDeliverable({ message: HOSTILE_TEXT, note: HOSTILE_TEXT }));
    const [mail] = await ses.readMail();
    expect(mail?.body.text?.split('\n')[0]).toBe(HOSTILE_TEXT);
    expect(mail?.body.html).not.toContain('<script>');
    expect(mail?.body.html).toContain('&lt;script&gt;');
  });

  it('reports an unreachable SES as retryable', async () => {
    const down = new SESClient({ ...LOCAL_AWS, endpoint: 'http://127.0.0.1:1', maxAttempts: 1 });
    const result = await new EmailSender({ ses: down, from: 'alerts@localhost' }).send(email, aDeliverable());
    expect(result).toMatchObject({ ok: false, retryable: true, error: expect.stringMatching(/^SES unreachable/) });
    down.destroy();
  });
});

describe('SES errors', () => {
  const sesError = (name: string, status: number, message = 'boom') =>
    new SESServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message });

  it.each([
    ['Throttling', 400, 'Maximum sending rate exceeded.'],
    ['ServiceUnavailable', 503, 'Service unavailable'],
    ['InternalFailure', 500, 'internal'],
    ['SomethingNew', 502, 'bad gateway'],
  ])('treats %s (HTTP %i) as retryable', async (name, status, message) => {
    const mock = mockClient(SESClient);
    mock.on(SendEmailCommand).rejects(sesError(name, status, message));
    const result = await new EmailSender({ ses: new SESClient(LOCAL_AWS), from: 'alerts@example.com' }).send(email, aDeliverable());
    expect(result).toEqual({ ok: false, retryable: true, error: `SES ${name} (HTTP ${status}): ${message}` });
    mock.restore();
  });

  it.each([
    ['MessageRejected', 400, 'Email address is not verified.'],
    ['InvalidParameterValue', 400, "Missing final '@domain'"],
    ['MailFromDomainNotVerifiedException', 400, 'not verified'],
    ['AccountSendingPausedException', 400, 'paused'],
  ])('treats %s as not retryable', (name, status, message) => {
    expect(classifySesError(sesError(name, status, message))).toEqual({ ok: false, retryable: false, error: `SES ${name} (HTTP ${status}): ${message}` });
  });

  it('treats an unknown 4xx as not retryable and an answerless failure as retryable', () => {
    expect(classifySesError(sesError('AccessDenied', 403))).toMatchObject({ retryable: false });
    expect(classifySesError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toEqual({
      ok: false,
      retryable: true,
      error: 'SES unreachable (ECONNRESET): socket hang up',
    });
  });
});

import { createServer } from 'node:net';
import { SendEmailCommand, SESClient } from '@aws-sdk/client-ses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSesServer, type SesServer } from '../../local/ses-server';
import { LOCAL_AWS } from '../support/local-aws';

let ses: SesServer;
beforeAll(async () => {
  ses = await startSesServer();
});
afterAll(() => ses.stop());

const send = (client: SESClient, subject: string) =>
  client.send(
    new SendEmailCommand({
      Source: 'alerts@localhost',
      Destination: { ToAddresses: ['me@example.com'] },
      Message: { Subject: { Data: subject, Charset: 'UTF-8' }, Body: { Text: { Data: 'text body' }, Html: { Data: '<p>html body</p>' } } },
    }),
  );

describe('the local SES server', () => {
  it('takes SendEmail from the real SES client and keeps the mail for readMail', async () => {
    await ses.clearMail();
    const client = new SESClient({ ...LOCAL_AWS, endpoint: ses.endpoint });
    const { MessageId } = await send(client, 'AAPL$US crossed above 200 — 200.5');
    expect(await ses.readMail()).toEqual([
      expect.objectContaining({
        messageId: MessageId,
        from: 'alerts@localhost',
        destination: { to: ['me@example.com'], cc: [], bcc: [] },
        subject: 'AAPL$US crossed above 200 — 200.5',
        body: { text: 'text body', html: '<p>html body</p>' },
      }),
    ]);
    await ses.clearMail();
    expect(await ses.readMail()).toEqual([]);
    client.destroy();
  });

  it('serves the web page that lists the mail', async () => {
    const page = await fetch(ses.webPageUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('frees its port on stop, even with a client connection kept alive', async () => {
    const other = await startSesServer();
    const client = new SESClient({ ...LOCAL_AWS, endpoint: other.endpoint });
    await send(client, 'keep-alive');
    await other.stop();
    await other.stop();
    const rebound = createServer();
    await new Promise<void>((resolve, reject) => rebound.once('error', reject).listen(other.port, '127.0.0.1', resolve));
    await new Promise((resolve) => rebound.close(resolve));
    client.destroy();
  });

  it('says clearly when the port is taken', async () => {
    await expect(startSesServer({ port: ses.port })).rejects.toThrow(/could not listen on 127\.0\.0\.1:\d+ \(is the port in use\?\)/);
  });
});

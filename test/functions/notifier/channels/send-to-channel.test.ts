import { describe, expect, it } from 'vitest';
import { sendToChannel, type ChannelSenders } from '../../../../functions/notifier/channels';
import type { Channel } from '../../../../core/rule-model';
import { aNotification } from '../../../support/delivery-fixtures';

function recordingSenders(telegram = true) {
  const calls: string[] = [];
  const sender = (name: string) => ({
    send: async (channel: Channel) => {
      calls.push(`${name}:${JSON.stringify(channel)}`);
      return { ok: true } as const;
    },
  });
  const senders: ChannelSenders = { email: sender('email'), telegram: telegram ? sender('telegram') : null, webhook: sender('webhook') };
  return { senders, calls };
}

describe('sendToChannel', () => {
  it('hands each rule channel to the sender of its type', async () => {
    const { senders, calls } = recordingSenders();
    const channels: Channel[] = [
      { type: 'email', to: 'me@example.com' },
      { type: 'telegram', chatId: '42' },
      { type: 'webhook', url: 'https://example.com/hook' },
    ];
    for (const channel of channels) expect(await sendToChannel(senders, channel, aNotification())).toEqual({ ok: true });
    expect(calls).toEqual(['email:{"type":"email","to":"me@example.com"}', 'telegram:{"type":"telegram","chatId":"42"}', 'webhook:{"type":"webhook","url":"https://example.com/hook"}']);
  });

  it('fails Telegram deliveries, not retryable, where no bot is configured', async () => {
    const { senders } = recordingSenders(false);
    expect(await sendToChannel(senders, { type: 'telegram', chatId: '42' }, aNotification())).toEqual({
      ok: false,
      retryable: false,
      error: 'Telegram is not configured on this deployment (no bot token)',
    });
  });
});

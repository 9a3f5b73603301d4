import { describe, expect, it } from 'vitest';
import { DASHBOARD_CHANNEL, sendToChannel, type ChannelSenders } from '../../../../functions/notifier/channels';
import type { Channel, DeliveryChannel } from '../../../../core/rule-model';
import { aDeliverable } from '../../../support/delivery-fixtures';

function recordingSenders(telegram = true) {
  const calls: string[] = [];
  const sender = (name: string) => ({
    send: async (channel: DeliveryChannel) => {
      calls.push(`${name}:${JSON.stringify(channel)}`);
      return { ok: true } as const;
    },
  });
  const senders: ChannelSenders = { email: sender('email'), telegram: telegram ? sender('telegram') : null, webhook: sender('webhook'), dashboard: sender('dashboard') };
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
    for (const channel of channels) expect(await sendToChannel(senders, channel, aDeliverable())).toEqual({ ok: true });
    expect(calls).toEqual(['email:{"type":"email","to":"me@example.com"}', 'telegram:{"type":"telegram","chatId":"42"}', 'webhook:{"type":"webhook","url":"https://example.com/hook"}']);
  });

  it('fails Telegram deliveries, not retryable, where no bot is configured', async () => {
    const { senders } = recordingSenders(false);
    expect(await sendToChannel(senders, { type: 'telegram', chatId: '42' }, aDeliverable())).toEqual({
      ok: false,
      retryable: false,
      error: 'Telegram is not configured on this deployment (no bot token)',
    });
  });

  it('counts the dashboard push as delivered where no WebSocket API is configured (no dashboards to reach)', async () => {
    const { senders, calls } = recordingSenders();
    expect(await sendToChannel({ ...senders, dashboard: null }, DASHBOARD_CHANNEL, aDeliverable())).toEqual({ ok: true });
    expect(await sendToChannel(senders, DASHBOARD_CHANNEL, aDeliverable())).toEqual({ ok: true });
    expect(calls).toEqual(['dashboard:{"type":"dashboard"}']);
  });

  it('fails other channels without a sender, not retryable, naming the channel', async () => {
    const { senders } = recordingSenders();
    expect(await sendToChannel({ ...senders, email: null }, { type: 'email', to: 'me@example.com' }, aDeliverable())).toEqual({
      ok: false,
      retryable: false,
      error: 'email is not configured on this deployment',
    });
  });
});

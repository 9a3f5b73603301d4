/**
 * Queues deliveries on SQS: one queue per registered channel type (core/channels/registry.ts:
 * email, Telegram, webhook, dashboard), so that a slow or failing channel never holds up another.
 * Sends in batches of ten and fails loudly if SQS refuses any entry: the caller then leaves the
 * alert in the outbox to be queued again.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ALERT_WIDE_CHANNEL_TYPES, type DeliveryChannelType } from '../../core/channels/registry';
import { DELIVERY_MESSAGE_VERSION, type DeliveryMessage } from '../../core/delivery/delivery-message';
import type { Channel } from '../../core/rule-model';
import type { DeliveryQueuesConfig } from '../shared/config';

/** Each channel type's queue is named for it. */
export type QueueName = DeliveryChannelType;

export interface QueuedDelivery {
  queue: QueueName;
  message: DeliveryMessage;
}

export interface DeliveryQueue {
  enqueue(deliveries: readonly QueuedDelivery[]): Promise<void>;
}

/** The deliveries to queue for an alert: the given channel positions, and the alert-wide ones (the dashboard push) if asked. */
export function deliveriesOf(
  owner: string,
  alertKey: string,
  channels: readonly Channel[],
  indexes: readonly number[],
  alertWide: boolean,
): QueuedDelivery[] {
  const base = { version: DELIVERY_MESSAGE_VERSION, owner, alertKey };
  const queued: QueuedDelivery[] = indexes.flatMap((index) => {
    const channel = channels[index];
    return channel === undefined ? [] : [{ queue: channel.type, message: { kind: 'channel' as const, ...base, index } }];
  });
  if (alertWide) for (const type of ALERT_WIDE_CHANNEL_TYPES) queued.push({ queue: type, message: { kind: type, ...base } });
  return queued;
}

const SQS_BATCH = 10;

export class SqsDeliveryQueue implements DeliveryQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly urls: DeliveryQueuesConfig['queueUrls'],
  ) {}

  async enqueue(deliveries: readonly QueuedDelivery[]): Promise<void> {
    const byQueue = new Map<string, DeliveryMessage[]>();
    for (const { queue, message } of deliveries) {
      const url = this.urls[queue];
      byQueue.set(url, [...(byQueue.get(url) ?? []), message]);
    }
    const sends: Promise<void>[] = [];
    for (const [url, messages] of byQueue) {
      for (let i = 0; i < messages.length; i += SQS_BATCH) sends.push(this.send(url, messages.slice(i, i + SQS_BATCH)));
    }
    await Promise.all(sends);
  }

  private async send(url: string, messages: DeliveryMessage[]): Promise<void> {
    const result = await this.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: messages.map((message, i) => ({ Id: String(i), MessageBody: JSON.stringify(message) })),
      }),
    );
    const failed = result.Failed ?? [];
    if (failed.length > 0) {
      throw new Error(`SQS refused ${failed.length} of ${messages.length} deliveries: ${failed.map((f) => f.Code ?? 'error').join(', ')}`);
    }
  }
}

/**
 * The notifier's adapters, made once per Lambda instance: one sender per registered channel type
 * (channels/registry.ts: SES, the Telegram sender whose rate limiter must outlive an invocation,
 * the webhook sender with its send-time URL policy and the owners' signing secrets, the dashboard
 * pusher), and the alert store. In AWS the bot token is read from Secrets Manager at cold start;
 * locally it comes from TELEGRAM_BOT_TOKEN.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { finishDelivery, getDeliverableAlert, leaseDelivery } from '../../storage/deliveries-repository';
import type { Db } from '../../storage/dynamodb-client';
import type { NotifierConfig } from '../shared/config';
import { openDb } from '../shared/database';
import { logger } from '../shared/logger';
import { vetWebhookTarget } from '../shared/webhook-url-policy';
import { createSenders, DASHBOARD_CHANNEL, sendToChannel } from './channels';
import type { DeliverDeps } from './deliver';

export const metrics = new Metrics({ namespace: 'StockAlerts', serviceName: 'notifier' });

/** How long a worker may hold a delivery: longer than the slowest send (webhook: 3 × 5 s + backoff). */
export const DELIVERY_LEASE_MS = 60_000;

/**
 * Emits one metric at once with the `Channel` dimension. A single-metric instance publishes on
 * `addMetric` and then forgets its dimensions, so each metric gets an instance of its own.
 */
function channelMetric(channel: string, name: string, unit: Parameters<Metrics['addMetric']>[1], value: number): void {
  const single = metrics.singleMetric();
  single.addDimension('Channel', channel);
  single.addMetric(name, unit, value);
}

function deliveryStore(db: Db): DeliverDeps['store'] {
  return {
    lease: (owner, key, index) => leaseDelivery(db, owner, key, index, Date.now(), DELIVERY_LEASE_MS),
    finish: (owner, key, index, outcome) => finishDelivery(db, owner, key, index, outcome),
    read: (owner, key) => getDeliverableAlert(db, owner, key),
  };
}

export async function createNotifierDeps(config: NotifierConfig): Promise<DeliverDeps> {
  const db = openDb(config);
  const senders = await createSenders({
    config,
    db,
    logger,
    vetUrl: (url) => vetWebhookTarget(url, { allowLoopback: config.allowLoopbackWebhooks, allowedPorts: config.webhookAllowedPorts }),
  });
  const dashboard = senders.dashboard;
  return {
    store: deliveryStore(db),
    channels: {
      send: (channel, alert) => sendToChannel(senders, channel, alert),
      pushToDashboards: (alert) => sendToChannel(senders, DASHBOARD_CHANNEL, alert),
      pushDeliveryUpdate: async (owner, alertId, index, delivery) => {
        if (dashboard === null) return;
        const error = await dashboard.sendDeliveryUpdate(owner, alertId, index, delivery).then(
          (result) => (result.ok ? undefined : result.error),
          (thrown: unknown) => String(thrown),
        );
        if (error !== undefined) logger.debug('could not tell the dashboards a delivery outcome; GET /alerts has it', { alertId, index, error });
      },
    },
    events: {
      finished: ({ channel, status, ruleId, symbol, tickToDeliveryMs, attempts }) => {
        logger.info(status === 'sent' ? 'alert delivered' : 'alert delivery failed', { channel, ruleId, symbol, tickToDeliveryMs, attempts });
        channelMetric(channel, status === 'sent' ? 'DeliveriesSent' : 'DeliveriesFailed', MetricUnit.Count, 1);
        if (status === 'sent') channelMetric(channel, 'TickToDeliveryMs', MetricUnit.Milliseconds, tickToDeliveryMs);
      },
      retried: ({ channel, ruleId, attempts, error }) => {
        logger.warn('alert delivery will be retried', { channel, ruleId, attempts, error });
        channelMetric(channel, 'DeliveriesRetried', MetricUnit.Count, 1);
      },
    },
    maxAttempts: config.deliveryMaxAttempts,
    retryBaseMs: config.deliveryRetryBaseMs,
    now: Date.now,
  };
}

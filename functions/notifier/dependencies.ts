/**
 * The notifier's adapters, made once per Lambda instance: one sender per registered channel type
 * (channels/registry.ts: SES, the Telegram sender, the webhook sender with its send-time URL policy
 * and the owners' signing secrets, the dashboard pusher), the destinations' circuit breakers (which
 * must outlive an invocation), the pacing lanes on the table, and the alert store. In AWS the bot
 * token is read from Secrets Manager at cold start; locally it comes from TELEGRAM_BOT_TOKEN.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { finishDelivery, getDeliverableAlert, leaseDelivery } from '../../storage/deliveries-repository';
import type { Db } from '../../storage/dynamodb-client';
import type { NotifierConfig } from '../shared/config';
import { openDb } from '../shared/database';
import { logger } from '../shared/logger';
import { vetWebhookTarget } from '../shared/webhook-url-policy';
import { createSenders, DASHBOARD_CHANNEL, sendToChannel } from './channels';
import { paceLanesOf } from '../../core/channels/registry';
import { holdOffPaceLane, reservePaceSlot } from '../../storage/send-pacing-repository';
import type { DeliverDeps, Pacer } from './deliver';
import { DestinationLanes } from './destination-lanes';

export const metrics = new Metrics({ namespace: 'StockAlerts', serviceName: 'notifier' });

/** How long a worker may hold a delivery: longer than the slowest send (Telegram: 10 s) and its pacing wait. */
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

function tablePacer(db: Db, config: NotifierConfig): Pacer {
  return {
    lanesOf: (channel) => paceLanesOf(channel, config.pace),
    reserve: async (lanes, now) => Math.max(now, ...(await Promise.all(lanes.map((lane) => reservePaceSlot(db, lane, now))))),
    holdOff: (lane, until) => holdOffPaceLane(db, lane, until),
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
    lanes: new DestinationLanes(Date.now, config.deliveryLanes),
    pacer: tablePacer(db, config),
    maxPaceWaitMs: config.maxPaceWaitMs,
    maxAttempts: config.deliveryMaxAttempts,
    retryBaseMs: config.deliveryRetryBaseMs,
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

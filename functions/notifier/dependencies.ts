/**
 * The notifier's adapters, made once per Lambda instance: SES, the Telegram sender (whose rate
 * limiter must outlive an invocation), the webhook sender with its send-time URL policy and the
 * owners' signing secrets, the dashboard pusher, and the alert store. In AWS the bot token is read
 * from Secrets Manager at cold start; locally it comes from TELEGRAM_BOT_TOKEN.
 */
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESClient } from '@aws-sdk/client-ses';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { deleteConnection, listConnectionsByOwner } from '../../storage/connections-repository';
import { finishDelivery, getDeliverableAlert, leaseDelivery } from '../../storage/deliveries-repository';
import type { Db } from '../../storage/dynamodb-client';
import { getOwnerProfile } from '../../storage/owners-repository';
import type { NotifierConfig } from '../shared/config';
import { openDb } from '../shared/database';
import { logger } from '../shared/logger';
import { vetWebhookTarget } from '../shared/webhook-url-policy';
import { DASHBOARD_CHANNEL, DashboardPusher, EmailSender, sendToChannel, TelegramSender, WebhookSender } from './channels';
import type { DeliverDeps } from './deliver';

export const metrics = new Metrics({ namespace: 'StockAlerts', serviceName: 'notifier' });

/** How long a worker may hold a delivery: longer than the slowest send (webhook: 3 × 5 s + backoff). */
export const DELIVERY_LEASE_MS = 60_000;

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * The bot token, or undefined when Telegram is not configured: Telegram deliveries then fail
 * (not retryable) while every other channel works. A secret that cannot be read never stops the
 * notifier: the stack creates it empty, to be filled by the user.
 */
async function telegramBotToken(config: NotifierConfig): Promise<string | undefined> {
  if (config.telegramBotToken !== undefined) return config.telegramBotToken;
  if (config.telegramBotTokenSecretArn === undefined) return undefined;
  const secrets = new SecretsManagerClient({ region: config.region });
  let secretString: string | undefined;
  try {
    ({ SecretString: secretString } = await secrets.send(new GetSecretValueCommand({ SecretId: config.telegramBotTokenSecretArn })));
  } catch (error) {
    // An empty secret has no AWSCURRENT value yet: Secrets Manager answers ResourceNotFoundException.
    const name = error instanceof Error ? error.name : 'Error';
    if (name === 'ResourceNotFoundException') logger.warn('the Telegram bot token secret has no value yet: Telegram deliveries fail until it is filled');
    else logger.error('could not read the Telegram bot token secret: Telegram deliveries fail', { error: name });
    return undefined;
  } finally {
    secrets.destroy();
  }
  const token = secretString?.trim();
  if (token === undefined || token === '') {
    logger.warn('the Telegram bot token secret is empty: Telegram deliveries fail until it is filled');
    return undefined;
  }
  return token;
}

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
  const local = config.sesEndpoint === undefined ? {} : { endpoint: config.sesEndpoint, credentials: LOCAL_CREDENTIALS };
  const email = new EmailSender({
    ses: new SESClient({ region: config.region, ...local }),
    from: config.alertFromEmail,
    ...(config.sesConfigurationSet === undefined ? {} : { configurationSetName: config.sesConfigurationSet }),
  });
  const token = await telegramBotToken(config);
  const telegram = token === undefined ? null : new TelegramSender({ botToken: token, apiBase: config.telegramApiBase, logger });
  const webhook = new WebhookSender({
    policy: (url) => vetWebhookTarget(url, { allowLoopback: config.allowLoopbackWebhooks }),
    secretOf: async (owner) => (await getOwnerProfile(db, owner))?.webhookSecret ?? null,
    timeoutMs: config.webhookTimeoutMs,
    logger,
  });
  const management =
    config.websocketManagementEndpoint === undefined
      ? null
      : new ApiGatewayManagementApiClient({
          region: config.region,
          endpoint: config.websocketManagementEndpoint,
          ...(config.websocketManagementEndpoint.startsWith('http://') ? { credentials: LOCAL_CREDENTIALS } : {}),
        });
  const dashboard =
    management === null
      ? null
      : new DashboardPusher({
          management,
          connections: {
            listConnections: async (owner) => (await listConnectionsByOwner(db, owner, new Date())).map((c) => c.connectionId),
            removeConnection: (_owner, connectionId) => deleteConnection(db, connectionId),
          },
          logger,
        });
  const senders = { email, telegram, webhook };
  return {
    store: deliveryStore(db),
    channels: {
      send: (channel, notification) => sendToChannel(senders, channel, notification),
      pushToDashboards: async (notification, deliveries) => (dashboard === null ? { ok: true } : dashboard.send(DASHBOARD_CHANNEL, notification, deliveries)),
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

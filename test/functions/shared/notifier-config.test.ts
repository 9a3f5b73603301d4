import { describe, expect, it } from 'vitest';
import { ConfigError, loadNotifierConfig } from '../../../functions/shared/config';

describe('notifier configuration', () => {
  it('has working defaults for the local stack', () => {
    expect(loadNotifierConfig({})).toMatchObject({
      alertFromEmail: 'alerts@localhost',
      sesEndpoint: undefined,
      sesConfigurationSet: undefined,
      telegramBotToken: undefined,
      telegramBotTokenSecretArn: undefined,
      telegramApiBase: 'https://api.telegram.org',
      webhookTimeoutMs: 5000,
      websocketManagementEndpoint: undefined,
      allowLoopbackWebhooks: false,
      deliveryMaxAttempts: 7,
      deliveryRetryBaseMs: 1000,
      deliveryLanes: { failuresToOpen: 3, openMs: 10_000, maxOpenMs: 300_000 },
      maxPaceWaitMs: 1000,
      pace: { sesMaxSendRate: 1 },
    });
  });

  it('reads every setting', () => {
    expect(
      loadNotifierConfig({
        ALERT_FROM_EMAIL: 'alerts@example.com',
        SES_ENDPOINT: 'http://127.0.0.1:8005',
        SES_CONFIGURATION_SET: 'alerts',
        TELEGRAM_BOT_TOKEN: '123:abc_DEF-9',
        TELEGRAM_API_BASE: 'http://127.0.0.1:9000',
        WEBHOOK_TIMEOUT_MS: '2500',
        WEBSOCKET_MANAGEMENT_ENDPOINT: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod',
        DELIVERY_MAX_ATTEMPTS: '3',
      }),
    ).toMatchObject({ telegramBotToken: '123:abc_DEF-9', webhookTimeoutMs: 2500, sesEndpoint: 'http://127.0.0.1:8005', deliveryMaxAttempts: 3 });
  });

  it('treats empty variables as unset', () => {
    expect(loadNotifierConfig({ ALERT_FROM_EMAIL: '', TELEGRAM_BOT_TOKEN: '' })).toMatchObject({ alertFromEmail: 'alerts@localhost', telegramBotToken: undefined });
  });

  it.each([
    [{ WEBHOOK_TIMEOUT_MS: '50' }, 'WEBHOOK_TIMEOUT_MS must be a whole number from 100 to 30000 (got "50")'],
    [{ SES_ENDPOINT: 'localhost:8005' }, 'SES_ENDPOINT must be an http(s) URL (got "localhost:8005")'],
    [{ ALERT_FROM_EMAIL: 'nobody' }, 'ALERT_FROM_EMAIL must be an email address such as alerts@example.com (got "nobody")'],
  ])('stops on a bad setting with one line naming it (%j)', (env, message) => {
    expect(() => loadNotifierConfig(env)).toThrow(new ConfigError(message));
  });

  it('never repeats a bad bot token in its error', () => {
    let message = '';
    try {
      loadNotifierConfig({ TELEGRAM_BOT_TOKEN: 'secret value/with slash' });
    } catch (error) {
      message = String(error);
    }
    expect(message).toContain('TELEGRAM_BOT_TOKEN must look like a bot token');
    expect(message).not.toContain('secret value');
  });
});

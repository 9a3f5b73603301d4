/**
 * The Telegram bot token, read once per notifier instance: TELEGRAM_BOT_TOKEN locally; in AWS the
 * secret TELEGRAM_BOT_TOKEN_SECRET_ARN names (the stack creates it empty, to be filled by the user).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { NotifierConfig } from '../../shared/config';
import { logger } from '../../shared/logger';

/**
 * The bot token, or undefined when Telegram is not configured: Telegram deliveries then fail
 * (not retryable) while every other channel works. A secret that cannot be read never stops the
 * notifier. The token's value is never logged.
 */
export async function telegramBotToken(config: NotifierConfig): Promise<string | undefined> {
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

/**
 * The slice of the Powertools Logger the senders use, so a function's own logger (with its Lambda
 * context) is injected rather than a second one created. Senders log retries only; the notifier
 * logs outcomes. Nothing logged here may hold a secret (bot token, webhook secret).
 */
import type { Logger } from '@aws-lambda-powertools/logger';

export type DeliveryLogger = Pick<Logger, 'debug' | 'info' | 'warn'>;

/**
 * The structured JSON logger of every function (Powertools). Level from POWERTOOLS_LOG_LEVEL.
 * Never log an event, a header or a body: they carry API keys.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'stock-alerts' });

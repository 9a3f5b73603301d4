/**
 * The structured JSON logger of every function (Powertools). Level from POWERTOOLS_LOG_LEVEL,
 * service name from POWERTOOLS_SERVICE_NAME (each function's own in AWS, lib/constructs/app-function.ts).
 * Never log an event, a header or a body: they carry API keys.
 */
import { Logger } from '@aws-lambda-powertools/logger';

/** The service name when POWERTOOLS_SERVICE_NAME is unset or empty (Powertools' own default is `service_undefined`). */
export const DEFAULT_SERVICE_NAME = 'stock-alerts';

/** A logger named by `env.POWERTOOLS_SERVICE_NAME`, else {@link DEFAULT_SERVICE_NAME}. */
export function createLogger(env: Readonly<Record<string, string | undefined>> = process.env): Logger {
  const named = env.POWERTOOLS_SERVICE_NAME?.trim();
  return new Logger({ serviceName: named === undefined || named === '' ? DEFAULT_SERVICE_NAME : named });
}

export const logger = createLogger();

/**
 * Structured JSON logging for the ingest task. Modules take the narrow {@link IngestLogger} port,
 * so tests can record log lines; production passes Powertools' Logger, which works outside
 * Lambda and writes one JSON object per line to stdout/stderr for CloudWatch Logs.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export interface IngestLogger {
  debug(message: string, attributes?: Record<string, unknown>): void;
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

/** The task's logger; `level` comes from LOG_LEVEL. */
export function createLogger(level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR'): IngestLogger {
  const logger = new Logger({ serviceName: 'ingest-task', logLevel: level });
  // Powertools takes attributes as a rest argument; passing `undefined` would log a stray key.
  const at =
    (write: (message: string, ...attributes: Record<string, unknown>[]) => void) =>
    (message: string, attributes?: Record<string, unknown>) =>
      attributes === undefined ? write(message) : write(message, attributes);
  return {
    debug: at(logger.debug.bind(logger)),
    info: at(logger.info.bind(logger)),
    warn: at(logger.warn.bind(logger)),
    error: at(logger.error.bind(logger)),
  };
}

/** `logger` with `fixed` attributes on every line (e.g. which connection wrote it). */
export function withAttributes(logger: IngestLogger, fixed: Record<string, unknown>): IngestLogger {
  return {
    debug: (message, attributes) => logger.debug(message, { ...fixed, ...attributes }),
    info: (message, attributes) => logger.info(message, { ...fixed, ...attributes }),
    warn: (message, attributes) => logger.warn(message, { ...fixed, ...attributes }),
    error: (message, attributes) => logger.error(message, { ...fixed, ...attributes }),
  };
}

/** The message of anything thrown, for a log attribute (stack traces stay out of routine lines). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

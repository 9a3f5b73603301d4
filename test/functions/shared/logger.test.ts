/** The functions' logger: its service name comes from POWERTOOLS_SERVICE_NAME, with a default. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, DEFAULT_SERVICE_NAME } from '../../../functions/shared/logger';

/** The `service` field of the JSON line the logger writes for one message. */
function serviceOf(logger: ReturnType<typeof createLogger>): unknown {
  const lines: string[] = [];
  // Powertools writes through its own Console on process.stdout.
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  const level = logger.getLevelName();
  logger.setLogLevel('INFO');
  logger.info('hello');
  // The unit tests share their modules: leave the logger as quiet as it was.
  logger.setLogLevel(level);
  vi.restoreAllMocks();
  const line = lines.find((l) => l.includes('"hello"'));
  if (line === undefined) throw new Error(`no log line written: ${JSON.stringify(lines)}`);
  return (JSON.parse(line) as { service?: unknown }).service;
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('logger', () => {
  it('is named by POWERTOOLS_SERVICE_NAME when it is set', () => {
    expect(serviceOf(createLogger({ POWERTOOLS_SERVICE_NAME: 'notifier' }))).toBe('notifier');
  });

  it.each([[{}], [{ POWERTOOLS_SERVICE_NAME: '' }], [{ POWERTOOLS_SERVICE_NAME: '  ' }]])('is named stock-alerts when the setting is unset or empty (%j)', (env) => {
    expect(DEFAULT_SERVICE_NAME).toBe('stock-alerts');
    expect(serviceOf(createLogger(env))).toBe('stock-alerts');
  });

  it('is, as the functions import it, named from the process environment', async () => {
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'evaluator');
    vi.resetModules();
    const { logger } = await import('../../../functions/shared/logger');
    expect(serviceOf(logger)).toBe('evaluator');
  });
});

/**
 * Graceful stop on SIGTERM (ECS stopping the task; Fargate allows 30 s before SIGKILL) and SIGINT
 * (Ctrl-C locally): stop reading, flush, exit 0 within 10 s.
 */
import type { IngestLogger } from './logger';

export interface ShutdownOptions {
  /** What to finish before exiting; given the time it may take. */
  stop: (timeoutMs: number) => Promise<unknown>;
  logger: IngestLogger;
  /** Time for `stop`; the process exits 0 after it even if work is left (that is logged by `stop`). */
  graceMs?: number;
  signals?: readonly NodeJS.Signals[];
  exit?: (code: number) => void;
}

/** Installs the signal handlers. A second signal while stopping is ignored: the flush is already under way. */
export function exitOnSignals({ stop, logger, graceMs = 8_000, signals = ['SIGTERM', 'SIGINT'], exit = (code) => process.exit(code) }: ShutdownOptions): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping: closing the feed and flushing the last batches', { signal, graceMs });
    // A backstop in case `stop` itself hangs: exit non-zero before the 10 s promised to ECS.
    setTimeout(() => exit(1), graceMs + 1_500).unref();
    stop(graceMs).then(
      () => exit(0),
      (error: unknown) => {
        logger.error('error while stopping', { error: String(error) });
        exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
}

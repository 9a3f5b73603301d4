/**
 * The ingest task's heartbeat: what `GET /health` and the alarms read to know that prices flow.
 *
 * Written every HEARTBEAT_INTERVAL_MS to a {@link HeartbeatSink} (DynamoDB in AWS) and, when
 * HEARTBEAT_FILE is set, to a local file that the container's HEALTHCHECK reads. A failed write is
 * logged and the next interval tries again; writes never overlap.
 */
import { rename, writeFile } from 'node:fs/promises';
import type { Heartbeat } from '../../storage/heartbeat-repository';
import { errorMessage, type IngestLogger } from './logger';

/**
 * The shape is storage's (one source of truth for what `GET /health` reads). As the ingest task
 * fills it: `connected` when every connection it needs (in every market) is authenticated;
 * `lastTickAt` when it last received a trade; `ticksPerSecond` the trades received per second
 * over the last minute; `subscribed` the symbols iTick confirmed, `openSubscribed` those surely
 * trading now (their exchange's regular session, holidays known); `unwatched` the symbols over the
 * plan's limit or refused by iTick; `lagMs` the age of the oldest received tick that the evaluator
 * has not acknowledged yet (0 when none waits), so it grows when the evaluator fails; `unmatched`
 * and `unreadable` the data messages no subscription matched and the messages that could not be
 * read, summed over the connections, `unmatchedSymbols` the latest 20 distinct `s` values of the
 * unmatched ones; `invalidSymbols` the watched symbols iTick does not know (E001); `markets` one
 * entry per market with connections: all of them authenticated, how many, subscribed symbols.
 */
export type { Heartbeat };

export interface HeartbeatSink {
  write(heartbeat: Heartbeat): Promise<void>;
}

/** A sink that keeps the latest heartbeat in a file; written whole and renamed so a reader never sees half of it. */
export function createHeartbeatFileSink(path: string): HeartbeatSink {
  return {
    async write(heartbeat) {
      const partial = `${path}.tmp`;
      await writeFile(partial, JSON.stringify(heartbeat));
      await rename(partial, path);
    },
  };
}

/**
 * Writes `collect()` to the sinks every `intervalMs`.
 * @example
 * const writer = new HeartbeatWriter([sink], () => task.heartbeat(), 5_000, logger);
 * writer.start();
 * await writer.stop({ connected: false }); // one last heartbeat on shutdown
 */
export class HeartbeatWriter {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private failing = false;

  constructor(
    private readonly sinks: readonly HeartbeatSink[],
    private readonly collect: () => Heartbeat,
    private readonly intervalMs: number,
    private readonly logger: IngestLogger,
  ) {}

  start(): void {
    void this.beat();
    this.timer = setInterval(() => void this.beat(), this.intervalMs);
  }

  /** Stops the interval and writes a last heartbeat with `overrides` applied. */
  async stop(overrides: Partial<Heartbeat> = {}): Promise<void> {
    clearInterval(this.timer);
    await this.writing;
    await this.write({ ...this.collect(), ...overrides });
  }

  private beat(): Promise<void> {
    // A slow sink must not pile up writes: skip this beat, the next one carries newer data anyway.
    this.writing ??= this.write(this.collect()).finally(() => (this.writing = undefined));
    return this.writing;
  }

  private async write(heartbeat: Heartbeat): Promise<void> {
    const results = await Promise.allSettled(this.sinks.map((sink) => sink.write(heartbeat)));
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure !== undefined && !this.failing) {
      this.logger.warn('could not write the heartbeat; retrying every interval', { error: errorMessage(failure.reason) });
    } else if (failure === undefined && this.failing) {
      this.logger.info('heartbeat writes work again');
    }
    this.failing = failure !== undefined;
  }
}

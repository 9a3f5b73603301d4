/**
 * Starts the pieces the ingest task talks to on loopback (the market simulator and the Lambda
 * Invoke server with a recording evaluator behind it) and an {@link IngestTask} wired to them with
 * the real Lambda invoker. Test timings are short so that tests run in real time.
 */
import { IngestTask, type IngestTaskOptions, type WatchlistSource } from '../../ingest-task/src/ingest-task';
import { createLambdaEvaluatorInvoker } from '../../ingest-task/src/evaluator-invoker';
import type { Heartbeat } from '../../ingest-task/src/heartbeat';
import { startLambdaInvokeServer, type LambdaInvokeServer } from '../../local/lambda-invoke-server';
import { MarketSimulator, type MarketSimulatorOptions } from '../../local/market-simulator/market-simulator';
import { recordingEvaluator, type RecordingEvaluator } from './ingest-recording-evaluator';
import { recordingLogger, type RecordingLogger } from './ingest-recording-logger';

export interface IngestHarness {
  market: MarketSimulator;
  lambda: LambdaInvokeServer;
  evaluator: RecordingEvaluator;
  logger: RecordingLogger;
  task: IngestTask;
  /** The watchlist the task reads; change it to add or remove rules. */
  watchlist: Set<string>;
  heartbeats: Heartbeat[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  market?: MarketSimulatorOptions;
  symbols?: string[];
  maxSymbolsPerConnection?: number;
  connections?: number;
  shards?: number;
  windowMs?: number;
  maxPoints?: number;
  connection?: IngestTaskOptions['connection'];
}

export async function startIngestHarness(options: HarnessOptions = {}): Promise<IngestHarness> {
  const market = await MarketSimulator.start(options.market);
  const evaluator = recordingEvaluator();
  const lambda = await startLambdaInvokeServer({ functions: { evaluator: (event) => evaluator.handler(event) } });
  const logger = recordingLogger();
  const watchlist = new Set(options.symbols ?? []);
  const source: WatchlistSource = { list: async () => [...watchlist] };
  const heartbeats: Heartbeat[] = [];
  const task = new IngestTask({
    config: {
      itick: { token: 'test-token', url: market.url, maxSymbolsPerConnection: options.maxSymbolsPerConnection, connections: options.connections ?? 1 },
      batch: { windowMs: options.windowMs ?? 20, maxPoints: options.maxPoints ?? 1_000, backlogMaxPoints: 1_000_000, shards: options.shards ?? 4 },
      watchlistRefreshMs: 50,
      heartbeat: { intervalMs: 50, file: undefined },
    },
    watchlist: source,
    heartbeatSinks: [{ write: async (heartbeat) => void heartbeats.push(heartbeat) }],
    invoker: createLambdaEvaluatorInvoker({ functionName: 'evaluator', timeoutMs: 5_000, endpoint: lambda.url }),
    logger,
    connection: { reconnect: { initialMs: 20, maxMs: 100 }, knockedOffWithinMs: 0, ...options.connection },
    batcher: { retry: { initialMs: 20, maxMs: 100 } },
  });
  task.start();
  return {
    market,
    lambda,
    evaluator,
    logger,
    task,
    watchlist,
    heartbeats,
    async close() {
      await task.stop(2_000);
      await market.close();
      await lambda.close();
    },
  };
}

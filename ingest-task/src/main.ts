/**
 * Entry point of the ingest task (the Fargate container's command): reads the settings, creates
 * the adapters once, starts the task and stops it gracefully on SIGTERM.
 */
import { createDb } from '../../storage/dynamodb-client';
import { ConfigError, describeConfig, readConfig, type IngestConfig } from './config';
import { createManagementApiPoster } from './connection-poster';
import { createLambdaEvaluatorInvoker } from './evaluator-invoker';
import { createHeartbeatFileSink } from './heartbeat';
import { IngestTask } from './ingest-task';
import { createLogger } from './logger';
import { PricePublisher } from './price-publisher';
import { exitOnSignals } from './shutdown';
import { createDynamoHeartbeatSink, createDynamoInvalidSymbolSink, createDynamoWatchlist, createDynamoWatchSource } from './storage-adapters';

function configOrExit(): IngestConfig {
  try {
    return readConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

const config = configOrExit();
const logger = createLogger(config.logLevel);
const db = createDb({ tableName: config.storage.tableName, endpoint: config.storage.endpoint, region: config.region });
const { managementEndpoint, intervalMs, watchesRefreshMs } = config.prices;
// No management endpoint, no dashboards to feed: publishing is off.
const prices =
  managementEndpoint === undefined
    ? undefined
    : new PricePublisher({
        watches: createDynamoWatchSource(db),
        poster: createManagementApiPoster({ endpoint: managementEndpoint, region: config.region }),
        logger,
        intervalMs,
        watchesRefreshMs,
      });
const task = new IngestTask({
  config,
  watchlist: createDynamoWatchlist(db),
  invalidSymbols: createDynamoInvalidSymbolSink(db),
  heartbeatSinks: [createDynamoHeartbeatSink(db), ...(config.heartbeat.file === undefined ? [] : [createHeartbeatFileSink(config.heartbeat.file)])],
  invoker: createLambdaEvaluatorInvoker({ ...config.evaluator, region: config.region }),
  logger,
  ...(prices === undefined ? {} : { prices }),
});
logger.info('ingest task starting', { settings: describeConfig(config) });
task.start();
exitOnSignals({ stop: (timeoutMs) => task.stop(timeoutMs), logger });

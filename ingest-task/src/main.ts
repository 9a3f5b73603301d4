/**
 * Entry point of the ingest task (the Fargate container's command): reads the settings, creates
 * the adapters once, starts the task and stops it gracefully on SIGTERM.
 */
import { createDb } from '../../storage/dynamodb-client';
import { ConfigError, describeConfig, readConfig, type IngestConfig } from './config';
import { createLambdaEvaluatorInvoker } from './evaluator-invoker';
import { createHeartbeatFileSink } from './heartbeat';
import { IngestTask } from './ingest-task';
import { createLogger } from './logger';
import { exitOnSignals } from './shutdown';
import { createDynamoHeartbeatSink, createDynamoWatchlist } from './storage-adapters';

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
const task = new IngestTask({
  config,
  watchlist: createDynamoWatchlist(db),
  heartbeatSinks: [createDynamoHeartbeatSink(db), ...(config.heartbeat.file === undefined ? [] : [createHeartbeatFileSink(config.heartbeat.file)])],
  invoker: createLambdaEvaluatorInvoker({ ...config.evaluator, region: config.region }),
  logger,
});
logger.info('ingest task starting', { settings: describeConfig(config) });
task.start();
exitOnSignals({ stop: (timeoutMs) => task.stop(timeoutMs), logger });

/**
 * The whole system on loopback (../shared/spec/local-stack.md): the same handlers and ingest task
 * as in AWS, with each AWS service replaced by a local server that speaks its API.
 *
 * | in AWS | here |
 * |---|---|
 * | DynamoDB | DynamoDB Local (JVM), data under `.local/dynamodb` unless fresh, or DYNAMODB_ENDPOINT |
 * | SES | aws-ses-v2-local, with its web page of sent mail |
 * | SQS delivery queues + notifier event sources | local SQS server + pollers running the notifier |
 * | Lambda Invoke (evaluator) | local Invoke API server running the evaluator |
 * | HTTP API + authorizer | local HTTP server building API Gateway v2 events |
 * | WebSocket API + @connections | local WebSocket server running the dashboard-socket handlers |
 * | dashboard on S3 + CloudFront | a static server of dashboard/dist (built when stale) with config.json |
 * | Fargate ingest task | the real ingest task, as a child process |
 * | iTick | the market simulator, unless ITICK_TOKEN is set |
 * | Telegram Bot API | a stand-in that prints messages, unless TELEGRAM_BOT_TOKEN is set |
 * | outbox sweeper schedule | an interval |
 *
 * Handlers read their configuration from the environment once, when imported: this module sets
 * the environment first and imports them after.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createApiKey } from '../storage/api-keys-repository';
import { createDb, type Db } from '../storage/dynamodb-client';
import { getOwnerProfile } from '../storage/owners-repository';
import { ensureTable } from '../storage/table-setup';
import { API_CORS } from '../dashboard/api-cors';
import { ensureDashboardBuilt } from '../dashboard/build';
import { startDashboardServer, type DashboardServer } from './dashboard-server';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local';
import { startHttpApiServer, type HttpApiServer } from './http-api-server';
import { startLambdaInvokeServer, type LambdaInvokeServer } from './lambda-invoke-server';
import { MarketSimulator } from './market-simulator/market-simulator';
import { startSesServer, type SesServer } from './ses-server';
import { startSqsEventSource, type SqsEventSource } from './sqs-event-source';
import { startSqsServer, type SqsServer } from './sqs-server';
import { startTelegramStandIn, type TelegramStandIn } from './telegram-stand-in';
import { startWebSocketApiServer, type WebSocketApiServer } from './websocket-api-server';
import { lambdaContext } from './lambda-context';

export interface LocalStackOptions {
  apiPort: number;
  /** The development key to create (random when unset). */
  devApiKey?: string;
  /** Owner of the development key. */
  devOwner?: string;
  /** Real iTick when set; otherwise the simulator. */
  itickToken?: string;
  itickWsUrl?: string;
  /** Real Telegram when set; otherwise the stand-in. */
  telegramBotToken?: string;
  telegramApiBase?: string;
  sesEndpoint?: string;
  alertFromEmail: string;
  dynamodbEndpoint?: string;
  /** Where DynamoDB Local keeps its data; unset: in memory. */
  dataDir?: string;
  batchWindowMs: number;
  /** Random-walk trades per second per symbol of the simulator (0: only scripted trades). */
  simulatorTicksPerSecond: number;
  /** Writes a line of the stack's own output (the stand-ins' prints, the ingest task's log). */
  print: (line: string) => void;
  /** The ingest task's JSON log lines; default: printed when at WARN or above. */
  onIngestLog?: (line: string) => void;
  /** Table name (tests use a fresh one). */
  tableName?: string;
  /** Start the feed (simulator or iTick) and the ingest task; default true. Tests of delivery invoke the evaluator themselves. */
  feed?: boolean;
  /** How often the outbox sweeper runs; default every minute, as scheduled in AWS. */
  sweepEveryMs?: number;
  /**
   * Serve the web dashboard (built first when dashboard/dist is missing or stale); unset: no
   * dashboard. `port` 0 or unset: a free port; `fallbackToFreePort`: a port in use is replaced by a
   * free one instead of failing the start.
   */
  dashboard?: { port?: number; fallbackToFreePort?: boolean };
}

export interface LocalStack {
  apiUrl: string;
  webSocketUrl: string;
  /** The web dashboard, when started. */
  dashboardUrl: string | null;
  sesWebPageUrl: string;
  devApiKey: string;
  devOwner: string;
  /** The dev owner's webhook signing secret (local development only: printed at start). */
  webhookSecret: string | null;
  feed: { source: 'simulator' | 'itick'; url: string };
  telegram: { source: 'stand-in' | 'telegram'; apiBase: string };
  /** The control interface of the simulator (`POST /control/script`), when it is the feed. */
  simulatorControlUrl: string | null;
  /** The Lambda Invoke API endpoint running the evaluator (function name `evaluator`). */
  lambdaEndpoint: string;
  /** The local servers themselves, for tests running the stack in-process. */
  services: { telegram: TelegramStandIn | null; ses: SesServer | null; sqs: SqsServer; webSocketApi: WebSocketApiServer; db: Db; queueUrls: Record<string, string> };
  stop(): Promise<void>;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const QUEUES = ['email', 'telegram', 'webhook', 'dashboard'] as const;
const TELEGRAM_STAND_IN_TOKEN = '0:local-stand-in';
const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const DASHBOARD_DIST = path.join(REPO_ROOT, 'dashboard', 'dist');


/** Stops what was started, last first; every stop runs even if one fails. */
class Stoppers {
  private readonly stops: Array<() => Promise<unknown>> = [];
  add(stop: () => Promise<unknown>): void {
    this.stops.push(stop);
  }
  async stopAll(): Promise<void> {
    while (this.stops.length > 0) {
      const stop = this.stops.pop() as () => Promise<unknown>;
      await stop().catch(() => undefined);
    }
  }
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const stoppers = new Stoppers();
  try {
    return await start(options, stoppers);
  } catch (error) {
    await stoppers.stopAll();
    throw error;
  }
}

async function start(options: LocalStackOptions, stoppers: Stoppers): Promise<LocalStack> {
  const env = process.env;
  const region = env.AWS_REGION ?? 'us-east-1';
  env.AWS_REGION = region;
  env.AWS_ACCESS_KEY_ID ??= LOCAL_CREDENTIALS.accessKeyId;
  env.AWS_SECRET_ACCESS_KEY ??= LOCAL_CREDENTIALS.secretAccessKey;
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  // The in-process functions log JSON for CloudWatch: locally only their warnings, and no EMF.
  env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  // The dashboard build (seconds when stale, nothing when fresh) runs while the servers start.
  const dashboardBuilt = options.dashboard === undefined ? undefined : ensureDashboardBuilt();
  // Awaited below; until then a failure must not count as unhandled.
  dashboardBuilt?.catch(() => undefined);

  // Storage.
  let dynamodbEndpoint = options.dynamodbEndpoint;
  if (dynamodbEndpoint === undefined) {
    if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
    const dynamo: DynamoDbLocal = await startDynamoDbLocal(options.dataDir === undefined ? {} : { dbPath: options.dataDir });
    stoppers.add(() => dynamo.stop());
    dynamodbEndpoint = dynamo.endpoint;
  }
  const tableName = options.tableName ?? 'stock-alerts';
  const db: Db = createDb({ endpoint: dynamodbEndpoint, region, tableName });
  stoppers.add(async () => db.doc.destroy());
  await ensureTable(db);
  const devOwner = options.devOwner ?? 'dev';
  const { key: devApiKey } = await createApiKey(db, { owner: devOwner, now: new Date(), ...(options.devApiKey === undefined ? {} : { key: options.devApiKey }) });
  const webhookSecret = (await getOwnerProfile(db, devOwner))?.webhookSecret ?? null;
  Object.assign(env, { TABLE_NAME: tableName, DYNAMODB_ENDPOINT: dynamodbEndpoint, ALLOW_LOOPBACK_WEBHOOKS: 'true' });

  // Email and Telegram.
  let sesEndpoint = options.sesEndpoint;
  let sesWebPageUrl = options.sesEndpoint ?? '';
  let ses: SesServer | null = null;
  if (sesEndpoint === undefined) {
    const started = await startSesServer();
    ses = started;
    stoppers.add(() => started.stop());
    sesEndpoint = started.endpoint;
    sesWebPageUrl = started.webPageUrl;
  }
  let telegram: LocalStack['telegram'];
  let standIn: TelegramStandIn | null = null;
  if (options.telegramBotToken === undefined) {
    const started = await startTelegramStandIn({ print: (line) => options.print(`telegram stand-in: ${line}`) });
    standIn = started;
    stoppers.add(() => started.close());
    telegram = { source: 'stand-in', apiBase: standIn.apiBase };
    Object.assign(env, { TELEGRAM_API_BASE: standIn.apiBase, TELEGRAM_BOT_TOKEN: TELEGRAM_STAND_IN_TOKEN });
  } else {
    telegram = { source: 'telegram', apiBase: options.telegramApiBase ?? 'https://api.telegram.org' };
    Object.assign(env, { TELEGRAM_API_BASE: telegram.apiBase, TELEGRAM_BOT_TOKEN: options.telegramBotToken });
  }
  Object.assign(env, { SES_ENDPOINT: sesEndpoint, ALERT_FROM_EMAIL: options.alertFromEmail });

  // Delivery queues.
  const sqsServer: SqsServer = await startSqsServer({ region });
  stoppers.add(() => sqsServer.close());
  const sqs = new SQSClient({ region, endpoint: sqsServer.endpoint, credentials: LOCAL_CREDENTIALS });
  stoppers.add(async () => sqs.destroy());
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'deliveries-dlq' }));
  const queueUrls: Record<string, string> = {};
  for (const name of QUEUES) {
    const created = await sqs.send(
      new CreateQueueCommand({
        QueueName: `deliveries-${name}`,
        Attributes: {
          VisibilityTimeout: '180',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:${region}:000000000000:deliveries-dlq`, maxReceiveCount: 7 }),
        },
      }),
    );
    queueUrls[name] = created.QueueUrl as string;
  }
  void dlq;
  Object.assign(env, {
    SQS_ENDPOINT: sqsServer.endpoint,
    EMAIL_QUEUE_URL: queueUrls.email,
    TELEGRAM_QUEUE_URL: queueUrls.telegram,
    WEBHOOK_QUEUE_URL: queueUrls.webhook,
    DASHBOARD_QUEUE_URL: queueUrls.dashboard,
  });

  // Dashboard WebSocket API (its management endpoint is the notifier's setting).
  const socket = {
    authorizer: (await import('../functions/dashboard-socket/authorizer')).handler,
    connect: (await import('../functions/dashboard-socket/connect')).handler,
    disconnect: (await import('../functions/dashboard-socket/disconnect')).handler,
    watch: (await import('../functions/dashboard-socket/watch')).handler,
  };
  const webSocketApi: WebSocketApiServer = await startWebSocketApiServer({
    identitySources: ['route.request.header.Sec-WebSocket-Protocol'],
    authorizer: (event) => socket.authorizer(event, lambdaContext('dashboard-authorizer')),
    routes: {
      $connect: async (event) => (await socket.connect(event, lambdaContext('dashboard-connect'))) as { statusCode: number },
      $disconnect: async (event) => {
        await socket.disconnect(event, lambdaContext('dashboard-disconnect'));
      },
      $default: async (event) => (await socket.watch(event, lambdaContext('dashboard-watch'))) as { statusCode: number },
    },
    onError: (error) => options.print(`websocket: ${error instanceof Error ? error.message : String(error)}`),
  });
  stoppers.add(() => webSocketApi.close());
  env.WEBSOCKET_MANAGEMENT_ENDPOINT = webSocketApi.managementEndpoint;

  // The feed, before the evaluator: the evaluator warms indicators up from the feed's kline REST.
  let feed: LocalStack['feed'];
  let simulatorControlUrl: string | null = null;
  if (options.feed === false) {
    feed = { source: 'simulator', url: '' };
  } else if (options.itickToken === undefined) {
    const simulator = await MarketSimulator.start({ ticksPerSecond: options.simulatorTicksPerSecond });
    stoppers.add(() => simulator.close());
    feed = { source: 'simulator', url: simulator.url };
    simulatorControlUrl = `http://127.0.0.1:${simulator.port}/control`;
    Object.assign(env, { ITICK_REST_BASE: `http://127.0.0.1:${simulator.port}`, ITICK_TOKEN: 'local-simulator' });
  } else {
    feed = { source: 'itick', url: options.itickWsUrl ?? 'wss://api.itick.org/stock' };
    env.ITICK_TOKEN = options.itickToken;
  }

  // Notifier on every delivery queue, evaluator behind the Invoke API, the outbox sweeper.
  const notifier = (await import('../functions/notifier/handler')).handler;
  for (const name of QUEUES) {
    const source: SqsEventSource = await startSqsEventSource({
      sqs,
      queueUrl: queueUrls[name] as string,
      handler: (event) => notifier(event, lambdaContext('notifier')),
      functionName: 'notifier',
      waitTimeSeconds: 1,
      // More than one poller, as Lambda's event source has: duplicates can then meet in parallel.
      concurrency: 2,
      onError: (error) => options.print(`notifier: ${error instanceof Error ? error.message : String(error)}`),
    });
    stoppers.add(() => source.stop());
  }
  const evaluator = (await import('../functions/evaluator/handler')).handler;
  const lambda: LambdaInvokeServer = await startLambdaInvokeServer({ functions: { evaluator: (event, context) => evaluator(event, context) } });
  stoppers.add(() => lambda.close());
  const sweeper = (await import('../functions/evaluator/outbox-sweeper-handler')).handler;
  const sweep = setInterval(() => void sweeper({}, lambdaContext('outbox-sweeper')).catch(() => undefined), options.sweepEveryMs ?? 60_000);
  stoppers.add(async () => clearInterval(sweep));

  // The HTTP API, with CORS for the dashboard's origin (known once its server listens, below).
  const dashboardOrigins: string[] = [];
  const api: HttpApiServer = await startHttpApiServer({ port: options.apiPort, cors: { ...API_CORS, allowOrigins: () => dashboardOrigins } });
  stoppers.add(() => api.close());

  // The dashboard, as CloudFront would serve it, with config.json pointing at the local APIs.
  let dashboard: DashboardServer | null = null;
  if (options.dashboard !== undefined && dashboardBuilt !== undefined) {
    await dashboardBuilt;
    const serve = (port: number | undefined) =>
      startDashboardServer({ distDir: DASHBOARD_DIST, port, config: () => ({ apiUrl: api.url, webSocketUrl: webSocketApi.url }) });
    try {
      dashboard = await serve(options.dashboard.port);
    } catch (error) {
      if (options.dashboard.fallbackToFreePort !== true || !/in use/.test(String(error))) throw error;
      dashboard = await serve(0);
    }
    const started = dashboard;
    stoppers.add(() => started.close());
    // Both spellings of loopback reach the page; each is its own origin to a browser.
    dashboardOrigins.push(started.origin, started.origin.replace('127.0.0.1', 'localhost'));
  }

  // The ingest task.
  if (options.feed !== false) {
    const ingest = spawnIngestTask(options, {
      ITICK_TOKEN: options.itickToken ?? 'local-simulator',
      ITICK_WS_URL: feed.url,
      BATCH_WINDOW_MS: String(options.batchWindowMs),
      EVALUATOR_FUNCTION_NAME: 'evaluator',
      LAMBDA_ENDPOINT: lambda.url,
      DYNAMODB_ENDPOINT: dynamodbEndpoint,
      TABLE_NAME: tableName,
      WATCHLIST_REFRESH_MS: '1000',
      // Live prices for the dashboards, through the local WebSocket API's management endpoint.
      WEBSOCKET_MANAGEMENT_ENDPOINT: webSocketApi.managementEndpoint,
      WATCHES_REFRESH_MS: '1000',
      AWS_REGION: region,
    });
    stoppers.add(() => stopChild(ingest));
  }

  return {
    apiUrl: api.url,
    webSocketUrl: webSocketApi.url,
    dashboardUrl: dashboard?.url ?? null,
    sesWebPageUrl,
    devApiKey,
    devOwner,
    webhookSecret,
    feed,
    telegram,
    simulatorControlUrl,
    lambdaEndpoint: lambda.url,
    services: { telegram: standIn, ses, sqs: sqsServer, webSocketApi, db, queueUrls },
    stop: () => stoppers.stopAll(),
  };
}

function spawnIngestTask(options: LocalStackOptions, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'ingest-task/src/main.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const onLine = options.onIngestLog ?? ((line: string) => printIngestLine(line, options.print));
  let buffered = '';
  const read = (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line !== '') onLine(line);
      newline = buffered.indexOf('\n');
    }
  };
  child.stdout?.on('data', read);
  child.stderr?.on('data', read);
  return child;
}

/** The ingest task's warnings and errors, one readable line each. */
function printIngestLine(line: string, print: (line: string) => void): void {
  try {
    const entry = JSON.parse(line) as { level?: string; message?: string };
    if (entry.level === 'WARN' || entry.level === 'ERROR' || entry.level === 'CRITICAL') print(`ingest: ${entry.message ?? line}`);
  } catch {
    print(`ingest: ${line}`);
  }
}

/** SIGTERM, then SIGKILL after 10 s (the task flushes and exits within that). */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

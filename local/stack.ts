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
 * | iTick (every market's socket, REST) | the market simulator, unless ITICK_TOKEN is set |
 * | Telegram Bot API | a stand-in that prints messages, unless TELEGRAM_BOT_TOKEN is set |
 * | outbox sweeper schedule | an interval |
 *
 * This module wires them together from {@link LocalStackOptions} (local/settings.ts reads those
 * from the environment for `npm start`); the in-process functions get their settings as an
 * environment record (local/functions.ts), and the process environment is only read.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DELIVERY_CHANNEL_TYPES as QUEUES } from '../core/channels/registry';
import { LOCAL_CREDENTIALS } from '../core/local-credentials';
import { MARKETS, MARKET_INFO, marketUrls, type Market } from '../core/rule-model/market';
import { API_CORS } from '../dashboard/api-cors';
import { ensureDashboardBuilt } from '../dashboard/build';
import { DELIVERY_VISIBILITY_TIMEOUT_SECONDS, MAX_RECEIVE_COUNT, NOTIFIER_TIMEOUT_SECONDS } from '../functions/shared/delivery-queue-settings';
import { createApiKey } from '../storage/api-keys-repository';
import { createDb, type Db } from '../storage/dynamodb-client';
import { ensureTable } from '../storage/table-setup';
import { webhookSigningSecrets } from '../storage/webhook-secrets-repository';
import { startDashboardServer, type DashboardServer } from './dashboard-server';
import { startDynamoDbLocal } from './dynamodb-local';
import { functionEnvironment, loadFunctions, loadSocketFunctions, type Env, type FunctionEndpoints, type LocalFunctions, type SocketFunctions } from './functions';
import { startHttpApiServer, type HttpApiServer } from './http-api-server';
import { lambdaContext } from './lambda-context';
import { startLambdaInvokeServer, type LambdaInvokeServer } from './lambda-invoke-server';
import type { FeedShapes } from './market-simulator/feed-shapes';
import { MarketSimulator, unknownSymbolMatcher } from './market-simulator/market-simulator';
import { spawnTypeScript, Stoppers, stopChild, throwIfStopped } from './processes';
import { removeRuntimeFile, writeRuntimeFile } from './runtime-file';
import { startSesServer, type SesServer } from './ses-server';
import { startSqsEventSource } from './sqs-event-source';
import { startSqsServer, type SqsServer } from './sqs-server';
import { startTelegramStandIn, type TelegramStandIn } from './telegram-stand-in';
import { startWebSocketApiServer, type WebSocketApiServer } from './websocket-api-server';

export interface LocalStackOptions {
  apiPort: number;
  /** The development key to create (random when unset). */
  devApiKey?: string;
  /** Owner of the development key. */
  devOwner?: string;
  /** Real iTick when set; otherwise the simulator. */
  itickToken?: string;
  /** The stock socket with a token (default iTick's); the other markets' derive from it (`marketUrls`). */
  itickWsUrl?: string;
  /** Sockets of other markets that do not follow `itickWsUrl` (ITICK_WS_URL_<CLASS>), with a token. */
  itickMarketUrls?: Partial<Record<Market, string>>;
  /** iTick's REST base; unset: the simulator's without a token, else ITICK_REST_BASE of the environment or https://api.itick.org. */
  itickRestBase?: string;
  /** REST calls per minute of the token (ITICK_REST_PER_MINUTE), for every caller; the simulator enforces it too. Default 5. */
  itickRestPerMinute?: number;
  /** Shapes of the simulator's frames; default `spec`. */
  simulatorShapes?: FeedShapes;
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
  /** Write the runtime file here while the stack runs (local/runtime-file.ts), for the keys CLI; unset: none. */
  runtimeFile?: string;
  /** Aborted: the start stops between two steps, stops what it started and throws StartAbortedError. */
  signal?: AbortSignal;
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
  /** Where every market's feed and the REST come from (the stock URL also as `url`); never the token. */
  feed: FeedSources;
  telegram: { source: 'stand-in' | 'telegram'; apiBase: string };
  /** The control interface of the simulator (`POST /control/script`), when it is the feed. */
  simulatorControlUrl: string | null;
  /** The Lambda Invoke API endpoint running the evaluator (function name `evaluator`). */
  lambdaEndpoint: string;
  /** The DynamoDB the stack uses (DynamoDB Local's, unless DYNAMODB_ENDPOINT was given) and its table. */
  storage: { endpoint: string; tableName: string; region: string };
  /** The local servers themselves, for tests running the stack in-process. */
  services: { telegram: TelegramStandIn | null; ses: SesServer | null; sqs: SqsServer; webSocketApi: WebSocketApiServer; db: Db; queueUrls: Record<string, string> };
  stop(): Promise<void>;
}

export interface FeedSources {
  source: 'simulator' | 'itick';
  /** The stock socket. */
  url: string;
  urls: Record<Market, string>;
  restBase: string;
  restPerMinute: number;
  /** The simulator's shapes; `null` for iTick. */
  shapes: FeedShapes | null;
}

const TELEGRAM_STAND_IN_TOKEN = '0:local-stand-in';
const SIMULATOR_TOKEN = 'local-simulator';
const ITICK_REST_BASE = 'https://api.itick.org';
const DEFAULT_REST_PER_MINUTE = 5;
/** Codes the local simulator does not know, so that an unknown symbol (`invalid_symbol`) can be tried locally. */
const SIMULATOR_UNKNOWN_CODES = ['ZZZ*'];
const DEFAULT_REGION = 'us-east-1';
const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const DASHBOARD_DIST = path.join(REPO_ROOT, 'dashboard', 'dist');

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
  const env: Env = process.env;
  const region = env.AWS_REGION ?? DEFAULT_REGION;
  const step = () => throwIfStopped(options.signal);
  // The dashboard build (seconds when stale, nothing when fresh) runs while the servers start.
  const dashboardBuilt = options.dashboard === undefined ? undefined : ensureDashboardBuilt();
  // Awaited below; until then a failure must not count as unhandled.
  dashboardBuilt?.catch(() => undefined);

  const storage = await startStorage(options, region, stoppers);
  step();
  const mail = await startMail(options, stoppers);
  step();
  const telegram = await startTelegram(options, stoppers);
  step();
  const queues = await startQueues(region, stoppers);
  step();
  // The feed, before the evaluator: the evaluator warms indicators up from the feed's kline REST.
  const feed = await startFeed(options, env, stoppers);
  step();

  const endpoints: FunctionEndpoints = {
    region,
    tableName: storage.tableName,
    dynamodbEndpoint: storage.endpoint,
    sesEndpoint: mail.endpoint,
    alertFromEmail: options.alertFromEmail,
    telegram: { apiBase: telegram.apiBase, botToken: telegram.botToken },
    sqsEndpoint: queues.server.endpoint,
    queueUrls: queues.urls,
    itick: feed.itick,
  };
  // The dashboard WebSocket API first: its management endpoint is one of the notifier's settings.
  const socket = await loadSocketFunctions(functionEnvironment(env, endpoints));
  stoppers.add(async () => socket.db.doc.destroy());
  const webSocketApi = await startWebSocketApi(socket.functions, options.print);
  stoppers.add(() => webSocketApi.close());
  step();
  const functions = await loadFunctions(functionEnvironment(env, { ...endpoints, websocketManagementEndpoint: webSocketApi.managementEndpoint }));
  stoppers.add(async () => functions.close());
  step();

  const lambda = await startFunctionTriggers(functions, queues, options, stoppers);
  step();
  const { api, dashboard } = await startHttpFrontends(functions, webSocketApi, options, dashboardBuilt, stoppers);
  step();

  if (options.feed !== false) {
    const ingest = spawnTypeScript(path.join(REPO_ROOT, 'ingest-task/src/main.ts'), {
      cwd: REPO_ROOT,
      env: {
        ...env,
        AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID ?? LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY ?? LOCAL_CREDENTIALS.secretAccessKey,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ITICK_TOKEN: options.itickToken ?? SIMULATOR_TOKEN,
        // ITICK_WS_URL for stocks, ITICK_WS_URL_<CLASS> for the others.
        ...Object.fromEntries(MARKETS.map((market) => [MARKET_INFO[market].urlSetting, feed.sources.urls[market]])),
        ITICK_REST_BASE: feed.sources.restBase,
        ITICK_REST_PER_MINUTE: String(feed.sources.restPerMinute),
        BATCH_WINDOW_MS: String(options.batchWindowMs),
        EVALUATOR_FUNCTION_NAME: 'evaluator',
        LAMBDA_ENDPOINT: lambda.url,
        DYNAMODB_ENDPOINT: storage.endpoint,
        TABLE_NAME: storage.tableName,
        WATCHLIST_REFRESH_MS: '1000',
        // Live prices for the dashboards, through the local WebSocket API's management endpoint.
        WEBSOCKET_MANAGEMENT_ENDPOINT: webSocketApi.managementEndpoint,
        WATCHES_REFRESH_MS: '1000',
        AWS_REGION: region,
      },
      onLine: options.onIngestLog ?? ((line: string) => printIngestLine(line, options.print)),
    });
    stoppers.add(() => stopChild(ingest));
  }
  step();

  if (options.runtimeFile !== undefined) {
    const file = options.runtimeFile;
    writeRuntimeFile(file, { dynamodbEndpoint: storage.endpoint, tableName: storage.tableName, region, apiUrl: api.url, websocketManagementEndpoint: webSocketApi.managementEndpoint, pid: process.pid });
    stoppers.add(async () => removeRuntimeFile(file));
  }

  return {
    apiUrl: api.url,
    webSocketUrl: webSocketApi.url,
    dashboardUrl: dashboard?.url ?? null,
    sesWebPageUrl: mail.webPageUrl,
    devApiKey: storage.devApiKey,
    devOwner: storage.devOwner,
    webhookSecret: storage.webhookSecret,
    feed: feed.sources,
    telegram: { source: telegram.source, apiBase: telegram.apiBase },
    simulatorControlUrl: feed.controlUrl,
    lambdaEndpoint: lambda.url,
    storage: { endpoint: storage.endpoint, tableName: storage.tableName, region },
    services: { telegram: telegram.standIn, ses: mail.server, sqs: queues.server, webSocketApi, db: storage.db, queueUrls: queues.urls },
    stop: () => stoppers.stopAll(),
  };
}

/** DynamoDB (DynamoDB Local unless an endpoint is given), the table, and the development key. */
async function startStorage(options: LocalStackOptions, region: string, stoppers: Stoppers) {
  let endpoint = options.dynamodbEndpoint;
  if (endpoint === undefined) {
    if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
    const dynamo = await startDynamoDbLocal(options.dataDir === undefined ? {} : { dbPath: options.dataDir });
    stoppers.add(() => dynamo.stop());
    endpoint = dynamo.endpoint;
  }
  const tableName = options.tableName ?? 'stock-alerts';
  const db = createDb({ endpoint, region, tableName });
  stoppers.add(async () => db.doc.destroy());
  await ensureTable(db);
  const devOwner = options.devOwner ?? 'dev';
  const { key: devApiKey } = await createApiKey(db, { owner: devOwner, now: new Date(), ...(options.devApiKey === undefined ? {} : { key: options.devApiKey }) });
  const webhookSecret = (await webhookSigningSecrets(db, devOwner, new Date()))[0] ?? null;
  return { endpoint, tableName, db, devOwner, devApiKey, webhookSecret };
}

/** The SES emulator, unless an SES endpoint is given. */
async function startMail(options: LocalStackOptions, stoppers: Stoppers) {
  if (options.sesEndpoint !== undefined) return { endpoint: options.sesEndpoint, webPageUrl: options.sesEndpoint, server: null };
  const server = await startSesServer();
  stoppers.add(() => server.stop());
  return { endpoint: server.endpoint, webPageUrl: server.webPageUrl, server };
}

/** The Telegram stand-in, unless a bot token is given. */
async function startTelegram(options: LocalStackOptions, stoppers: Stoppers) {
  if (options.telegramBotToken !== undefined) {
    return { source: 'telegram' as const, apiBase: options.telegramApiBase ?? 'https://api.telegram.org', botToken: options.telegramBotToken, standIn: null };
  }
  const standIn = await startTelegramStandIn({ print: (line) => options.print(`telegram stand-in: ${line}`) });
  stoppers.add(() => standIn.close());
  return { source: 'stand-in' as const, apiBase: standIn.apiBase, botToken: TELEGRAM_STAND_IN_TOKEN, standIn };
}

/** The local SQS with one delivery queue per channel kind, set up as the CDK stack sets them up. */
async function startQueues(region: string, stoppers: Stoppers) {
  const server = await startSqsServer({ region });
  stoppers.add(() => server.close());
  const client = new SQSClient({ region, endpoint: server.endpoint, credentials: LOCAL_CREDENTIALS });
  stoppers.add(async () => client.destroy());
  const dlq = await client.send(new CreateQueueCommand({ QueueName: 'deliveries-dlq' }));
  const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }));
  const redrivePolicy = JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: MAX_RECEIVE_COUNT });
  const urls = {} as Record<(typeof QUEUES)[number], string>;
  for (const name of QUEUES) {
    const created = await client.send(
      new CreateQueueCommand({ QueueName: `deliveries-${name}`, Attributes: { VisibilityTimeout: String(DELIVERY_VISIBILITY_TIMEOUT_SECONDS), RedrivePolicy: redrivePolicy } }),
    );
    urls[name] = created.QueueUrl as string;
  }
  return { server, client, urls };
}

/**
 * The market simulator as the feed of every market and as iTick's REST, unless an iTick token is
 * given. With a token each market's socket is its own setting or derives from the stock URL
 * (`marketUrls`), and the REST base is ITICK_REST_BASE: the process environment is the
 * functions' base environment (functionEnvironment), so a value there is the one they would use.
 */
async function startFeed(options: LocalStackOptions, env: Env, stoppers: Stoppers) {
  type Feed = { sources: FeedSources; controlUrl: string | null; itick: FunctionEndpoints['itick'] };
  const restPerMinute = options.itickRestPerMinute ?? DEFAULT_REST_PER_MINUTE;
  if (options.feed === false) {
    const none = Object.fromEntries(MARKETS.map((market) => [market, ''])) as Record<Market, string>;
    return { sources: { source: 'simulator', url: '', urls: none, restBase: '', restPerMinute, shapes: null }, controlUrl: null, itick: undefined } satisfies Feed as Feed;
  }
  if (options.itickToken !== undefined) {
    const urls = marketUrls(options.itickWsUrl ?? 'wss://api.itick.org/stock', options.itickMarketUrls ?? {});
    // An empty ITICK_REST_BASE means unset, as for every setting.
    const restBase = options.itickRestBase ?? (env.ITICK_REST_BASE || ITICK_REST_BASE);
    return {
      sources: { source: 'itick', url: urls.stock, urls, restBase, restPerMinute, shapes: null },
      controlUrl: null,
      itick: { token: options.itickToken, restBase, restPerMinute },
    } satisfies Feed as Feed;
  }
  const shapes = options.simulatorShapes ?? 'spec';
  // The simulator holds the stack to the same REST budget as iTick would: a caller that ignores
  // the budget or a 429 shows up locally, not first in production.
  const simulator = await MarketSimulator.start({ ticksPerSecond: options.simulatorTicksPerSecond, shapes, restPerMinute, unknownSymbols: unknownSymbolMatcher(SIMULATOR_UNKNOWN_CODES) });
  stoppers.add(() => simulator.close());
  // Every market from the simulator: without a token, the URL settings have nothing to point at.
  const urls = marketUrls(simulator.url, {});
  const restBase = options.itickRestBase ?? simulator.restBase;
  return {
    sources: { source: 'simulator', url: urls.stock, urls, restBase, restPerMinute, shapes },
    controlUrl: `${simulator.restBase}/control`,
    itick: { restBase, token: SIMULATOR_TOKEN, restPerMinute },
  } satisfies Feed as Feed;
}

/** The dashboard WebSocket API, running the dashboard-socket functions. */
function startWebSocketApi(socket: SocketFunctions, print: (line: string) => void): Promise<WebSocketApiServer> {
  return startWebSocketApiServer({
    identitySources: ['route.request.header.Sec-WebSocket-Protocol'],
    authorizer: (event) => socket.authorizer(event, lambdaContext('dashboard-authorizer')),
    routes: {
      $connect: async (event) => (await socket.connect(event, lambdaContext('dashboard-connect'))) as { statusCode: number },
      $disconnect: async (event) => {
        await socket.disconnect(event, lambdaContext('dashboard-disconnect'));
      },
      $default: async (event) => (await socket.watch(event, lambdaContext('dashboard-watch'))) as { statusCode: number },
    },
    onError: (error) => print(`websocket: ${error instanceof Error ? error.message : String(error)}`),
  });
}

/** What invokes the functions in AWS: the notifier's SQS event sources, the evaluator's Invoke API, the sweeper's schedule. */
async function startFunctionTriggers(
  functions: LocalFunctions,
  queues: { client: SQSClient; urls: Record<string, string> },
  options: LocalStackOptions,
  stoppers: Stoppers,
): Promise<LambdaInvokeServer> {
  for (const queueUrl of Object.values(queues.urls)) {
    const source = await startSqsEventSource({
      sqs: queues.client,
      queueUrl,
      handler: (event) => functions.notifier(event, lambdaContext('notifier')),
      functionName: 'notifier',
      timeoutMs: NOTIFIER_TIMEOUT_SECONDS * 1000,
      waitTimeSeconds: 1,
      // More than one poller, as Lambda's event source has: duplicates can then meet in parallel.
      concurrency: 2,
      onError: (error) => options.print(`notifier: ${error instanceof Error ? error.message : String(error)}`),
    });
    stoppers.add(() => source.stop());
  }
  const lambda = await startLambdaInvokeServer({ functions: { evaluator: (event, context) => functions.evaluator(event, context) } });
  stoppers.add(() => lambda.close());
  const sweep = setInterval(() => void functions.outboxSweeper({}, lambdaContext('outbox-sweeper')).catch(() => undefined), options.sweepEveryMs ?? 60_000);
  stoppers.add(async () => clearInterval(sweep));
  return lambda;
}

/** The HTTP API, with CORS for the dashboard's origin, and the dashboard as CloudFront would serve it. */
async function startHttpFrontends(
  functions: LocalFunctions,
  webSocketApi: WebSocketApiServer,
  options: LocalStackOptions,
  dashboardBuilt: Promise<unknown> | undefined,
  stoppers: Stoppers,
): Promise<{ api: HttpApiServer; dashboard: DashboardServer | null }> {
  // The dashboard's origins are known once its server listens, below.
  const dashboardOrigins: string[] = [];
  const api = await startHttpApiServer({ port: options.apiPort, loadHandler: functions.apiHandler, cors: { ...API_CORS, allowOrigins: () => dashboardOrigins } });
  stoppers.add(() => api.close());
  if (options.dashboard === undefined || dashboardBuilt === undefined) return { api, dashboard: null };

  await dashboardBuilt;
  const serve = (port: number | undefined) =>
    startDashboardServer({ distDir: DASHBOARD_DIST, port, config: () => ({ apiUrl: api.url, webSocketUrl: webSocketApi.url }) });
  let dashboard: DashboardServer;
  try {
    dashboard = await serve(options.dashboard.port);
  } catch (error) {
    if (options.dashboard.fallbackToFreePort !== true || !/in use/.test(String(error))) throw error;
    dashboard = await serve(0);
  }
  stoppers.add(() => dashboard.close());
  // Both spellings of loopback reach the page; each is its own origin to a browser.
  dashboardOrigins.push(dashboard.origin, dashboard.origin.replace('127.0.0.1', 'localhost'));
  return { api, dashboard };
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

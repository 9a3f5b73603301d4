/**
 * The functions the local stack runs in-process, and the settings they get: the environment a
 * Lambda function would have in AWS, made of the process environment (read) with the local
 * stack's endpoints on top. Each function's configuration is parsed from that record and handed
 * to the function's factory; the Lambda entries (handler.ts …) are not imported.
 */
import type { APIGatewayAuthorizerResult, APIGatewayProxyResultV2, APIGatewayRequestAuthorizerEvent, Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DELIVERY_CHANNEL_TYPES, queueUrlSetting } from '../core/channels/registry';
import { AUTHORIZER, ROUTES } from '../functions/api/routes';
import type { SocketEvent } from '../functions/dashboard-socket/socket-event';
import { loadApiConfig, loadDashboardSocketConfig, loadEvaluatorConfig, loadNotifierConfig, type DeliveryQueuesConfig } from '../functions/shared/config';
import { openDb } from '../functions/shared/database';
import type { Db } from '../storage/dynamodb-client';
import type { Env } from '../functions/shared/env-settings';
import type { LambdaHandler } from './http-api-server';

export type { Env };

/** Where the local stack's services are, as the functions' settings need them. */
export interface FunctionEndpoints {
  region: string;
  tableName: string;
  dynamodbEndpoint: string;
  sesEndpoint: string;
  alertFromEmail: string;
  telegram: { apiBase: string; botToken: string };
  sqsEndpoint: string;
  queueUrls: DeliveryQueuesConfig['queueUrls'];
  /** Unset until the WebSocket API listens (the dashboard-socket functions do not need it). */
  websocketManagementEndpoint?: string;
  /** iTick's REST as the evaluator uses it (warm-up, previous close, history): base, token and the token's calls per minute; unset: no iTick. */
  itick: { restBase: string; token: string; restPerMinute: number } | undefined;
}

/**
 * The functions' environment: `base` (the process environment: tests and users may set any
 * function setting there, RULE_CACHE_CHECK_MS for one) with the stack's endpoints over it. The
 * functions' AWS clients get the local credentials with their endpoint settings
 * (core/local-credentials.ts).
 */
export function functionEnvironment(base: Env, endpoints: FunctionEndpoints): Env {
  return {
    ...base,
    AWS_REGION: endpoints.region,
    TABLE_NAME: endpoints.tableName,
    DYNAMODB_ENDPOINT: endpoints.dynamodbEndpoint,
    ALLOW_LOOPBACK_WEBHOOKS: 'true',
    // Local receivers listen on free ports; a test (or user) may set a narrower list.
    WEBHOOK_ALLOWED_PORTS: base.WEBHOOK_ALLOWED_PORTS || '1-65535',
    SES_ENDPOINT: endpoints.sesEndpoint,
    ALERT_FROM_EMAIL: endpoints.alertFromEmail,
    TELEGRAM_API_BASE: endpoints.telegram.apiBase,
    TELEGRAM_BOT_TOKEN: endpoints.telegram.botToken,
    SQS_ENDPOINT: endpoints.sqsEndpoint,
    ...Object.fromEntries(DELIVERY_CHANNEL_TYPES.map((type) => [queueUrlSetting(type), endpoints.queueUrls[type]])),
    ...(endpoints.websocketManagementEndpoint === undefined ? {} : { WEBSOCKET_MANAGEMENT_ENDPOINT: endpoints.websocketManagementEndpoint }),
    ...(endpoints.itick === undefined
      ? {}
      : { ITICK_TOKEN: endpoints.itick.token, ITICK_REST_BASE: endpoints.itick.restBase, ITICK_REST_PER_MINUTE: String(endpoints.itick.restPerMinute) }),
  };
}

type Handler<E, R> = (event: E, context: Context) => Promise<R>;

/** The dashboard WebSocket API's functions. */
export interface SocketFunctions {
  authorizer: Handler<APIGatewayRequestAuthorizerEvent, APIGatewayAuthorizerResult>;
  connect: Handler<SocketEvent, APIGatewayProxyResultV2>;
  disconnect: Handler<SocketEvent, APIGatewayProxyResultV2>;
  watch: Handler<SocketEvent, APIGatewayProxyResultV2>;
}

/** The other in-process functions. */
export interface LocalFunctions {
  evaluator: Handler<unknown, unknown>;
  outboxSweeper: Handler<unknown, unknown>;
  notifier: Handler<SQSEvent, SQSBatchResponse>;
  /** The HTTP API's handler of a route entry or the authorizer's (functions/api/routes.ts). */
  apiHandler: (entry: string) => Promise<LambdaHandler>;
  /** Closes the HTTP API functions' table client. */
  close(): void;
}

/**
 * Powertools reads its settings only from the process environment, when the functions' module-level
 * Logger and Metrics are made (at their import); it has no other way to set them for good (a
 * logger's later setLogLevel is undone by its middleware after each invocation). So these two
 * defaults are the one thing written there, before the function modules are imported: locally
 * the functions log only their warnings and publish no EMF, unless the environment says otherwise.
 */
async function importFunctionModules() {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const [dependencies, routes, authorizer, socketAuthorizer, connect, disconnect, watch, evaluator, sweeper, health, notifier] = await Promise.all([
    import('../functions/api/api-dependencies'),
    import('../functions/api/route-handlers'),
    import('../functions/authorizer/api-authorizer'),
    import('../functions/dashboard-socket/connection-authorizer'),
    import('../functions/dashboard-socket/connect-route'),
    import('../functions/dashboard-socket/disconnect-route'),
    import('../functions/dashboard-socket/watch-route'),
    import('../functions/evaluator/evaluator-function'),
    import('../functions/evaluator/outbox-sweeper-function'),
    import('../functions/health/health-route'),
    import('../functions/notifier/notifier-function'),
  ]);
  const socket = { ...socketAuthorizer, ...connect, ...disconnect, ...watch };
  return { dependencies, routes, authorizer, socket, evaluator, sweeper, health, notifier };
}

/** The function modules, imported once (see {@link importFunctionModules}). */
let functionModules: ReturnType<typeof importFunctionModules> | undefined;
const modules = () => (functionModules ??= importFunctionModules());

/** Makes the dashboard-socket functions on the table of `env` (a bad setting stops the start with its ConfigError). */
export async function loadSocketFunctions(env: Env): Promise<{ functions: SocketFunctions; db: Db }> {
  const { socket } = await modules();
  const config = loadDashboardSocketConfig(env);
  const db = openDb(config);
  return {
    functions: {
      authorizer: socket.createSocketAuthorizerHandler(db),
      connect: socket.createConnectHandler(db, config.dashboardSocketsPerOwner),
      disconnect: socket.createDisconnectHandler(db),
      watch: socket.createWatchHandler(db),
    },
    db,
  };
}

/** Makes the evaluator, the outbox sweeper, the notifier and the HTTP API's functions (one table client for the API's) from `env`. */
export async function loadFunctions(env: Env): Promise<LocalFunctions> {
  const { dependencies, routes, authorizer, evaluator, sweeper, health, notifier } = await modules();
  const apiConfig = loadApiConfig(env);
  const db = openDb(apiConfig);
  const services = dependencies.createApiServices(apiConfig, db);
  // Keyed by operation id, so that a route added to the table without a handler here does not compile.
  const byOperation = {
    createRule: routes.createRuleRoute(services),
    listRules: routes.listRulesRoute(services),
    getRule: routes.getRuleRoute(services),
    updateRule: routes.updateRuleRoute(services),
    deleteRule: routes.deleteRuleRoute(services),
    listAlerts: routes.listAlertsRoute(services),
    getHealth: health.getHealthRoute(db, apiConfig),
  } satisfies Record<(typeof ROUTES)[number]['operationId'], unknown>;
  const api = new Map<string, LambdaHandler>(ROUTES.map((route) => [route.entry, byOperation[route.operationId] as LambdaHandler]));
  api.set(AUTHORIZER.entry, authorizer.createApiAuthorizerHandler(db) as LambdaHandler);
  return {
    evaluator: evaluator.createEvaluatorHandler(loadEvaluatorConfig(env)),
    outboxSweeper: sweeper.createOutboxSweeperHandler(loadEvaluatorConfig(env)),
    notifier: await notifier.createNotifierHandler(loadNotifierConfig(env)),
    apiHandler: async (entry) => {
      const handler = api.get(entry);
      if (handler === undefined) throw new Error(`the local stack runs no function for ${entry}`);
      return handler;
    },
    close: () => db.doc.destroy(),
  };
}

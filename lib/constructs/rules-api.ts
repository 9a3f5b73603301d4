/**
 * The rules and alerts HTTP API (shared/spec/api.md): an API Gateway HTTP API with one Lambda per
 * route, built from the route table in functions/api/routes.ts, behind the API-key Lambda
 * authorizer. Throttled, CORS for the dashboard's origin, JSON access logs.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { API_CORS } from '../../dashboard/api-cors';
import { AUTHORIZER, ROUTES, routeKey } from '../../functions/api/routes';
import { routeFunctionName } from '../function-entries';
import type { ThrottleConfig } from '../stack-config';
import { AppFunction } from './app-function';
import { tableAccessOf } from '../table-access';
import type { Storage } from './storage';

export interface RulesApiProps {
  readonly storage: Storage;
  /** `['*']` or the dashboard's origins (by default its CloudFront origin: lib/stack.ts). */
  readonly corsOrigins: readonly string[];
  readonly throttle: ThrottleConfig;
  readonly logRetention: logs.RetentionDays;
  /** GET /health's HEARTBEAT_STALE_SECONDS. */
  readonly heartbeatStaleSeconds: number;
}

/**
 * How long API Gateway keeps an authorizer answer per Authorization header. A revoked key keeps
 * working until its cached answer expires, and issue #16 asks for 5 s at most: a short cache, not
 * a revocation check, because the authorizer's answer already is a consistent read of the key
 * item. It costs one authorizer invocation and one GetItem per key per 5 s of traffic instead of
 * per minute (docs/security.md ("API keys, dashboard sockets and webhook secrets")); the dashboard's bursts still share one lookup.
 */
export const AUTHORIZER_CACHE_TTL = Duration.seconds(5);

/** Access log line: one JSON object per request; never headers (they carry API keys). */
const ACCESS_LOG_FORMAT = apigateway.AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    ip: '$context.identity.sourceIp',
    requestTime: '$context.requestTime',
    routeKey: '$context.routeKey',
    path: '$context.path',
    status: '$context.status',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
  }),
);

export class RulesApi extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly authorizerFunction: AppFunction;
  /** The route functions by operation id (`createRule`, `getHealth`, …). */
  readonly routeFunctions: ReadonlyMap<string, AppFunction>;

  constructor(scope: Construct, id: string, props: RulesApiProps) {
    super(scope, id);
    const environment = { TABLE_NAME: props.storage.tableName };

    this.authorizerFunction = new AppFunction(this, 'Authorizer', {
      entry: AUTHORIZER.entry,
      description: 'HTTP API authorizer: API key to owner',
      service: 'api',
      environment,
      timeout: Duration.seconds(5),
      logRetention: props.logRetention,
    });
    props.storage.grant(this.authorizerFunction.fn, tableAccessOf('apiAuthorizer'));

    const authorizer = new HttpLambdaAuthorizer('ApiKeyAuthorizer', this.authorizerFunction.fn, {
      authorizerName: 'api-key',
      identitySource: [AUTHORIZER.identitySource],
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      resultsCacheTtl: AUTHORIZER_CACHE_TTL,
    });

    this.api = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'stock-alerts rules and alerts API',
      createDefaultStage: false,
      // What the dashboard needs (dashboard/api-cors.ts; the local HTTP API server applies the same).
      corsPreflight: {
        allowOrigins: [...props.corsOrigins],
        allowMethods: API_CORS.allowMethods.map((method) => apigwv2.CorsHttpMethod[method]),
        allowHeaders: [...API_CORS.allowHeaders],
        maxAge: Duration.seconds(API_CORS.maxAgeSeconds),
      },
    });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttle.rateLimit, burstLimit: props.throttle.burstLimit },
      accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
    });

    const routeFunctions = new Map<string, AppFunction>();
    for (const route of ROUTES) {
      const name = routeFunctionName(route);
      const fn = new AppFunction(this, name, {
        entry: route.entry,
        description: `${routeKey(route)}: ${route.summary}`,
        service: 'api',
        environment:
          route.path === '/health' ? { ...environment, HEARTBEAT_STALE_SECONDS: String(props.heartbeatStaleSeconds) } : environment,
        timeout: Duration.seconds(10),
        logRetention: props.logRetention,
      });
      // Each route's own partitions and actions (lib/table-access.ts), by its operation id.
      props.storage.grant(fn.fn, tableAccessOf(route.operationId));
      const [routeConstruct] = this.api.addRoutes({
        path: route.path,
        methods: [apigwv2.HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${name}Integration`, fn.fn),
        ...(route.authorized ? { authorizer } : {}),
      });
      if (!route.authorized && routeConstruct !== undefined) {
        Validations.of(routeConstruct).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${routeKey(route)} is public by the API contract (shared/spec/api.md): it answers only whether the feed is live.`,
        });
      }
      routeFunctions.set(name, fn);
    }
    this.routeFunctions = routeFunctions;
  }

  /** `https://{api-id}.execute-api.{region}.amazonaws.com/` */
  get url(): string {
    return this.stage.url;
  }
}

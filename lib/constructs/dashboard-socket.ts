/**
 * The dashboard's live channel: an API Gateway WebSocket API whose `$connect` is behind a Lambda
 * authorizer and records the connection, whose `$default` takes the page's watch list (the
 * symbols it wants live prices for), and whose `$disconnect` forgets both. The notifier pushes
 * alerts and the ingest task posts prices through the stage's management endpoint
 * ({@link DashboardSocket.managementEndpoint}).
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import { FUNCTION_ENTRIES } from '../function-entries';
import { acknowledgeWildcardResource } from '../nag-acknowledgements';
import { TABLE_ACCESS } from '../table-access';
import type { ThrottleConfig } from '../stack-config';
import { AppFunction } from './app-function';
import type { Storage } from './storage';

/**
 * The browser passes the API key as a WebSocket subprotocol (`new WebSocket(url, [key])`): a
 * browser cannot set an Authorization header on a WebSocket, and a key in the URL would end up in
 * logs and histories.
 */
export const SOCKET_IDENTITY_SOURCE = 'route.request.header.Sec-WebSocket-Protocol';

export const SOCKET_STAGE_NAME = 'live';

export interface DashboardSocketProps {
  readonly storage: Storage;
  readonly throttle: ThrottleConfig;
  readonly logRetention: logs.RetentionDays;
}

export class DashboardSocket extends Construct {
  readonly api: apigwv2.WebSocketApi;
  readonly stage: apigwv2.WebSocketStage;
  readonly functions: { readonly authorizer: AppFunction; readonly connect: AppFunction; readonly disconnect: AppFunction; readonly watch: AppFunction };

  constructor(scope: Construct, id: string, props: DashboardSocketProps) {
    super(scope, id);
    const common = {
      service: 'dashboard-socket',
      environment: { TABLE_NAME: props.storage.tableName },
      timeout: Duration.seconds(5),
      logRetention: props.logRetention,
    };
    const authorizer = new AppFunction(this, 'Authorizer', {
      ...common,
      entry: FUNCTION_ENTRIES.socketAuthorizer,
      description: 'Dashboard WebSocket authorizer: API key (subprotocol) to owner',
    });
    const connect = new AppFunction(this, 'Connect', { ...common, entry: FUNCTION_ENTRIES.socketConnect, description: 'Dashboard WebSocket $connect: records the connection' });
    const disconnect = new AppFunction(this, 'Disconnect', {
      ...common,
      entry: FUNCTION_ENTRIES.socketDisconnect,
      description: 'Dashboard WebSocket $disconnect: forgets the connection and its watches',
    });
    const watch = new AppFunction(this, 'Watch', { ...common, entry: FUNCTION_ENTRIES.socketWatch, description: 'Dashboard WebSocket $default: the symbols a page watches' });
    // Exactly what storage/connections-repository.ts, storage/watches-repository.ts and the key
    // lookup do: the authorizer reads the key, $connect puts the two connection items (one
    // transaction), $disconnect reads the connection's owner and watch list and deletes the
    // items, $default reads the watch list and puts and deletes watch items (one transaction).
    props.storage.grant(authorizer.fn, TABLE_ACCESS.socketAuthorizer);
    props.storage.grant(connect.fn, TABLE_ACCESS.socketConnect);
    props.storage.grant(disconnect.fn, TABLE_ACCESS.socketDisconnect);
    props.storage.grant(watch.fn, TABLE_ACCESS.socketWatch);
    this.functions = { authorizer, connect, disconnect, watch };

    this.api = new apigwv2.WebSocketApi(this, 'Api', {
      description: 'stock-alerts dashboard: live alerts',
      connectRouteOptions: {
        integration: new WebSocketLambdaIntegration('ConnectIntegration', connect.fn),
        authorizer: new WebSocketLambdaAuthorizer('ApiKeyAuthorizer', authorizer.fn, {
          authorizerName: 'api-key',
          identitySource: [SOCKET_IDENTITY_SOURCE],
        }),
      },
      disconnectRouteOptions: { integration: new WebSocketLambdaIntegration('DisconnectIntegration', disconnect.fn) },
      // Route selection reads `action`; the only message a page sends ({"action":"watch"}) goes to $default.
      defaultRouteOptions: { integration: new WebSocketLambdaIntegration('WatchIntegration', watch.fn) },
    });
    this.stage = new apigwv2.WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: SOCKET_STAGE_NAME,
      autoDeploy: true,
      throttle: { rateLimit: props.throttle.rateLimit, burstLimit: props.throttle.burstLimit },
    });

    // The WebSocketApi L2 names its route constructs `<route key>-Route`.
    for (const routeKey of ['$disconnect', '$default']) {
      const route = this.api.node.tryFindChild(`${routeKey}-Route`);
      if (route === undefined) throw new Error(`the ${routeKey} route construct was not found`);
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: `API Gateway runs an authorizer only on $connect; ${routeKey} belongs to a connection that was authorized when it opened (and carries its owner from then).`,
      });
    }
    Validations.of(this.stage).acknowledge({
      id: 'AwsSolutions-APIG1',
      reason:
        "Access logs of a WebSocket stage need the account-wide API Gateway CloudWatch role (AWS::ApiGateway::Account), a setting this stack should not take over in a user's account. Every connect, disconnect and authorization is logged by its function instead.",
    });
  }

  /** `wss://{api-id}.execute-api.{region}.amazonaws.com/live`: what the dashboard connects to. */
  get url(): string {
    return this.stage.url;
  }

  /** `https://{api-id}.execute-api.{region}.amazonaws.com/live`: where PostToConnection goes. */
  get managementEndpoint(): string {
    return this.stage.callbackUrl;
  }

  /** The stage's connections, for PostToConnection: `arn:…:execute-api:…:{api-id}/live/POST/@connections/*`. */
  get postToConnectionArn(): string {
    return Stack.of(this).formatArn({ service: 'execute-api', resource: this.api.apiId, resourceName: `${this.stage.stageName}/POST/@connections/*` });
  }

  /**
   * execute-api:ManageConnections for PostToConnection on this stage's connections only (the
   * notifier and the ingest task neither read nor close connections through the API).
   */
  grantPostToConnection(grantee: iam.IGrantable & IConstruct): iam.Grant {
    const grant = iam.Grant.addToPrincipal({ grantee, actions: ['execute-api:ManageConnections'], resourceArns: [this.postToConnectionArn] });
    acknowledgeWildcardResource(grantee, this.postToConnectionArn, 'Connection ids exist only at run time; the grant is limited to PostToConnection on the dashboard stage.');
    return grant;
  }
}

import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { loadStorageConfig } from '../../functions/shared/config';
import { DashboardSocket, SOCKET_IDENTITY_SOURCE } from '../../lib/constructs/dashboard-socket';
import { Storage } from '../../lib/constructs/storage';
import { functionProperties, nagFindings, sampleEnvironment, statementsOfRole, testStack } from './stack-fixture';

const stack = testStack();
const storage = new Storage(stack, 'Storage');
const socket = new DashboardSocket(stack, 'Socket', { storage, throttle: { rateLimit: 10, burstLimit: 20 }, logRetention: RetentionDays.ONE_MONTH });
const pusher = new iam.Role(stack, 'Pusher', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
socket.grantPostToConnection(pusher);
const template = Template.fromStack(stack);
const apiId = Object.keys(template.findResources('AWS::ApiGatewayV2::Api'))[0];

describe('DashboardSocket', () => {
  it('is a WebSocket API with $connect behind the API-key authorizer, $default for watch lists and $disconnect', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$connect', AuthorizationType: 'CUSTOM' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$disconnect', AuthorizationType: 'NONE' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default', AuthorizationType: 'NONE' });
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 3);
  });

  it('reads the API key from the WebSocket subprotocol, so it never appears in a URL', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'REQUEST', IdentitySource: [SOCKET_IDENTITY_SOURCE] });
  });

  it('deploys a throttled stage whose URLs the stack hands out', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: 'live',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
    });
    expect(stack.resolve(socket.url)).toEqual({ 'Fn::Join': ['', ['wss://', { Ref: apiId }, '.execute-api.us-east-1.', { Ref: 'AWS::URLSuffix' }, '/live']] });
    expect(stack.resolve(socket.managementEndpoint)).toEqual({
      'Fn::Join': ['', ['https://', { Ref: apiId }, '.execute-api.us-east-1.', { Ref: 'AWS::URLSuffix' }, '/live']],
    });
  });

  it('gives its four functions the table name and only the item actions they use', () => {
    for (const name of ['Authorizer', 'Connect', 'Disconnect', 'Watch']) {
      const { Environment, Runtime, Architectures } = functionProperties(template, `Socket${name}Function`);
      expect(Runtime).toBe('nodejs22.x');
      expect(Architectures).toEqual(['arm64']);
      expect(() => loadStorageConfig(sampleEnvironment(template, Environment.Variables))).not.toThrow();
    }
    const tableActions = (name: string) => [...new Set(statementsOfRole(template, `Socket${name}Role`).flatMap((s) => [s.Action].flat().filter((a) => a.startsWith('dynamodb:'))))].sort();
    expect(tableActions('Authorizer')).toEqual(['dynamodb:GetItem']);
    // Query: the owner's socket slots (DASHBOARD_SOCKETS_PER_OWNER) before the claiming transaction.
    expect(tableActions('Connect')).toEqual(['dynamodb:PutItem', 'dynamodb:Query']);
    expect(tableActions('Disconnect')).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem']);
    expect(tableActions('Watch')).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem']);
  });

  it('grants PostToConnection on this stage’s connections only', () => {
    expect(statementsOfRole(template, 'PusherDefaultPolicy')).toEqual([
      {
        Effect: 'Allow',
        Action: 'execute-api:ManageConnections',
        Resource: { 'Fn::Join': ['', ['arn:aws:execute-api:us-east-1:123456789012:', { Ref: apiId }, '/live/POST/@connections/*']] },
      },
    ]);
  });

  it('passes cdk-nag AwsSolutions, with the $disconnect and $default routes and the stage logs acknowledged', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

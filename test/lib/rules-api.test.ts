import { Match, Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { AUTHORIZER, ROUTES, routeKey } from '../../functions/api/routes';
import { loadApiConfig } from '../../functions/shared/config';
import { RulesApi } from '../../lib/constructs/rules-api';
import { Storage } from '../../lib/constructs/storage';
import { functionProperties, nagFindings, sampleEnvironment, statementsOfRole, testStack } from './stack-fixture';

const stack = testStack();
const storage = new Storage(stack, 'Storage');
new RulesApi(stack, 'RulesApi', {
  storage,
  corsOrigins: ['https://alerts.example.com'],
  throttle: { rateLimit: 25, burstLimit: 50 },
  logRetention: RetentionDays.TWO_WEEKS,
  heartbeatStaleSeconds: 30,
});
const template = Template.fromStack(stack);
const tableArn = { 'Fn::GetAtt': [Object.keys(template.findResources('AWS::DynamoDB::GlobalTable'))[0], 'Arn'] };

describe('RulesApi', () => {
  it('has every route of the route table, behind the authorizer unless the table says public', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => (r as { Properties: { RouteKey: string; AuthorizationType: string } }).Properties,
    );
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(ROUTES.map(routeKey).sort());
    for (const route of ROUTES) {
      const found = routes.find((r) => r.RouteKey === routeKey(route));
      expect(found?.AuthorizationType, routeKey(route)).toBe(route.authorized ? 'CUSTOM' : 'NONE');
    }
  });

  it('uses a Lambda authorizer with payload 2.0, simple responses and a 5-second cache on the Authorization header (a revoked key stops within 5 s)', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      AuthorizerResultTtlInSeconds: 5,
      IdentitySource: [AUTHORIZER.identitySource],
    });
  });

  it('builds one ARM64 Node.js 22 function per route, plus the authorizer, with retained-for-a-while logs', () => {
    template.resourceCountIs('AWS::Lambda::Function', ROUTES.length + 1);
    template.allResourcesProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler' });
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
    template.allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'api', POWERTOOLS_METRICS_NAMESPACE: 'StockAlerts', NODE_OPTIONS: '--enable-source-maps' } },
      LoggingConfig: { LogGroup: {} },
    });
  });

  it("gives each function settings its configuration accepts, and GET /health the alarms' stale threshold", () => {
    for (const name of [...ROUTES.map((r) => r.operationId), 'Authorizer']) {
      const { Environment } = functionProperties(template, `RulesApi${name}Function`);
      expect(() => loadApiConfig(sampleEnvironment(template, Environment.Variables)), name).not.toThrow();
    }
    expect(functionProperties(template, 'RulesApigetHealthFunction').Environment.Variables.HEARTBEAT_STALE_SECONDS).toBe('30');
  });

  it('throttles the stage, logs every request as JSON and answers CORS for the dashboard origin', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 25, ThrottlingBurstLimit: 50 },
      AccessLogSettings: {
        DestinationArn: Match.anyValue(),
        Format: Match.serializedJson(Match.objectLike({ requestId: '$context.requestId', routeKey: '$context.routeKey', status: '$context.status' })),
      },
    });
    // Headers carry API keys: the access log has none.
    expect(JSON.stringify(template.findResources('AWS::ApiGatewayV2::Stage'))).not.toMatch(/header/i);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: {
        AllowOrigins: ['https://alerts.example.com'],
        AllowHeaders: ['authorization', 'content-type'],
        AllowMethods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
      },
    });
  });

  it('lets read routes read and write routes write the table, and nothing else', () => {
    for (const route of ROUTES) {
      const table = statementsOfRole(template, `RulesApi${route.operationId}Role`).filter((s) => JSON.stringify(s.Action).includes('dynamodb'));
      // Which partitions: test/lib/least-privilege.test.ts.
      // The table itself, or (GET /alerts?ruleId=) the alerts-by-rule index of it.
      const alertsByRule = { 'Fn::Join': ['', [tableArn, '/index/GSI4']] };
      for (const statement of table) expect([tableArn, ...(route.path === '/alerts' ? [alertsByRule] : [])], routeKey(route)).toContainEqual(statement.Resource);
      const actions = [...new Set(table.flatMap((s) => [s.Action].flat()))].sort();
      if (route.path.startsWith('/rules')) {
        expect(actions, routeKey(route)).toEqual(
          route.tableAccess === 'read'
            ? ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query']
            : ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        );
      } else {
        // GET /health also Queries the caller's rules and socket slots when a key comes with it.
        expect(actions, routeKey(route)).toEqual(['dynamodb:Query', ...(route.path === '/health' ? ['dynamodb:GetItem'] : [])].sort());
      }
    }
  });

  it('gives functions no managed policy: each role may only write its own log group', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect((role as { Properties: { ManagedPolicyArns?: unknown } }).Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('passes cdk-nag AwsSolutions', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

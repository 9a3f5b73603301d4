import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { readConfig as readIngestConfig } from '../../ingest-task/src/config';
import { ASSET_CACHE_CONTROL, ENTRY_CACHE_CONTROL, SECURITY_HEADERS } from '../../dashboard/security-headers';
import { DashboardSite } from '../../lib/constructs/dashboard-site';
import { actionsOf, iamStatements, nagFindings, resourcesOf, sampleValue, stockAlertsStack, testStack } from './stack-fixture';

// The whole stack (bundling skipped: the asset is a placeholder), as bin/app.ts builds it.
const { stack, template } = stockAlertsStack();
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
const idOf = (type: string, prefix: string) => {
  const found = Object.entries(resources).filter(([id, r]) => r.Type === type && id.startsWith(prefix));
  if (found.length !== 1) throw new Error(`expected one ${type} ${prefix}*, found ${found.length}`);
  return (found[0] as [string, unknown])[0];
};
const distributionId = idOf('AWS::CloudFront::Distribution', 'DashboardSite');
const bucketId = idOf('AWS::S3::Bucket', 'DashboardSiteBucket');
const httpApiId = idOf('AWS::ApiGatewayV2::Api', 'RulesApi');
const socketApiId = idOf('AWS::ApiGatewayV2::Api', 'DashboardSocket');
const siteOrigin = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]] };

describe('DashboardSite', () => {
  it('keeps the build in a private, encrypted bucket that only the distribution reads, over TLS', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', { OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always' } });
    const policy = JSON.stringify(Object.values(template.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: bucketId } } }))[0]);
    expect(policy).toContain('"aws:SecureTransport":"false"');
    expect(policy).toContain('cloudfront.amazonaws.com');
    expect(policy).toContain(distributionId);
    expect(policy).not.toContain('"Principal":"*","Action":"s3:GetObject"');
  });

  it('serves over HTTPS only: index.html and config.json never cached at the edge, content-hashed assets cached', () => {
    const config = resources[distributionId]?.Properties.DistributionConfig as {
      DefaultRootObject: string;
      DefaultCacheBehavior: Record<string, unknown>;
      CacheBehaviors: Record<string, unknown>[];
    };
    expect(config.DefaultRootObject).toBe('index.html');
    // CloudFront's managed policies: CachingDisabled and CachingOptimized.
    expect(config.DefaultCacheBehavior).toMatchObject({ ViewerProtocolPolicy: 'redirect-to-https', CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', Compress: true });
    expect(config.CacheBehaviors).toEqual([
      expect.objectContaining({ PathPattern: 'assets/*', ViewerProtocolPolicy: 'redirect-to-https', CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6' }),
    ]);
  });

  it('adds the security headers of dashboard/security-headers.ts, with a CSP that lets the page reach only execute-api', () => {
    const policies = Object.values(template.findResources('AWS::CloudFront::ResponseHeadersPolicy')) as Array<{ Properties: { ResponseHeadersPolicyConfig: unknown } }>;
    expect(policies).toHaveLength(2);
    const cacheControls: unknown[] = [];
    for (const { Properties } of policies) {
      const config = Properties.ResponseHeadersPolicyConfig as {
        SecurityHeadersConfig: Record<string, Record<string, unknown>>;
        CustomHeadersConfig: { Items: { Header: string; Value: string }[] };
      };
      const security = config.SecurityHeadersConfig;
      expect(security.FrameOptions).toEqual({ FrameOption: SECURITY_HEADERS['X-Frame-Options'], Override: true });
      expect(security.ReferrerPolicy).toEqual({ ReferrerPolicy: SECURITY_HEADERS['Referrer-Policy'], Override: true });
      expect(security.ContentTypeOptions).toEqual({ Override: true });
      expect(security.StrictTransportSecurity).toMatchObject({ AccessControlMaxAgeSec: 63_072_000, IncludeSubdomains: true });
      const csp = JSON.stringify(security.ContentSecurityPolicy);
      for (const part of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", 'https://*.execute-api.us-east-1.', 'wss://*.execute-api.us-east-1.']) {
        expect(csp).toContain(part);
      }
      const custom = Object.fromEntries(config.CustomHeadersConfig.Items.map((item) => [item.Header, item.Value]));
      expect(custom['Cross-Origin-Opener-Policy']).toBe(SECURITY_HEADERS['Cross-Origin-Opener-Policy']);
      expect(custom['Permissions-Policy']).toBe(SECURITY_HEADERS['Permissions-Policy']);
      cacheControls.push(custom['Cache-Control']);
    }
    expect(cacheControls.sort()).toEqual([ASSET_CACHE_CONTROL, ENTRY_CACHE_CONTROL].sort());
  });

  it('deploys the build and a config.json written at deploy time from the deployed APIs’ URLs', () => {
    const deployment = Object.values(template.findResources('Custom::CDKBucketDeployment'))[0] as { Properties: Record<string, unknown> };
    expect(deployment.Properties).toMatchObject({ DestinationBucketName: { Ref: bucketId }, Prune: true, RetainOnDelete: false });
    expect(deployment.Properties.SourceObjectKeys).toHaveLength(2);
    // config.json's values are deploy-time tokens: the HTTP API and the WebSocket API of this stack.
    const markers = JSON.stringify(deployment.Properties.SourceMarkers);
    expect(markers).toContain(`{"Ref":"${httpApiId}"}`);
    expect(markers).toContain(`{"Ref":"${socketApiId}"}`);
  });

  it('lets the copying function touch only the assets bucket, the site bucket and its own log group', () => {
    const statements = iamStatements(template).filter(({ policy }) => policy.startsWith('DashboardSiteDeploymentRole'));
    expect(statements.length).toBeGreaterThan(0);
    for (const { statement } of statements) {
      for (const action of actionsOf(statement)) expect(action).toMatch(/^(s3|logs):/);
      for (const resource of resourcesOf(statement)) {
        const text = JSON.stringify(resource);
        expect(text.includes(bucketId) || text.includes('cdk-hnb659fds-assets') || text.includes('DashboardSiteDeploymentLogs'), text).toBe(true);
      }
    }
    const role = Object.values(template.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('dashboard build') } }))[0] as { Properties: Record<string, unknown> };
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('outputs the dashboard URL, and the HTTP API answers CORS for exactly that origin by default', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.DashboardUrl?.Value).toEqual(siteOrigin);
    expect(resources[httpApiId]?.Properties.CorsConfiguration).toMatchObject({
      AllowOrigins: [siteOrigin],
      AllowHeaders: ['authorization', 'content-type'],
      AllowMethods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
    });
  });

  it('takes other CORS origins from the dashboardOrigin context', () => {
    const custom = stockAlertsStack({ context: { dashboardOrigin: 'https://alerts.example.com' } }).template;
    custom.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP', CorsConfiguration: { AllowOrigins: ['https://alerts.example.com'] } });
  });

  it('gives the ingest task the management endpoint and the grants to post live prices and forget gone pages', () => {
    const container = (Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0] as { Properties: { ContainerDefinitions: { Environment: { Name: string; Value: unknown }[] }[] } })
      .Properties.ContainerDefinitions[0];
    const environment = Object.fromEntries((container?.Environment ?? []).map((e) => [e.Name, sampleValue(template, e.Value)]));
    expect(environment.WEBSOCKET_MANAGEMENT_ENDPOINT).toBe('https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/live');
    expect(readIngestConfig({ ...environment, ITICK_TOKEN: 'secret' }).prices.managementEndpoint).toBe(environment.WEBSOCKET_MANAGEMENT_ENDPOINT);

    const taskRole = iamStatements(template).filter(({ policy }) => policy.startsWith('IngestServiceTaskTaskRole'));
    const actions = [...new Set(taskRole.flatMap(({ statement }) => actionsOf(statement)))].sort();
    expect(actions).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'execute-api:ManageConnections', 'lambda:InvokeFunction']);
    const manage = taskRole.find(({ statement }) => actionsOf(statement).includes('execute-api:ManageConnections'));
    expect(JSON.stringify(manage?.statement.Resource)).toContain(`{"Ref":"${socketApiId}"},"/live/POST/@connections/*"`);
  });

  it('passes cdk-nag AwsSolutions on its own, each exception acknowledged with a reason', () => {
    const own = testStack();
    new DashboardSite(own, 'Site', { logRetention: RetentionDays.ONE_MONTH }).publish({ apiUrl: 'https://api.example.com/', webSocketUrl: 'wss://ws.example.com/live' });
    expect(nagFindings(own)).toEqual([]);
    expect(() => (Stack.of(own).node.findChild('Site') as DashboardSite).publish({ apiUrl: 'x', webSocketUrl: 'y' })).toThrow('already published');
    expect(stack.dashboardSite.url).toContain('https://');
  });
});

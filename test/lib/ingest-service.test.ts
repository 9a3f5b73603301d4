import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { readConfig as readIngestConfig } from '../../ingest-task/src/config';
import { AppFunction } from '../../lib/constructs/app-function';
import { dockerBuildInputs, INGEST_DOCKERFILE, IngestService } from '../../lib/constructs/ingest-service';
import { Storage } from '../../lib/constructs/storage';
import { FUNCTION_ENTRIES } from '../../lib/function-entries';
import { nagFindings, sampleValue, statementsOfRole, testApp, testStack } from './stack-fixture';

const app = testApp();
const stack = testStack(app);
const storage = new Storage(stack, 'Storage');
const evaluator = new AppFunction(stack, 'Evaluator', {
  entry: FUNCTION_ENTRIES.evaluator,
  description: 'evaluator',
  service: 'evaluator',
  timeout: Duration.seconds(8),
  logRetention: RetentionDays.ONE_MONTH,
});
const ingest = new IngestService(stack, 'Ingest', {
  storage,
  evaluator,
  itick: {
    maxSymbolsPerConnection: 500,
    connections: 2,
    wsUrl: 'wss://proxy.example.com/itick/stock',
    marketWsUrls: { crypto: 'wss://crypto.example.com/crypto' },
    pingIntervalMs: 20_000,
    pongTimeoutMs: 8_000,
  },
  batchWindowMs: 200,
  logRetention: RetentionDays.TWO_WEEKS,
});
const template = Template.fromStack(stack);
const taskDefinition = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0] as {
  Properties: { ContainerDefinitions: Record<string, unknown>[]; Cpu: string; Memory: string; RuntimePlatform: unknown; Volumes: unknown[] };
};
const container = taskDefinition.Properties.ContainerDefinitions[0] as {
  Environment: { Name: string; Value: unknown }[];
  Secrets: { Name: string; ValueFrom: unknown }[];
  HealthCheck: unknown;
  LogConfiguration: { LogDriver: string; Options: Record<string, unknown> };
  ReadonlyRootFilesystem: boolean;
  MountPoints: unknown[];
};
const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);

describe('IngestService', () => {
  it('runs one ARM64 task of 0.25 vCPU and 0.5 GB', () => {
    expect(taskDefinition.Properties).toMatchObject({
      Cpu: '256',
      Memory: '512',
      RequiresCompatibilities: ['FARGATE'],
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
    });
  });

  it('keeps exactly one task, also while deploying (stop first, then start), and rolls back a failing deployment', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      DesiredCount: 1,
      LaunchType: 'FARGATE',
      DeploymentConfiguration: { MinimumHealthyPercent: 0, MaximumPercent: 100, DeploymentCircuitBreaker: { Enable: true, Rollback: true } },
      AvailabilityZoneRebalancing: 'DISABLED',
    });
  });

  it('sits in public subnets with a public IP, no NAT gateway, and a security group that lets nothing in and only HTTPS out', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    for (const subnet of Object.values(template.findResources('AWS::EC2::Subnet'))) {
      expect((subnet as { Properties: { MapPublicIpOnLaunch: boolean } }).Properties.MapPublicIpOnLaunch).toBe(true);
    }
    template.hasResourceProperties('AWS::ECS::Service', { NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'ENABLED' } } });
    const groups = template.findResources('AWS::EC2::SecurityGroup') as Record<string, { Properties: { SecurityGroupIngress?: unknown; SecurityGroupEgress: unknown } }>;
    const group = groups[Object.keys(groups).find((id) => id.startsWith('IngestTaskSecurityGroup')) ?? ''];
    expect(group?.Properties.SecurityGroupIngress).toBeUndefined();
    expect(group?.Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 })]);
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });

  it('logs rejected traffic of the VPC', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT', LogDestinationType: 'cloud-watch-logs' });
  });

  it("gives the container the ingest task's settings, which its own parser accepts with the values from context", () => {
    const env = Object.fromEntries(container.Environment.map(({ Name, Value }) => [Name, sampleValue(template, Value)]));
    const config = readIngestConfig({ ...env, ITICK_TOKEN: 'from-secrets-manager' });
    expect(config.itick).toMatchObject({ maxSymbolsPerConnection: 500, connections: 2, url: 'wss://proxy.example.com/itick/stock', pingIntervalMs: 20_000, pongTimeoutMs: 8_000 });
    // One market's own URL; the others follow the stock URL's origin and prefix.
    expect(config.itick.urls).toMatchObject({ crypto: 'wss://crypto.example.com/crypto', forex: 'wss://proxy.example.com/itick/forex', fund: 'wss://proxy.example.com/itick/fund' });
    expect(config.batch.windowMs).toBe(200);
    expect(config.evaluator.functionName).toBe(`StockAlerts-${logicalId(evaluator.fn)}`);
    expect(config.region).toBe('us-east-1');
  });

  it('takes the iTick token from Secrets Manager, never from the environment or the template', () => {
    expect(container.Environment.map((e) => e.Name)).not.toContain('ITICK_TOKEN');
    expect(container.Secrets).toEqual([{ Name: 'ITICK_TOKEN', ValueFrom: { Ref: logicalId(ingest.itickToken) } }]);
    const secret = template.findResources('AWS::SecretsManager::Secret')[logicalId(ingest.itickToken)] as { Properties: Record<string, unknown> };
    expect(secret.Properties.SecretString).toBeUndefined();
    // A generated placeholder, so the first task can start before the user puts the real token.
    expect(secret.Properties.GenerateSecretString).toEqual({ ExcludePunctuation: true, PasswordLength: 32 });
  });

  it('checks health like the Dockerfile does, logs to CloudWatch with a retention and writes only to /tmp', () => {
    expect(container.HealthCheck).toEqual({ Command: ['CMD', 'node', 'healthcheck.mjs'], Interval: 30, Timeout: 5, Retries: 3, StartPeriod: 30 });
    expect(container.LogConfiguration.LogDriver).toBe('awslogs');
    expect(container.LogConfiguration.Options['awslogs-group']).toEqual({ Ref: logicalId(ingest.logGroup) });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
    expect(container.ReadonlyRootFilesystem).toBe(true);
    expect(container.MountPoints).toEqual([{ ContainerPath: '/tmp', ReadOnly: false, SourceVolume: 'tmp' }]);
  });

  it('may invoke the evaluator itself and query, put and update items in the table, nothing else', () => {
    const taskRole = statementsOfRole(template, 'IngestTaskTaskRole');
    expect(taskRole).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [logicalId(evaluator.fn), 'Arn'] } },
      ...[
        { Action: ['dynamodb:Query', 'dynamodb:UpdateItem'], partitions: ['SYMBOLS'] },
        { Action: 'dynamodb:Query', partitions: ['WATCH'] },
        { Action: 'dynamodb:PutItem', partitions: ['HEARTBEAT'] },
      ].map(({ Action, partitions }) => ({
        Effect: 'Allow',
        Action,
        Resource: { 'Fn::GetAtt': [logicalId(storage.table), 'Arn'] },
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': partitions } },
      })),
    ]);
    const executionRole = statementsOfRole(template, 'IngestTaskExecutionRole');
    expect(executionRole).toContainEqual(
      expect.objectContaining({ Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Resource: { Ref: logicalId(ingest.itickToken) } }),
    );
    const wildcards = executionRole.filter((s) => s.Resource === '*').flatMap((s) => [s.Action].flat());
    expect(wildcards).toEqual(['ecr:GetAuthorizationToken']);
  });

  it('stages the image from ingest-task/Dockerfile for linux/arm64 at synth, with only what the Dockerfile copies', () => {
    const assembly = app.synth();
    const manifest = JSON.parse(readFileSync(path.join(assembly.directory, `${stack.artifactId}.assets.json`), 'utf8')) as {
      dockerImages: Record<string, { source: { directory: string; dockerFile: string; platform: string } }>;
    };
    const images = Object.values(manifest.dockerImages);
    expect(images).toHaveLength(1);
    const source = images[0]?.source;
    expect(source).toMatchObject({ dockerFile: INGEST_DOCKERFILE, platform: 'linux/arm64' });
    const staged = path.join(assembly.directory, source?.directory ?? '');
    expect(readdirSync(staged).sort()).toEqual([...dockerBuildInputs()].sort());
    expect(existsSync(path.join(staged, INGEST_DOCKERFILE))).toBe(true);
    expect(existsSync(path.join(staged, 'node_modules'))).toBe(false);
  });

  it("reads the build inputs from the Dockerfile's COPY lines", () => {
    expect(dockerBuildInputs()).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'core', 'storage', 'ingest-task']));
  });

  it('passes cdk-nag AwsSolutions, each acknowledgement with its reason', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

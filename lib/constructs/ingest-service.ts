/**
 * The ingest task on ECS Fargate: exactly one container that keeps iTick's WebSocket open and
 * hands batches to the evaluator (ingest-task/, docs/ingest.md).
 *
 * Exactly one, also during deployments (minimum healthy 0 %, maximum 100 %): iTick allows one
 * connection per key, so a second task would knock the first off. A deployment therefore stops the
 * old task before the new one starts (a gap of about a minute in the feed).
 *
 * Network: the cheapest sound one. Public subnets, no NAT gateway (~$32/month) and no interface
 * endpoints (~$7/month each, and five would be needed); the task gets a public IPv4 address
 * ($0.005/hour) and a security group with no inbound rule at all and HTTPS as the only way out.
 * Nothing can connect to the task; it only dials iTick and AWS APIs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Duration, IgnoreMode, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { MARKET_INFO, type Market } from '../../core/rule-model/market';
import { REPO_ROOT } from '../function-bundling';
import { acknowledgeWildcardResource } from '../nag-acknowledgements';
import { TABLE_ACCESS } from '../table-access';
import type { AppFunction } from './app-function';
import type { DashboardSocket } from './dashboard-socket';
import type { Storage } from './storage';

/** The image's Dockerfile, relative to the build context (the repository root). */
export const INGEST_DOCKERFILE = 'ingest-task/Dockerfile';

/** 0.25 vCPU / 0.5 GB: the task's memory bound is ~110 MB of points plus Node (docs/ingest.md). */
export const INGEST_CPU_UNITS = 256;
export const INGEST_MEMORY_MIB = 512;

/**
 * What the image build reads: the sources of the Dockerfile's COPY instructions (the build stage
 * copies from the context; `--from=` copies are between stages). The asset stages only these, so
 * the image is rebuilt when they change and not for a README edit.
 */
export function dockerBuildInputs(dockerfile: string = path.join(REPO_ROOT, INGEST_DOCKERFILE)): string[] {
  const inputs = new Set<string>();
  for (const line of readFileSync(dockerfile, 'utf8').split('\n')) {
    const match = /^\s*(?:COPY|ADD)\s+(.+)$/i.exec(line);
    if (match?.[1] === undefined) continue;
    const args = match[1].trim().split(/\s+/);
    if (args.some((arg) => arg.startsWith('--from'))) continue;
    for (const source of args.filter((arg) => !arg.startsWith('--')).slice(0, -1)) inputs.add(source.replace(/^\.\//, '').replace(/\/$/, ''));
  }
  if (inputs.size === 0) throw new Error(`${dockerfile} copies nothing from the build context`);
  return [...inputs];
}

export interface IngestServiceProps {
  readonly storage: Storage;
  readonly evaluator: AppFunction;
  readonly itick: {
    readonly maxSymbolsPerConnection: number | undefined;
    readonly connections: number;
    /** ITICK_WS_URL; unset: the task's default. */
    readonly wsUrl?: string | undefined;
    /** ITICK_WS_URL_<CLASS> for these markets; the others derive from the stock URL. */
    readonly marketWsUrls?: Readonly<Partial<Record<Market, string>>>;
    readonly pingIntervalMs?: number;
    readonly pongTimeoutMs?: number;
  };
  readonly batchWindowMs: number;
  readonly logRetention: logs.RetentionDays;
  /** The dashboards' WebSocket API: the task posts live prices to the pages that watch a symbol. Unset: no live prices. */
  readonly dashboardSocket?: DashboardSocket;
}

export class IngestService extends Construct {
  readonly vpc: ec2.Vpc;
  readonly cluster: ecs.Cluster;
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly logGroup: logs.LogGroup;
  /** The iTick API token; a generated placeholder until the user puts the real one. */
  readonly itickToken: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: IngestServiceProps) {
    super(scope, id);

    this.vpc = new ec2.Vpc(this, 'Network', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
      // The default security group is used by nothing here; restricting it would add a custom
      // resource (a Lambda with its own role) to the stack for no effect.
      restrictDefaultSecurityGroup: false,
    });
    const flowLogs = new logs.LogGroup(this, 'RejectedTrafficLogs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    // Rejected traffic only: that is what tells of probes or a misconfiguration, at a fraction of the volume of ALL.
    this.vpc.addFlowLog('RejectedTraffic', {
      trafficType: ec2.FlowLogTrafficType.REJECT,
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
    });

    const securityGroup = new ec2.SecurityGroup(this, 'TaskSecurityGroup', {
      vpc: this.vpc,
      description: 'stock-alerts ingest task: no inbound; HTTPS out (iTick, AWS APIs)',
      allowAllOutbound: false,
    });
    // DNS goes to the VPC resolver, which security groups do not filter.
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS: iTick WebSocket, ECR, Lambda, DynamoDB, Secrets Manager, CloudWatch Logs');

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: this.vpc,
      containerInsightsV2: ecs.ContainerInsights.DISABLED,
    });
    Validations.of(this.cluster).acknowledge({
      id: 'AwsSolutions-ECS4',
      reason:
        'Container Insights bills custom metrics for one task; the free AWS/ECS CPUUtilization metric (task not running alarm) and the ingest heartbeat (feed alarms) cover what matters.',
    });

    this.itickToken = new secretsmanager.Secret(this, 'ItickToken', {
      description:
        'stock-alerts: the iTick API token. Created with a random placeholder so the task can start; put the real token with `aws secretsmanager put-secret-value`, then restart the service (docs/deploy.md).',
      // ECS cannot start a task whose secret has no value, and the first deployment waits for a
      // running task: an empty secret would fail the deployment. iTick refuses the placeholder,
      // which the task reports (log line, heartbeat `connected: false`, the FeedDisconnected alarm).
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.itickToken).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'A third-party API token: it is rotated at iTick, not by Secrets Manager; docs/deploy.md says how to replace it.',
    });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: INGEST_CPU_UNITS,
      memoryLimitMiB: INGEST_MEMORY_MIB,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });

    const container = this.taskDefinition.addContainer('Ingest', {
      // Staged at synth, built by `cdk deploy` (needs Docker with arm64 builds: docs/deploy.md).
      image: ecs.ContainerImage.fromAsset(REPO_ROOT, {
        file: INGEST_DOCKERFILE,
        platform: Platform.LINUX_ARM64,
        ignoreMode: IgnoreMode.DOCKER,
        exclude: ['*', ...dockerBuildInputs().map((input) => `!${input}`), '**/node_modules'],
      }),
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'ingest', logGroup: this.logGroup }),
      environment: {
        EVALUATOR_FUNCTION_NAME: props.evaluator.fn.functionName,
        TABLE_NAME: props.storage.tableName,
        // The DynamoDB client falls back to us-east-1 without it; Fargate sets it, this makes sure.
        AWS_REGION: Stack.of(this).region,
        ITICK_CONNECTIONS: String(props.itick.connections),
        ...(props.itick.maxSymbolsPerConnection === undefined ? {} : { ITICK_MAX_SYMBOLS_PER_CONNECTION: String(props.itick.maxSymbolsPerConnection) }),
        ...(props.itick.wsUrl === undefined ? {} : { ITICK_WS_URL: props.itick.wsUrl }),
        ...Object.fromEntries(Object.entries(props.itick.marketWsUrls ?? {}).map(([market, url]) => [MARKET_INFO[market as Market].urlSetting, url])),
        ...(props.itick.pingIntervalMs === undefined ? {} : { ITICK_PING_INTERVAL_MS: String(props.itick.pingIntervalMs) }),
        ...(props.itick.pongTimeoutMs === undefined ? {} : { ITICK_PONG_TIMEOUT_MS: String(props.itick.pongTimeoutMs) }),
        BATCH_WINDOW_MS: String(props.batchWindowMs),
        ...(props.dashboardSocket === undefined ? {} : { WEBSOCKET_MANAGEMENT_ENDPOINT: props.dashboardSocket.managementEndpoint }),
      },
      secrets: { ITICK_TOKEN: ecs.Secret.fromSecretsManager(this.itickToken) },
      // ECS ignores the Dockerfile's HEALTHCHECK; this is the same check.
      healthCheck: {
        command: ['CMD', 'node', 'healthcheck.mjs'],
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(30),
      },
      // The task writes only its heartbeat file, to /tmp (HEARTBEAT_FILE), mounted below.
      readonlyRootFilesystem: true,
    });
    this.taskDefinition.addVolume({ name: 'tmp' });
    container.addMountPoints({ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false });
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason: 'The environment holds settings only (table and function names, iTick URLs, plan limits, ping timings, batch window); the iTick token comes from Secrets Manager through `secrets`.',
    });

    // lambda:InvokeFunction on the evaluator itself (not its versions); on the table only the
    // SYMBOLS, WATCH and HEARTBEAT partitions (lib/table-access.ts): it can neither read nor
    // write keys, rules, alerts or owner profiles.
    this.taskDefinition.taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [props.evaluator.fn.functionArn] }),
    );
    props.storage.grant(this.taskDefinition.taskRole, TABLE_ACCESS.ingestTask);
    if (props.dashboardSocket !== undefined) {
      // Live prices: PostToConnection, and forgetting a gone page's watches (GetItem of its list, DeleteItem of the items).
      props.dashboardSocket.grantPostToConnection(this.taskDefinition.taskRole);
      props.storage.grant(this.taskDefinition.taskRole, TABLE_ACCESS.ingestTaskLivePrices);
    }

    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: 1,
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
      circuitBreaker: { enable: true, rollback: true },
      assignPublicIp: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroups: [securityGroup],
    });
    const executionRole = this.taskDefinition.executionRole;
    if (executionRole !== undefined) {
      acknowledgeWildcardResource(
        executionRole,
        '*',
        'ecr:GetAuthorizationToken, which pulling the image needs, has no resource-level permissions; the repository, log and secret permissions of this role name their resources.',
      );
    }
    // Rebalancing moves a task to another zone by starting a second one first: two connections on one key.
    (this.service.node.defaultChild as ecs.CfnService).availabilityZoneRebalancing = 'DISABLED';
  }
}

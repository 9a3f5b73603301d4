/**
 * The whole system in one stack: it only composes the constructs in lib/constructs/ and states
 * the outputs a user needs after `cdk deploy` (docs/deploy.md).
 *
 * ingest task (Fargate) ──invoke──► evaluator ──SQS──► notifier ──► email / Telegram / webhook / dashboard
 *        │ heartbeat, live prices ─────────────────────────────────────────────────────► (WebSocket API)
 *        ▼                             ▼ claims                                               │
 *                 DynamoDB table ◄── rules HTTP API (authorizer) ◄── users, web dashboard (S3 + CloudFront)
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AlertDelivery } from './constructs/alert-delivery';
import { DashboardSite } from './constructs/dashboard-site';
import { DashboardSocket } from './constructs/dashboard-socket';
import { Evaluator } from './constructs/evaluator';
import { FeedWatchdog } from './constructs/feed-watchdog';
import { IngestService } from './constructs/ingest-service';
import { Monitoring } from './constructs/monitoring';
import { RulesApi } from './constructs/rules-api';
import { Storage } from './constructs/storage';
import { HEARTBEAT_STALE_SECONDS } from './feed-thresholds';
import type { StackConfig } from './stack-config';

export interface StockAlertsStackProps extends StackProps {
  readonly config: StackConfig;
}

export class StockAlertsStack extends Stack {
  readonly storage: Storage;
  readonly dashboardSite: DashboardSite;
  readonly rulesApi: RulesApi;
  readonly dashboardSocket: DashboardSocket;
  readonly alertDelivery: AlertDelivery;
  readonly evaluator: Evaluator;
  readonly ingestService: IngestService;
  readonly feedWatchdog: FeedWatchdog;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: StockAlertsStackProps) {
    super(scope, id, { description: 'stock-alerts: real-time stock price alerts (github: stock-alerts)', ...props });
    const { config } = props;
    const logRetention = config.logRetention;

    this.storage = new Storage(this, 'Storage');
    this.dashboardSite = new DashboardSite(this, 'DashboardSite', { logRetention, domain: config.dashboardDomain, wafRateLimit: config.wafRateLimit });
    this.rulesApi = new RulesApi(this, 'RulesApi', {
      storage: this.storage,
      corsOrigins: config.dashboardOrigins ?? [this.dashboardSite.origin],
      throttle: config.apiThrottle,
      logRetention,
      heartbeatStaleSeconds: HEARTBEAT_STALE_SECONDS,
    });
    this.dashboardSocket = new DashboardSocket(this, 'DashboardSocket', { storage: this.storage, throttle: config.apiThrottle, logRetention });
    this.dashboardSite.publish({ apiUrl: this.rulesApi.url, webSocketUrl: this.dashboardSocket.url });
    this.alertDelivery = new AlertDelivery(this, 'AlertDelivery', {
      storage: this.storage,
      socket: this.dashboardSocket,
      sender: config.sender,
      logRetention,
      reservedConcurrency: config.reservedConcurrency.notifier,
    });
    this.evaluator = new Evaluator(this, 'Evaluator', {
      storage: this.storage,
      delivery: this.alertDelivery,
      logRetention,
      reservedConcurrency: config.reservedConcurrency.evaluator,
    });
    this.ingestService = new IngestService(this, 'IngestService', {
      storage: this.storage,
      evaluator: this.evaluator.function,
      itick: config.itick,
      batchWindowMs: config.batchWindowMs,
      logRetention,
      dashboardSocket: this.dashboardSocket,
    });
    // Indicator warm-up: the evaluator reads iTick's klines with the same token (read at cold start).
    this.ingestService.itickToken.grantRead(this.evaluator.function.fn);
    this.evaluator.function.fn.addEnvironment('ITICK_TOKEN_SECRET_ARN', this.ingestService.itickToken.secretArn);
    // One REST budget per token, counted in the table by every evaluator instance (docs/itick.md, "REST budget").
    this.evaluator.function.fn.addEnvironment('ITICK_REST_PER_MINUTE', String(config.itickRestPerMinute));
    this.feedWatchdog = new FeedWatchdog(this, 'FeedWatchdog', { storage: this.storage, logRetention });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      alertEmail: config.alertEmail,
      marketHours: config.marketHours,
      evaluator: this.evaluator.function,
      outboxSweeper: this.evaluator.outboxSweeper,
      delivery: this.alertDelivery,
      ingestService: this.ingestService.service,
      httpApi: this.rulesApi.api,
    });

    const region = this.region;
    const output = (outputId: string, value: string, description: string) => new CfnOutput(this, outputId, { value, description });
    output('DashboardUrl', this.dashboardSite.url, 'The web dashboard: sign in with an API key');
    output('ApiUrl', this.rulesApi.url, 'Base URL of the rules and alerts HTTP API');
    output('WebSocketUrl', this.dashboardSocket.url, 'WebSocket URL of the live dashboard (API key as the subprotocol)');
    output('MonitoringDashboardUrl', this.monitoring.dashboardUrl, 'CloudWatch dashboard of the system’s health (the web dashboard is DashboardUrl)');
    output('TableName', this.storage.tableName, 'DynamoDB table (TABLE_NAME for npm run keys)');
    output(
      'CreateFirstApiKey',
      `TABLE_NAME=${this.storage.tableName} AWS_REGION=${region} npm run keys -- create --owner YOUR_NAME`,
      'Run from the repository with AWS credentials: prints the API key once',
    );
    output('ItickTokenSecretArn', this.ingestService.itickToken.secretArn, 'Put the iTick token here (aws secretsmanager put-secret-value), then RestartIngestTask');
    output(
      'RestartIngestTask',
      `aws ecs update-service --region ${region} --cluster ${this.ingestService.cluster.clusterName} --service ${this.ingestService.service.serviceName} --force-new-deployment`,
      'Starts a new ingest task, which reads the iTick token again',
    );
    output('TelegramBotTokenSecretArn', this.alertDelivery.telegramBotToken.secretArn, 'Put the Telegram bot token here (optional)');
    output('AlarmTopicArn', this.monitoring.topic.topicArn, 'SNS topic of the alarms (subscribe more endpoints here)');
  }
}

/**
 * One Lambda function of stock-alerts with the defaults every function shares, in one place:
 * NodejsFunction bundled by the local esbuild (lib/function-bundling.ts), ARM64, Node.js 22, its
 * own log group with a retention, Powertools settings, source-mapped stack traces, and a role of
 * its own that may only write its logs — each construct then grants exactly what its function needs.
 */
import path from 'node:path';
import { RemovalPolicy, Validations, type Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { HANDLER_EXPORT } from '../../functions/api/routes';
import { cdkBundlingOptions, FUNCTION_ARCHITECTURE, FUNCTION_RUNTIME, REPO_ROOT } from '../function-bundling';

/** CloudWatch namespace of the functions' EMF metrics (the evaluator and notifier publish into it). */
export const METRICS_NAMESPACE = 'StockAlerts';

export interface AppFunctionProps {
  /** Handler module relative to the repository root; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  /** Powertools service name (POWERTOOLS_SERVICE_NAME). */
  readonly service: string;
  readonly environment?: Record<string, string>;
  readonly timeout: Duration;
  /** MB; default 256. */
  readonly memorySize?: number;
  readonly logRetention: logs.RetentionDays;
  /** Reserved concurrent executions; unset: none (the account's unreserved pool). */
  readonly reservedConcurrency?: number | undefined;
}

export class AppFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      // Logs are operational, bounded by the retention; a destroyed stack should not leave them behind.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Not AWSLambdaBasicExecutionRole: that allows creating log groups and writing to any of them.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (stock-alerts)`,
    });
    this.logGroup.grantWrite(this.role);

    this.fn = new NodejsFunction(this, 'Function', {
      entry: path.join(REPO_ROOT, props.entry),
      handler: HANDLER_EXPORT,
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      runtime: FUNCTION_RUNTIME,
      architecture: FUNCTION_ARCHITECTURE,
      bundling: cdkBundlingOptions(),
      description: props.description,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout,
      ...(props.reservedConcurrency === undefined ? {} : { reservedConcurrentExecutions: props.reservedConcurrency }),
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.service,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
    });

    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime the project pins and tests (the ingest image is node:22 too); a move to a newer runtime is one change in lib/function-bundling.ts, made for all functions and the image together.',
    });
  }
}

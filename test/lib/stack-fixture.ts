/**
 * Shared by the CDK tests: an app with cdk.json's context (the same defaults and feature flags
 * `cdk synth` uses), a stack in a fixed environment, cdk-nag's findings, and a resolver that turns
 * a synthesized function's environment into sample values, so the components' own settings parsers
 * can judge what the stack hands them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { PolicyViolation } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { REPO_ROOT } from '../../lib/function-bundling';
import { StockAlertsStack } from '../../lib/stack';
import { readStackConfig } from '../../lib/stack-config';

export const TEST_ENV = { account: '123456789012', region: 'us-east-1' } as const;

/** cdk.json's "context": the user settings' defaults and the feature flags. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return cdkJson.context;
}

export interface AppOptions {
  /** Context values over cdk.json's. */
  readonly context?: Record<string, unknown>;
  /** Bundle the functions with esbuild (slow); otherwise CDK skips bundling. */
  readonly bundle?: boolean;
}

export function testApp({ context = {}, bundle = false }: AppOptions = {}): App {
  return new App({
    context: {
      ...cdkJsonContext(),
      ...context,
      // An empty list of stacks to bundle: synthesis stages placeholders instead of running esbuild.
      ...(bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
}

/** A stack to put single constructs in. */
export function testStack(app: App = testApp()): Stack {
  return new Stack(app, 'Test', { env: TEST_ENV });
}

/** The whole system, as bin/app.ts builds it. */
export function stockAlertsStack(options: AppOptions = {}): { app: App; stack: StockAlertsStack; template: Template } {
  const app = testApp(options);
  const stack = new StockAlertsStack(app, 'StockAlerts', { config: readStackConfig(app.node), env: TEST_ENV });
  return { app, stack, template: Template.fromStack(stack) };
}

/** cdk-nag AwsSolutions findings left after the acknowledgements, errors and warnings alike. */
export function nagFindings(scope: IConstruct): PolicyViolation[] {
  return new AwsSolutionsChecks().validateScope(scope).violations;
}

type Json = unknown;

export interface IamStatement {
  Effect: string;
  Action: string | string[];
  Resource: Json;
  Condition?: Record<string, Record<string, Json>>;
}

/** Every statement of every IAM policy in the template, with the logical id of its policy. */
export function iamStatements(template: Template): { policy: string; statement: IamStatement }[] {
  const policies = template.findResources('AWS::IAM::Policy') as Record<string, { Properties: { PolicyDocument: { Statement: IamStatement[] } } }>;
  return Object.entries(policies).flatMap(([policy, resource]) => resource.Properties.PolicyDocument.Statement.map((statement) => ({ policy, statement })));
}

export const actionsOf = (statement: IamStatement): string[] => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]);
export const resourcesOf = (statement: IamStatement): Json[] => (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]);

/** The policy statements of the role a function (by logical-id prefix) runs as. */
export function statementsOfRole(template: Template, roleLogicalIdPrefix: string): IamStatement[] {
  return iamStatements(template)
    .filter(({ policy }) => policy.startsWith(roleLogicalIdPrefix))
    .map(({ statement }) => statement);
}

/** The resource of a function whose logical id starts with `prefix`. */
export function functionProperties(template: Template, prefix: string): Record<string, Json> & { Environment: { Variables: Record<string, Json> } } {
  const functions = template.findResources('AWS::Lambda::Function');
  const match = Object.entries(functions).filter(([id]) => id.startsWith(prefix));
  if (match.length !== 1) throw new Error(`expected one function ${prefix}*, found ${match.map(([id]) => id).join(', ') || 'none'}`);
  return (match[0]?.[1] as { Properties: ReturnType<typeof functionProperties> }).Properties;
}

/**
 * A sample value for a CloudFormation value in a function's environment: what the reference will
 * look like once deployed (a queue URL for a queue, an ARN for a secret, …).
 */
export function sampleValue(template: Template, value: Json): string {
  const resources = template.toJSON().Resources as Record<string, { Type: string }>;
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const node = value as Record<string, Json>;
    if (typeof node.Ref === 'string') {
      const pseudo: Record<string, string> = { 'AWS::Region': TEST_ENV.region, 'AWS::AccountId': TEST_ENV.account, 'AWS::URLSuffix': 'amazonaws.com', 'AWS::Partition': 'aws' };
      if (pseudo[node.Ref] !== undefined) return pseudo[node.Ref] as string;
      const type = resources[node.Ref]?.Type;
      switch (type) {
        case 'AWS::DynamoDB::GlobalTable':
          return 'StockAlerts-StorageTable-1A2B3C4D5E6F';
        case 'AWS::SQS::Queue':
          return `https://sqs.${TEST_ENV.region}.amazonaws.com/${TEST_ENV.account}/${node.Ref}`;
        case 'AWS::SecretsManager::Secret':
          return `arn:aws:secretsmanager:${TEST_ENV.region}:${TEST_ENV.account}:secret:${node.Ref}-AbCdEf`;
        case 'AWS::Lambda::Function':
          return `StockAlerts-${node.Ref}`;
        case 'AWS::ApiGatewayV2::Api':
          return 'a1b2c3d4e5';
        default:
          throw new Error(`no sample for a Ref to ${String(type)} (${node.Ref})`);
      }
    }
    if (Array.isArray(node['Fn::Join'])) {
      const [delimiter, parts] = node['Fn::Join'] as [string, Json[]];
      return parts.map((part) => sampleValue(template, part)).join(delimiter);
    }
  }
  throw new Error(`no sample for ${JSON.stringify(value)}`);
}

/** A function's environment as it will be at run time, with sample values for references. */
export function sampleEnvironment(template: Template, variables: Record<string, Json>): Record<string, string> {
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, sampleValue(template, value)]));
}

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { allFunctionEntries } from '../../lib/function-entries';
import { loadEvaluatorConfig } from '../../functions/shared/config';
import { actionsOf, functionProperties, iamStatements, nagFindings, resourcesOf, sampleEnvironment, statementsOfRole, stockAlertsStack } from './stack-fixture';

// One synthesis with the functions really bundled (esbuild, as `cdk synth` does), shared by every test.
const { app, stack, template } = stockAlertsStack({ bundle: true, context: { senderEmail: 'alerts@example.com', alertEmail: 'ops@example.com' } });
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
const allFunctions = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
/**
 * aws-cdk-lib's BucketDeployment brings its own function (Python, a singleton per stack) that copies
 * the dashboard into its bucket at deploy time: not one of the system's, built and granted by the
 * library (test/lib/dashboard-site.test.ts checks what it may do).
 */
const isBucketDeployment = (id: string) => id.startsWith('CustomCDKBucketDeployment');
const functions = allFunctions.filter(([id]) => !isBucketDeployment(id));
const tableId = Object.entries(resources).find(([, r]) => r.Type === 'AWS::DynamoDB::GlobalTable')?.[0];

/** Actions AWS defines on "*" only, each granted on "*" for that reason (and acknowledged in cdk-nag). */
const RESOURCE_STAR_ACTIONS = new Set([
  'ecr:GetAuthorizationToken',
  'cloudwatch:PutMetricData',
  // Step Functions' vended log delivery.
  'logs:CreateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:DescribeLogGroups',
  'logs:DescribeResourcePolicies',
  'logs:GetLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:UpdateLogDelivery',
]);

describe('StockAlertsStack', () => {
  it('deploys every function the system has, each ARM64 on Node.js 22', () => {
    expect(functions).toHaveLength(Object.keys(allFunctionEntries()).length);
    expect(allFunctions.length - functions.length).toBe(1);
    for (const [id, fn] of functions) {
      expect(fn.Properties.Runtime, id).toBe('nodejs22.x');
      expect(fn.Properties.Architectures, id).toEqual(['arm64']);
    }
  });

  it('bundles each function locally into a minified ES module with a source map and the require banner', () => {
    const assembly = app.synth();
    const manifest = JSON.parse(readFileSync(path.join(assembly.directory, `${stack.artifactId}.assets.json`), 'utf8')) as {
      files: Record<string, { source: { path: string } }>;
    };
    for (const [id, fn] of functions) {
      const s3Key = (fn.Properties.Code as { S3Key: string }).S3Key;
      const dir = path.join(assembly.directory, manifest.files[s3Key.replace(/\.zip$/, '')]?.source.path ?? 'missing');
      expect(existsSync(path.join(dir, 'index.mjs')), id).toBe(true);
      expect(existsSync(path.join(dir, 'index.mjs.map')), id).toBe(true);
      const code = readFileSync(path.join(dir, 'index.mjs'), 'utf8');
      expect(code.startsWith("import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"), id).toBe(true);
      expect(code).not.toContain('Dynamic require of');
      expect(fn.Properties.Handler).toBe('index.handler');
    }
  });

  it('passes cdk-nag AwsSolutions with zero findings: every exception is acknowledged with a reason', () => {
    expect(nagFindings(app)).toEqual([]);
    // The defaults (no sender, no alert email) too: another set of resources.
    expect(nagFindings(stockAlertsStack().app)).toEqual([]);
  });

  it('synthesizes without CDK warnings or errors', () => {
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });

  it('grants no wildcard action anywhere, and "*" resources only for actions AWS defines on "*"', () => {
    const statements = iamStatements(template);
    expect(statements.length).toBeGreaterThan(20);
    for (const { policy, statement } of statements) {
      // BucketDeployment's grants, written by aws-cdk-lib (s3:GetObject* …): checked in dashboard-site.test.ts.
      if (policy.startsWith('DashboardSiteDeploymentRole')) continue;
      for (const action of actionsOf(statement)) expect(action, policy).not.toMatch(/\*/);
      if (resourcesOf(statement).includes('*')) {
        for (const action of actionsOf(statement)) expect(RESOURCE_STAR_ACTIONS.has(action), `${policy}: ${action} on *`).toBe(true);
      }
    }
  });

  it('lets DynamoDB actions reach only the table and its indexes by name', () => {
    const table = { 'Fn::GetAtt': [tableId, 'Arn'] };
    for (const { policy, statement } of iamStatements(template)) {
      if (!actionsOf(statement).some((a) => a.startsWith('dynamodb:'))) continue;
      for (const resource of resourcesOf(statement)) {
        const allowed =
          JSON.stringify(resource) === JSON.stringify(table) ||
          /^\{"Fn::Join":\["",\[\{"Fn::GetAtt":\["[^"]+","Arn"\]\},"\/index\/GSI\d+"\]\]\}$/.test(JSON.stringify(resource)) ||
          // The watchdog's GetItem, written by the Step Functions task as table/<name>.
          JSON.stringify(resource).includes(`{"Ref":"${tableId}"}`);
        expect(allowed, `${policy}: ${JSON.stringify(resource)}`).toBe(true);
      }
    }
  });

  it('keeps secrets out of the template and the environment: only references', () => {
    for (const [id, r] of Object.entries(resources).filter(([, r]) => r.Type === 'AWS::SecretsManager::Secret')) {
      expect(r.Properties.SecretString, id).toBeUndefined();
    }
    for (const [id, fn] of functions) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      for (const name of Object.keys(variables)) {
        if (/TOKEN|SECRET|PASSWORD/.test(name)) expect(name, id).toMatch(/_SECRET_ARN$/);
      }
    }
    const text = JSON.stringify(template.toJSON());
    expect(text).not.toMatch(/"ITICK_TOKEN","Value"|TELEGRAM_BOT_TOKEN"/);
  });

  it('lets the evaluator read the iTick token secret (indicator warm-up) by reference, and no other secret', () => {
    const evaluator = functionProperties(template, 'EvaluatorFunction');
    const arn = evaluator.Environment.Variables.ITICK_TOKEN_SECRET_ARN as { Ref: string };
    expect(resources[arn.Ref]?.Type).toBe('AWS::SecretsManager::Secret');
    expect(arn.Ref).toMatch(/^IngestServiceItickToken/);
    expect(loadEvaluatorConfig(sampleEnvironment(template, evaluator.Environment.Variables)).itickTokenSecretArn).toMatch(/^arn:aws:secretsmanager:/);
    const secretReads = statementsOfRole(template, 'EvaluatorRole').filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'));
    expect(secretReads.flatMap(resourcesOf)).toEqual([{ Ref: arn.Ref }]);
  });

  it('sets a retention on every log group', () => {
    for (const [id, r] of Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Logs::LogGroup')) {
      expect(r.Properties.RetentionInDays, id).toBe(30);
    }
  });

  it('tells the user where everything is and how to create the first key', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs).sort()).toEqual(
      [
        'AlarmTopicArn',
        'ApiUrl',
        'CreateFirstApiKey',
        'DashboardUrl',
        'ItickTokenSecretArn',
        'MonitoringDashboardUrl',
        'RestartIngestTask',
        'TableName',
        'TelegramBotTokenSecretArn',
        'WebSocketUrl',
      ].sort(),
    );
    expect(JSON.stringify(outputs.CreateFirstApiKey?.Value)).toContain('npm run keys -- create --owner');
  });
});

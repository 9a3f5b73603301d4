/**
 * The CDK app: reads the deployment's settings from context (cdk.json, `-c key=value`), creates
 * the stack and runs cdk-nag's AwsSolutions checks on everything in it. Account and region come
 * from the CLI's environment when it has credentials; without them the stack is environment-
 * agnostic, so `npx cdk synth` works offline.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { StockAlertsStack } from '../lib/stack';
import { readStackConfig, StackConfigError, type StackConfig } from '../lib/stack-config';

const app = new App();

let config: StackConfig;
try {
  config = readStackConfig(app.node);
} catch (error) {
  if (!(error instanceof StackConfigError)) throw error;
  // One line that names the key, not a stack trace.
  console.error(`stock-alerts: ${error.message}`);
  process.exit(1);
}

new StockAlertsStack(app, 'StockAlerts', {
  config,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

import { describe, expect, it } from 'vitest';
import { ConfigError, loadApiConfig, loadStorageConfig } from '../../../functions/shared/config';

describe('configuration', () => {
  it('has defaults for everything, for AWS where the stack sets only what differs', () => {
    expect(loadApiConfig({})).toEqual({
      tableName: 'stock-alerts',
      dynamodbEndpoint: undefined,
      region: 'us-east-1',
      ruleQuota: 1000,
      ownerSymbolLimit: 200,
      dashboardSocketsPerOwner: 5,
      ownerAlertsPerMinute: 120,
      alertRetentionDays: 90,
      allowLoopbackWebhooks: false,
      webhookAllowedPorts: [
        [443, 443],
        [80, 80],
      ],
      heartbeatStaleSeconds: 30,
    });
  });

  it('reads each setting from its variable, empty meaning unset', () => {
    const config = loadApiConfig({
      TABLE_NAME: 'alerts-dev',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      AWS_REGION: 'eu-west-1',
      RULE_QUOTA: '25',
      ALERT_RETENTION_DAYS: '7',
      ALLOW_LOOPBACK_WEBHOOKS: 'true',
      HEARTBEAT_STALE_SECONDS: '',
    });
    expect(config).toMatchObject({ tableName: 'alerts-dev', dynamodbEndpoint: 'http://127.0.0.1:8000', region: 'eu-west-1', ruleQuota: 25, alertRetentionDays: 7, allowLoopbackWebhooks: true, heartbeatStaleSeconds: 30 });
    expect(loadStorageConfig({ TABLE_NAME: 'alerts-dev' })).toEqual({ tableName: 'alerts-dev', dynamodbEndpoint: undefined, region: 'us-east-1' });
  });

  it.each([
    [{ RULE_QUOTA: 'lots' }, 'RULE_QUOTA must be a whole number from 1 to 1000000 (got "lots")'],
    [{ RULE_QUOTA: '0' }, 'RULE_QUOTA must be a whole number from 1 to 1000000 (got "0")'],
    [{ OWNER_SYMBOL_LIMIT: '0' }, 'OWNER_SYMBOL_LIMIT must be a whole number from 1 to 100000 (got "0")'],
    [{ ALLOW_LOOPBACK_WEBHOOKS: 'yes' }, 'ALLOW_LOOPBACK_WEBHOOKS must be true or false (got "yes")'],
    [{ DYNAMODB_ENDPOINT: 'localhost:8000' }, /^DYNAMODB_ENDPOINT must be an http\(s\) URL/],
    [{ TABLE_NAME: 'a b' }, /^TABLE_NAME must be a DynamoDB table name/],
  ])('stops with one line naming the bad setting: %j', (env, message) => {
    expect(() => loadApiConfig(env)).toThrow(ConfigError);
    expect(() => loadApiConfig(env)).toThrow(message);
  });
});

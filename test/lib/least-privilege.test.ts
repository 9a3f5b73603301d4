/**
 * Issue #16 "Least privilege", read from the synthesized template: every table statement of every
 * role carries a dynamodb:LeadingKeys condition naming exactly the partitions lib/table-access.ts
 * gives it; no role can write API keys; who can read owner profiles (webhook secrets); reserved
 * concurrency from context; the dashboard's TLS floor with a domain; the WAF web ACL only with
 * its flag; cdk-nag stays silent in every variant.
 */
import { describe, expect, it } from 'vitest';
import { LEADING_KEYS } from '../../lib/constructs/storage';
import { eventSourceConcurrency } from '../../lib/constructs/alert-delivery';
import { PARTITIONS } from '../../lib/table-access';
import { actionsOf, functionProperties, iamStatements, nagFindings, stockAlertsStack, type IamStatement } from './stack-fixture';

const { stack, template } = stockAlertsStack();
const dynamoStatements = iamStatements(template).filter(({ statement }) => actionsOf(statement).some((a) => a.startsWith('dynamodb:')));
const leadingKeys = (statement: IamStatement): string[] => {
  const value = statement.Condition?.['ForAllValues:StringLike']?.[LEADING_KEYS];
  return value === undefined ? [] : [value].flat() as string[];
};
/** Role (policy logical-id prefix) → action → partition patterns it may use it on (base table). */
function accessByRole(): Map<string, Map<string, Set<string>>> {
  const roles = new Map<string, Map<string, Set<string>>>();
  for (const { policy, statement } of dynamoStatements) {
    if (JSON.stringify(statement.Resource).includes('/index/')) continue;
    const role = policy.replace(/DefaultPolicy[0-9A-F]{8}$/, '');
    const actions = roles.get(role) ?? new Map<string, Set<string>>();
    for (const action of actionsOf(statement)) actions.set(action, new Set([...(actions.get(action) ?? []), ...leadingKeys(statement)]));
    roles.set(role, actions);
  }
  return roles;
}
const roles = accessByRole();
const partitionsOf = (role: string) => new Set([...(roles.get(role)?.values() ?? [])].flatMap((set) => [...set]));
const WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
const READS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:Scan'];

describe('least privilege on the table', () => {
  it('puts a LeadingKeys condition on every DynamoDB statement; no dynamodb:*, no Scan, no wildcard action', () => {
    expect(dynamoStatements.length).toBeGreaterThan(15);
    for (const { policy, statement } of dynamoStatements) {
      expect(leadingKeys(statement), policy).not.toEqual([]);
      for (const action of actionsOf(statement)) {
        expect(action, policy).not.toMatch(/\*/);
        expect(action).not.toBe('dynamodb:Scan');
      }
    }
  });

  it('gives the ingest task SYMBOLS, WATCH, HEARTBEAT and its connections’ watch lists only: no keys, rules, alerts or profiles', () => {
    expect(partitionsOf('IngestServiceTaskTaskRole')).toEqual(new Set(['SYMBOLS', 'WATCH', 'HEARTBEAT', 'CONNID#*']));
    expect([...(roles.get('IngestServiceTaskTaskRole')?.get('dynamodb:PutItem') ?? [])]).toEqual(['HEARTBEAT']);
  });

  it('lets no function or task write an API key (only the keys CLI, with the operator’s credentials)', () => {
    for (const [role, actions] of roles) {
      for (const action of WRITES) expect(actions.get(action)?.has(PARTITIONS.apiKeys) ?? false, `${role} ${action}`).toBe(false);
    }
    const keyReaders = [...roles].filter(([, actions]) => READS.some((a) => actions.get(a)?.has(PARTITIONS.apiKeys))).map(([role]) => role);
    // GET /health checks a key itself (it also answers without one, so it sits outside the authorizer).
    expect(keyReaders.sort()).toEqual(['DashboardSocketAuthorizerRole', 'RulesApiAuthorizerRole', 'RulesApigetHealthRole']);
  });

  it('lets the notifier alone read webhook secrets (WEBHOOKSECRET#), and gives it nothing in OWNER#', () => {
    const readersOf = (partition: string) => [...roles].filter(([, actions]) => READS.some((a) => actions.get(a)?.has(partition))).map(([role]) => role);
    expect(PARTITIONS.webhookSecrets).toBe('WEBHOOKSECRET#*');
    expect(readersOf(PARTITIONS.webhookSecrets)).toEqual(['AlertDeliveryNotifierRole']);
    for (const [role, actions] of roles) {
      for (const action of WRITES) expect(actions.get(action)?.has(PARTITIONS.webhookSecrets) ?? false, `${role} ${action}`).toBe(false);
    }
    expect(roles.get('AlertDeliveryNotifierRole')?.get('dynamodb:GetItem')).toEqual(new Set(['ALERTS#*', 'CONNID#*', 'WEBHOOKSECRET#*']));
    expect(readersOf(PARTITIONS.owners).sort()).toEqual(
      // The evaluator reads a rule only when its claim lost the rule's condition (the flood window is judged again).
      ['EvaluatorRole', 'RulesApicreateRuleRole', 'RulesApideleteRuleRole', 'RulesApigetHealthRole', 'RulesApigetRuleRole', 'RulesApilistRulesRole', 'RulesApiupdateRuleRole'].sort(),
    );
  });

  it('gives the evaluator OWNER#, ALERTS#, SYMBOLS, RESTBUDGET# and ALERTLIMIT# without DeleteItem, and its two indexes by their partitions', () => {
    const evaluator = roles.get('EvaluatorRole');
    expect(partitionsOf('EvaluatorRole')).toEqual(new Set(['OWNER#*', 'ALERTS#*', 'SYMBOLS', 'RESTBUDGET#*', 'ALERTLIMIT#*']));
    expect(evaluator?.has('dynamodb:DeleteItem')).toBe(false);
    expect(evaluator?.get('dynamodb:GetItem')).toEqual(new Set(['OWNER#*', 'ALERTS#*', 'RESTBUDGET#*', 'ALERTLIMIT#*']));
    const indexStatements = dynamoStatements.filter(({ policy, statement }) => policy.startsWith('EvaluatorRole') && JSON.stringify(statement.Resource).includes('/index/'));
    expect(indexStatements.map(({ statement }) => [JSON.stringify(statement.Resource).match(/index\/(GSI\d)/)?.[1], leadingKeys(statement)]).sort()).toEqual([
      ['GSI1', ['SYM#*']],
      ['GSI3', ['OUTBOX']],
    ]);
  });

  it('reads GET /rules’ feed states with BatchGetItem on SYMBOLS (the route batches them)', () => {
    expect(roles.get('RulesApilistRulesRole')?.get('dynamodb:BatchGetItem')).toEqual(new Set(['OWNER#*', 'SYMBOLS']));
    expect(roles.get('RulesApilistRulesRole')?.has('dynamodb:PutItem')).toBe(false);
  });

  it('keeps the health route, the watchdog and GET /alerts on their own partitions', () => {
    // With a key it also reads the caller's key, rules, profile, socket slots and alerts this minute, never writes.
    expect(partitionsOf('RulesApigetHealthRole')).toEqual(new Set(['HEARTBEAT', 'APIKEY#*', 'OWNER#*', 'CONN#*', 'ALERTLIMIT#*']));
    expect(WRITES.some((action) => roles.get('RulesApigetHealthRole')?.has(action))).toBe(false);
    expect(partitionsOf('FeedWatchdogStateMachineRole')).toEqual(new Set(['HEARTBEAT']));
    expect(partitionsOf('RulesApilistAlertsRole')).toEqual(new Set(['ALERTS#*']));
    // `?ruleId=` reads the alerts-by-rule index, only its ALERTRULE# partitions.
    const listAlertsIndex = dynamoStatements.filter(({ policy, statement }) => policy.startsWith('RulesApilistAlertsRole') && JSON.stringify(statement.Resource).includes('/index/'));
    expect(listAlertsIndex.map(({ statement }) => [JSON.stringify(statement.Resource).match(/index\/(GSI\d)/)?.[1], leadingKeys(statement)])).toEqual([['GSI4', ['ALERTRULE#*#*']]]);
  });

  it('passes cdk-nag AwsSolutions with the defaults', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('reserved concurrency', () => {
  it('reserves none by default (a new account’s limit of 10 would refuse any reservation)', () => {
    expect(functionProperties(template, 'EvaluatorFunction').ReservedConcurrentExecutions).toBeUndefined();
    expect(functionProperties(template, 'AlertDeliveryNotifierFunction').ReservedConcurrentExecutions).toBeUndefined();
  });

  it('reserves what context says, and the notifier’s queues together never poll for more than its reservation', () => {
    const { stack: reserved, template: t } = stockAlertsStack({ context: { evaluatorReservedConcurrency: 4, notifierReservedConcurrency: 20 } });
    expect(functionProperties(t, 'EvaluatorFunction').ReservedConcurrentExecutions).toBe(4);
    expect(functionProperties(t, 'AlertDeliveryNotifierFunction').ReservedConcurrentExecutions).toBe(20);
    const sources = Object.values(t.findResources('AWS::Lambda::EventSourceMapping')) as { Properties: { ScalingConfig?: { MaximumConcurrency: number } } }[];
    const total = sources.reduce((sum, source) => sum + (source.Properties.ScalingConfig?.MaximumConcurrency ?? Infinity), 0);
    expect(total).toBeLessThanOrEqual(20);
    expect(nagFindings(reserved)).toEqual([]);
  });

  it('shares a reservation between the queues: Telegram keeps its 2, the others split the rest', () => {
    expect(eventSourceConcurrency(undefined)).toEqual({ email: undefined, telegram: 2, webhook: undefined, dashboard: undefined });
    expect(eventSourceConcurrency(8)).toEqual({ email: 2, telegram: 2, webhook: 2, dashboard: 2 });
    expect(eventSourceConcurrency(20)).toEqual({ email: 6, telegram: 2, webhook: 6, dashboard: 6 });
  });
});

describe('the dashboard distribution', () => {
  const distribution = (t: typeof template) =>
    (Object.values(t.findResources('AWS::CloudFront::Distribution'))[0] as { Properties: { DistributionConfig: Record<string, unknown> } }).Properties.DistributionConfig;
  const certificateArn = 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';

  it('requires TLSv1.2_2021 with its own domain and certificate, and the URL outputs use the domain', () => {
    const { stack: withDomain, template: t } = stockAlertsStack({ context: { dashboardDomainName: 'alerts.example.com', dashboardCertificateArn: certificateArn } });
    expect(distribution(t).ViewerCertificate).toEqual({ AcmCertificateArn: certificateArn, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' });
    expect(distribution(t).Aliases).toEqual(['alerts.example.com']);
    expect(t.toJSON().Outputs.DashboardUrl.Value).toBe('https://alerts.example.com');
    expect(nagFindings(withDomain)).toEqual([]);
  });

  it('has no web ACL by default', () => {
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    expect(distribution(template).WebACLId).toBeUndefined();
  });

  it('has a rate-based web ACL with wafRateLimit, attached to the distribution', () => {
    const { stack: withWaf, template: t } = stockAlertsStack({ context: { wafRateLimit: 500 } });
    t.resourceCountIs('AWS::WAFv2::WebACL', 1);
    const [aclId, acl] = Object.entries(t.findResources('AWS::WAFv2::WebACL'))[0] as [string, { Properties: { Scope: string; Rules: { Statement: unknown; Action: unknown }[] } }];
    expect(acl.Properties.Scope).toBe('CLOUDFRONT');
    expect(acl.Properties.Rules).toEqual([
      expect.objectContaining({ Action: { Block: {} }, Statement: { RateBasedStatement: { Limit: 500, AggregateKeyType: 'IP', EvaluationWindowSec: 300 } } }),
    ]);
    expect(distribution(t).WebACLId).toEqual({ 'Fn::GetAtt': [aclId, 'Arn'] });
    expect(nagFindings(withWaf)).toEqual([]);
  });
});

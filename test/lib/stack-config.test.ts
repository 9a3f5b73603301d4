import { App } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { CONTEXT_KEYS, readStackConfig, StackConfigError } from '../../lib/stack-config';
import { cdkJsonContext } from './stack-fixture';

const configWith = (context: Record<string, unknown>) => readStackConfig(new App({ context: { ...cdkJsonContext(), ...context } }).node);
const errorWith = (context: Record<string, unknown>) => {
  try {
    configWith(context);
  } catch (error) {
    if (error instanceof StackConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a StackConfigError');
};

describe('stack settings from CDK context', () => {
  it("reads cdk.json's defaults: no email, CORS for the dashboard's own origin, one iTick connection, 250 ms windows, 30 days of logs", () => {
    expect(configWith({})).toEqual({
      alertEmail: undefined,
      sender: undefined,
      dashboardOrigins: undefined,
      itick: { maxSymbolsPerConnection: undefined, connections: 1, wsUrl: undefined, marketWsUrls: {}, pingIntervalMs: 15_000, pongTimeoutMs: 10_000 },
      itickRestPerMinute: 5,
      batchWindowMs: 250,
      logRetention: RetentionDays.ONE_MONTH,
      apiThrottle: { rateLimit: 50, burstLimit: 100 },
      marketHours: 'sessions',
      reservedConcurrency: { evaluator: undefined, notifier: undefined },
      dashboardDomain: undefined,
      wafRateLimit: undefined,
    });
  });

  it('checks the reservations, the dashboard domain and the WAF rate limit, naming the key', () => {
    expect(configWith({ evaluatorReservedConcurrency: 3, notifierReservedConcurrency: '12' }).reservedConcurrency).toEqual({ evaluator: 3, notifier: 12 });
    expect(errorWith({ notifierReservedConcurrency: 4 })).toMatch(/^context notifierReservedConcurrency must be a whole number from 8 to 1000/);
    expect(errorWith({ evaluatorReservedConcurrency: 0 })).toMatch(/^context evaluatorReservedConcurrency must be a whole number from 1/);
    expect(errorWith({ evaluatorReservedConcurrency: 1, itickConnections: 2 })).toMatch(/^context evaluatorReservedConcurrency must be at least itickConnections \(2\)/);
    const arn = 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';
    expect(configWith({ dashboardDomainName: 'Alerts.Example.com', dashboardCertificateArn: arn }).dashboardDomain).toEqual({ domainName: 'alerts.example.com', certificateArn: arn });
    expect(errorWith({ dashboardDomainName: 'alerts.example.com' })).toMatch(/^context dashboardCertificateArn must be set with dashboardDomainName/);
    expect(errorWith({ dashboardDomainName: 'alerts.example.com', dashboardCertificateArn: arn.replace('us-east-1', 'eu-west-1') })).toMatch(/^context dashboardCertificateArn must be the ARN of an ACM certificate in us-east-1/);
    expect(configWith({ wafRateLimit: 300 }).wafRateLimit).toBe(300);
    expect(errorWith({ wafRateLimit: 5 })).toMatch(/^context wafRateLimit must be a whole number from 10/);
  });

  it('has every key in cdk.json, so the defaults live in one place', () => {
    for (const key of CONTEXT_KEYS) expect(cdkJsonContext()).toHaveProperty([key]);
  });

  it('refuses to run without a key rather than invent a default', () => {
    const context = cdkJsonContext();
    delete context.batchWindowMs;
    expect(() => readStackConfig(new App({ context }).node)).toThrow("context batchWindowMs is missing: cdk.json's \"context\" sets every key's default");
  });

  it('takes values given with -c, which arrive as strings', () => {
    const config = configWith({
      alertEmail: 'ops@example.com',
      itickMaxSymbolsPerConnection: '500',
      itickConnections: '2',
      batchWindowMs: '100',
      logRetentionDays: '90',
      apiThrottle: '20/40',
      marketHoursUtc: '2-8',
      dashboardOrigin: 'https://alerts.example.com, http://localhost:5173',
    });
    expect(config.alertEmail).toBe('ops@example.com');
    expect(config.itick).toEqual({ maxSymbolsPerConnection: 500, connections: 2, wsUrl: undefined, marketWsUrls: {}, pingIntervalMs: 15_000, pongTimeoutMs: 10_000 });
    expect(config.batchWindowMs).toBe(100);
    expect(config.logRetention).toBe(RetentionDays.THREE_MONTHS);
    expect(config.apiThrottle).toEqual({ rateLimit: 20, burstLimit: 40 });
    expect(config.marketHours).toEqual({ startHour: 2, endHour: 8 });
    expect(config.dashboardOrigins).toEqual(['https://alerts.example.com', 'http://localhost:5173']);
    expect(configWith({ apiThrottle: '{"rateLimit":5,"burstLimit":10}' }).apiThrottle).toEqual({ rateLimit: 5, burstLimit: 10 });
  });

  it('sends from an email identity as is, and from a domain identity as alerts@domain', () => {
    expect(configWith({ senderEmail: 'alerts@example.com' }).sender).toEqual({ kind: 'email', identity: 'alerts@example.com', fromAddress: 'alerts@example.com' });
    expect(configWith({ senderEmail: 'Example.com' }).sender).toEqual({ kind: 'domain', identity: 'example.com', fromAddress: 'alerts@example.com' });
  });

  it('treats an empty value as not set (-c alertEmail= clears it)', () => {
    expect(configWith({ alertEmail: '', senderEmail: '', itickMaxSymbolsPerConnection: '' })).toMatchObject({ alertEmail: undefined, sender: undefined });
    expect(configWith({ marketHoursUtc: 'off' }).marketHours).toBeUndefined();
    expect(configWith({ marketHoursUtc: 'sessions' }).marketHours).toBe('sessions');
  });

  it('names the key and the expectation in one line for a bad value', () => {
    expect(errorWith({ alertEmail: 'ops' })).toBe('context alertEmail must be an email address (got "ops")');
    expect(errorWith({ senderEmail: 'not a domain' })).toBe('context senderEmail must be an email address or a domain (got "not a domain")');
    expect(errorWith({ dashboardOrigin: 'https://example.com/app' })).toMatch(/^context dashboardOrigin has "https:\/\/example.com\/app", which is not an origin/);
    expect(errorWith({ logRetentionDays: 10 })).toMatch(/^context logRetentionDays must be one of CloudWatch Logs' retention periods \(1, 3, 5, 7, 14, 30,/);
    expect(errorWith({ apiThrottle: { rateLimit: 0, burstLimit: 10 } })).toMatch(/^context apiThrottle must be/);
    expect(errorWith({ marketHoursUtc: '20-15' })).toMatch(/^context marketHoursUtc must be "sessions" \(the exchanges' calendars\), "START-END"/);
    expect(errorWith({ batchWindowMs: '2.5' })).toBe('context batchWindowMs must be a whole number (got "2.5")');
  });

  it('takes the iTick URLs and ping timings, a market URL as an object (cdk.json), JSON or market=url pairs (-c)', () => {
    const config = configWith({
      itickWsUrl: 'wss://api.itick.org/sws',
      itickMarketWsUrls: 'crypto=wss://crypto.example.com/cws, forex=wss://fx.example.com/fws',
      itickPingIntervalMs: '20000',
      itickPongTimeoutMs: '5000',
    });
    expect(config.itick).toMatchObject({
      wsUrl: 'wss://api.itick.org/sws',
      marketWsUrls: { crypto: 'wss://crypto.example.com/cws', forex: 'wss://fx.example.com/fws' },
      pingIntervalMs: 20_000,
      pongTimeoutMs: 5_000,
    });
    expect(configWith({ itickMarketWsUrls: { fund: 'wss://f.example.com/fund' } }).itick.marketWsUrls).toEqual({ fund: 'wss://f.example.com/fund' });
    expect(configWith({ itickMarketWsUrls: '{"indices":"ws://127.0.0.1:9000/indices"}' }).itick.marketWsUrls).toEqual({ indices: 'ws://127.0.0.1:9000/indices' });
    expect(configWith({ itickMarketWsUrls: '' }).itick.marketWsUrls).toEqual({});
  });

  it('names the iTick URL key that is wrong', () => {
    expect(errorWith({ itickWsUrl: 'https://api.itick.org/stock' })).toBe('context itickWsUrl must be a ws:// or wss:// URL (got "https://api.itick.org/stock")');
    expect(errorWith({ itickMarketWsUrls: { crypto: 'http://x.example.com' } })).toBe('context itickMarketWsUrls must be a ws:// or wss:// URL (got {"crypto":"http://x.example.com"})');
    expect(errorWith({ itickMarketWsUrls: { stock: 'wss://x.example.com/stock' } })).toMatch(/^context itickMarketWsUrls must be an object of market → ws:\/\/ or wss:\/\/ URL/);
    expect(errorWith({ itickMarketWsUrls: 'options=wss://x.example.com' })).toMatch(/^context itickMarketWsUrls must be an object of market/);
    expect(errorWith({ itickPingIntervalMs: 500 })).toBe('context itickPingIntervalMs must be a whole number from 1000 to 300000 (got 500)');
  });

  it("checks the iTick and batching values with the ingest task's own ranges", () => {
    expect(errorWith({ batchWindowMs: 5 })).toBe('context batchWindowMs must be a whole number from 10 to 60000 (got 5)');
    expect(errorWith({ itickConnections: 33 })).toBe('context itickConnections must be a whole number from 1 to 32 (got 33)');
    expect(errorWith({ itickMaxSymbolsPerConnection: 0 })).toBe('context itickMaxSymbolsPerConnection must be a whole number from 1 to 100000 (got 0)');
  });
});

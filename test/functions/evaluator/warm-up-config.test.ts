/** The evaluator's warm-up and REST budget settings (functions/shared/config.ts) and when the warm-ups are made at all. */
import { describe, expect, it } from 'vitest';
import { createWarmUps } from '../../../functions/evaluator/dependencies';
import { ConfigError, loadEvaluatorConfig } from '../../../functions/shared/config';
import { createDb } from '../../../storage/dynamodb-client';

const QUEUES = {
  EMAIL_QUEUE_URL: 'http://127.0.0.1:9324/q/email',
  TELEGRAM_QUEUE_URL: 'http://127.0.0.1:9324/q/telegram',
  WEBHOOK_QUEUE_URL: 'http://127.0.0.1:9324/q/webhook',
  DASHBOARD_QUEUE_URL: 'http://127.0.0.1:9324/q/dashboard',
};

describe('warm-up settings', () => {
  it("default to iTick, no token, the free plan's 5 calls a minute, 8 fetches of at most 1.5 s per batch, no waiting for the budget", () => {
    expect(loadEvaluatorConfig(QUEUES)).toMatchObject({
      itickRestBase: 'https://api.itick.org',
      itickToken: undefined,
      itickTokenSecretArn: undefined,
      itickRestBudget: { perMinute: 5, pauseAfter429Ms: 60_000, maxPauseMs: 900_000 },
      warmUpMaxPerBatch: 8,
      warmUpTimeoutMs: 1500,
      warmUpBudgetWaitMs: 0,
    });
  });

  it('read the base (without a trailing slash), the token or its secret, the budget and the limits', () => {
    const config = loadEvaluatorConfig({
      ...QUEUES,
      ITICK_REST_BASE: 'http://127.0.0.1:4000/',
      ITICK_TOKEN: 'local-simulator',
      ITICK_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:itick',
      ITICK_REST_PER_MINUTE: '60',
      ITICK_REST_429_PAUSE_MS: '5000',
      ITICK_REST_MAX_PAUSE_MS: '120000',
      WARM_UP_MAX_PER_BATCH: '0',
      WARM_UP_TIMEOUT_MS: '500',
      WARM_UP_BUDGET_WAIT_MS: '250',
    });
    expect(config).toMatchObject({
      itickRestBase: 'http://127.0.0.1:4000',
      itickToken: 'local-simulator',
      itickRestBudget: { perMinute: 60, pauseAfter429Ms: 5000, maxPauseMs: 120_000 },
      warmUpMaxPerBatch: 0,
      warmUpTimeoutMs: 500,
      warmUpBudgetWaitMs: 250,
    });
  });

  it.each([
    [{ ITICK_REST_BASE: 'api.itick.org' }, /^ITICK_REST_BASE must be an http\(s\) URL/],
    [{ ITICK_TOKEN_SECRET_ARN: 'itick' }, /^ITICK_TOKEN_SECRET_ARN must be a Secrets Manager secret ARN/],
    [{ WARM_UP_TIMEOUT_MS: '10' }, /^WARM_UP_TIMEOUT_MS must be a whole number from 100 to 30000/],
    [{ ITICK_REST_PER_MINUTE: '0' }, /^ITICK_REST_PER_MINUTE must be a whole number from 1 to 100000/],
    [{ WARM_UP_BUDGET_WAIT_MS: '-1' }, /^WARM_UP_BUDGET_WAIT_MS must be a whole number from 0 to 30000/],
    [{ ITICK_TOKEN: 5 as unknown as string }, /^ITICK_TOKEN /],
  ])('stop with one line naming the bad setting: %j', (env, message) => {
    expect(() => loadEvaluatorConfig({ ...QUEUES, ...env })).toThrow(ConfigError);
    expect(() => loadEvaluatorConfig({ ...QUEUES, ...env })).toThrow(message);
  });

  it('never echo the token in an error', () => {
    expect(() => loadEvaluatorConfig({ ...QUEUES, ITICK_TOKEN: 5 as unknown as string })).not.toThrow(/5/);
  });

  it('make no warm-ups without a token or with WARM_UP_MAX_PER_BATCH=0', () => {
    const db = createDb({ tableName: 'stock-alerts' });
    expect(createWarmUps(loadEvaluatorConfig(QUEUES), db)).toEqual({});
    expect(createWarmUps(loadEvaluatorConfig({ ...QUEUES, ITICK_TOKEN: 't', WARM_UP_MAX_PER_BATCH: '0' }), db)).toEqual({});
    const made = createWarmUps(loadEvaluatorConfig({ ...QUEUES, ITICK_TOKEN: 't' }), db);
    expect(made.warmUp).toBeDefined();
    expect(made.prevClose).toBeDefined();
    db.doc.destroy();
  });
});

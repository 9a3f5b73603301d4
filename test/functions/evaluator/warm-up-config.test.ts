/** The evaluator's warm-up settings (functions/shared/config.ts) and when the warm-up is made at all. */
import { describe, expect, it } from 'vitest';
import { createWarmUp } from '../../../functions/evaluator/dependencies';
import { ConfigError, loadEvaluatorConfig } from '../../../functions/shared/config';

const QUEUES = {
  EMAIL_QUEUE_URL: 'http://127.0.0.1:9324/q/email',
  TELEGRAM_QUEUE_URL: 'http://127.0.0.1:9324/q/telegram',
  WEBHOOK_QUEUE_URL: 'http://127.0.0.1:9324/q/webhook',
  DASHBOARD_QUEUE_URL: 'http://127.0.0.1:9324/q/dashboard',
};

describe('warm-up settings', () => {
  it('default to iTick, no token, 8 fetches of at most 1.5 s per batch', () => {
    expect(loadEvaluatorConfig(QUEUES)).toMatchObject({
      itickRestBase: 'https://api.itick.org',
      itickToken: undefined,
      itickTokenSecretArn: undefined,
      warmUpMaxPerBatch: 8,
      warmUpTimeoutMs: 1500,
    });
  });

  it('read the base (without a trailing slash), the token or its secret, and the limits', () => {
    const config = loadEvaluatorConfig({
      ...QUEUES,
      ITICK_REST_BASE: 'http://127.0.0.1:4000/',
      ITICK_TOKEN: 'local-simulator',
      ITICK_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:itick',
      WARM_UP_MAX_PER_BATCH: '0',
      WARM_UP_TIMEOUT_MS: '500',
    });
    expect(config).toMatchObject({ itickRestBase: 'http://127.0.0.1:4000', itickToken: 'local-simulator', warmUpMaxPerBatch: 0, warmUpTimeoutMs: 500 });
  });

  it.each([
    [{ ITICK_REST_BASE: 'api.itick.org' }, /^ITICK_REST_BASE must be an http\(s\) URL/],
    [{ ITICK_TOKEN_SECRET_ARN: 'itick' }, /^ITICK_TOKEN_SECRET_ARN must be a Secrets Manager secret ARN/],
    [{ WARM_UP_TIMEOUT_MS: '10' }, /^WARM_UP_TIMEOUT_MS must be a whole number from 100 to 30000/],
    [{ ITICK_TOKEN: 5 as unknown as string }, /^ITICK_TOKEN /],
  ])('stop with one line naming the bad setting: %j', (env, message) => {
    expect(() => loadEvaluatorConfig({ ...QUEUES, ...env })).toThrow(ConfigError);
    expect(() => loadEvaluatorConfig({ ...QUEUES, ...env })).toThrow(message);
  });

  it('never echo the token in an error', () => {
    expect(() => loadEvaluatorConfig({ ...QUEUES, ITICK_TOKEN: 5 as unknown as string })).not.toThrow(/5/);
  });

  it('make no warm-up without a token or with WARM_UP_MAX_PER_BATCH=0', () => {
    expect(createWarmUp(loadEvaluatorConfig(QUEUES))).toBeUndefined();
    expect(createWarmUp(loadEvaluatorConfig({ ...QUEUES, ITICK_TOKEN: 't', WARM_UP_MAX_PER_BATCH: '0' }))).toBeUndefined();
    expect(createWarmUp(loadEvaluatorConfig({ ...QUEUES, ITICK_TOKEN: 't' }))).toBeDefined();
  });
});

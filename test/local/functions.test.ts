/** The in-process functions' environment: the process environment with the local stack's endpoints over it. */
import { describe, expect, it } from 'vitest';
import { DELIVERY_CHANNEL_TYPES } from '../../core/channels/registry';
import { functionEnvironment, type FunctionEndpoints } from '../../local/functions';

const endpoints: FunctionEndpoints = {
  region: 'us-east-1',
  tableName: 'stock-alerts',
  dynamodbEndpoint: 'http://127.0.0.1:8000',
  sesEndpoint: 'http://127.0.0.1:8005',
  alertFromEmail: 'alerts@localhost',
  telegram: { apiBase: 'http://127.0.0.1:8006', botToken: '0:local-stand-in' },
  sqsEndpoint: 'http://127.0.0.1:8007',
  queueUrls: Object.fromEntries(DELIVERY_CHANNEL_TYPES.map((type) => [type, `http://127.0.0.1:8007/queue/${type}`])) as FunctionEndpoints['queueUrls'],
  itick: undefined,
};

describe("the local functions' environment", () => {
  it("gives the evaluator iTick's REST base, the token and the token's REST calls per minute", () => {
    const env = functionEnvironment({ ITICK_REST_BASE: 'https://elsewhere', OTHER: 'kept' }, { ...endpoints, itick: { restBase: 'http://127.0.0.1:9000', token: 'local-simulator', restPerMinute: 5 } });
    expect(env).toMatchObject({ ITICK_REST_BASE: 'http://127.0.0.1:9000', ITICK_TOKEN: 'local-simulator', ITICK_REST_PER_MINUTE: '5', OTHER: 'kept' });
  });

  it('lets local webhooks use any port (receivers listen on free ports), unless the base environment narrows it', () => {
    expect(functionEnvironment({}, endpoints).WEBHOOK_ALLOWED_PORTS).toBe('1-65535');
    expect(functionEnvironment({ WEBHOOK_ALLOWED_PORTS: '443' }, endpoints).WEBHOOK_ALLOWED_PORTS).toBe('443');
  });

  it('sets nothing of iTick without a feed', () => {
    const env = functionEnvironment({}, endpoints);
    expect(env).not.toHaveProperty('ITICK_TOKEN');
    expect(env).not.toHaveProperty('ITICK_REST_BASE');
    expect(env).not.toHaveProperty('ITICK_REST_PER_MINUTE');
  });
});

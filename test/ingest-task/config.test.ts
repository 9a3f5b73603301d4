import { describe, expect, it } from 'vitest';
import { MARKET_INFO, MARKETS } from '../../core/rule-model/market';
import { describeConfig, readConfig } from '../../ingest-task/src/config';

const required = { ITICK_TOKEN: 'secret-token', EVALUATOR_FUNCTION_NAME: 'evaluator', TABLE_NAME: 'stock-alerts' };

describe('ingest task settings', () => {
  it('uses the documented defaults', () => {
    const config = readConfig(required);
    expect(config.itick).toEqual({
      token: 'secret-token',
      url: 'wss://api.itick.org/stock',
      urls: {
        stock: 'wss://api.itick.org/stock',
        forex: 'wss://api.itick.org/forex',
        indices: 'wss://api.itick.org/indices',
        crypto: 'wss://api.itick.org/crypto',
        future: 'wss://api.itick.org/future',
        fund: 'wss://api.itick.org/fund',
      },
      maxSymbolsPerConnection: undefined,
      connections: 1,
      pingIntervalMs: 15_000,
      pongTimeoutMs: 10_000,
    });
    expect(config.batch).toEqual({ windowMs: 250, maxPoints: 10_000, backlogMaxPoints: 1_000_000, shards: 4 });
    expect(config.watchlistRefreshMs).toBe(3_000);
    expect(config.logLevel).toBe('INFO');
    // No management endpoint: no live prices for dashboards.
    expect(config.prices).toEqual({ managementEndpoint: undefined, intervalMs: 1_000, watchesRefreshMs: 2_000 });
  });

  it('reads the live-price settings', () => {
    const config = readConfig({
      ...required,
      WEBSOCKET_MANAGEMENT_ENDPOINT: 'https://abc123.execute-api.eu-west-1.amazonaws.com/live',
      PRICE_PUBLISH_INTERVAL_MS: '500',
      WATCHES_REFRESH_MS: '1000',
    });
    expect(config.prices).toEqual({ managementEndpoint: 'https://abc123.execute-api.eu-west-1.amazonaws.com/live', intervalMs: 500, watchesRefreshMs: 1_000 });
    expect(() => readConfig({ ...required, WEBSOCKET_MANAGEMENT_ENDPOINT: 'wss://abc123.execute-api.eu-west-1.amazonaws.com/live' })).toThrow(
      /^Invalid setting WEBSOCKET_MANAGEMENT_ENDPOINT: must be an http:\/\/ or https:\/\/ URL$/,
    );
    expect(() => readConfig({ ...required, PRICE_PUBLISH_INTERVAL_MS: '50' })).toThrow(/^Invalid setting PRICE_PUBLISH_INTERVAL_MS/);
  });

  it('reads every setting', () => {
    const config = readConfig({
      ...required,
      ITICK_WS_URL: 'ws://127.0.0.1:9000/stock',
      ITICK_MAX_SYMBOLS_PER_CONNECTION: '3',
      ITICK_CONNECTIONS: '2',
      BATCH_WINDOW_MS: '100',
      SHARDS: '8',
      LAMBDA_ENDPOINT: 'http://127.0.0.1:3001',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      WATCHLIST_REFRESH_MS: '2000',
      HEARTBEAT_INTERVAL_MS: '5000',
      HEARTBEAT_FILE: '/tmp/hb.json',
      LOG_LEVEL: 'debug',
    });
    expect(config.itick).toMatchObject({ url: 'ws://127.0.0.1:9000/stock', maxSymbolsPerConnection: 3, connections: 2 });
    expect(config.batch).toMatchObject({ windowMs: 100, shards: 8 });
    expect(config.evaluator.endpoint).toBe('http://127.0.0.1:3001');
    expect(config.storage.endpoint).toBe('http://127.0.0.1:8000');
    expect(config.heartbeat).toEqual({ intervalMs: 5_000, file: '/tmp/hb.json' });
    expect(config.logLevel).toBe('DEBUG');
  });

  it("derives every market's URL from ITICK_WS_URL's origin, each overridable by its own setting", () => {
    const legacy = readConfig({ ...required, ITICK_WS_URL: 'ws://127.0.0.1:9000/sws', ITICK_WS_URL_FUTURE: 'wss://futures.example.com/future' });
    expect(legacy.itick.urls).toEqual({
      stock: 'ws://127.0.0.1:9000/sws',
      forex: 'ws://127.0.0.1:9000/fws',
      indices: 'ws://127.0.0.1:9000/iws',
      crypto: 'ws://127.0.0.1:9000/cws',
      future: 'wss://futures.example.com/future',
      fund: 'ws://127.0.0.1:9000/fund',
    });
    // Every market's own setting, as MARKET_INFO names it, is read.
    for (const market of MARKETS.filter((m) => m !== 'stock')) {
      const own = `wss://${market}.example.com/x`;
      expect(readConfig({ ...required, [MARKET_INFO[market].urlSetting]: own }).itick.urls[market]).toBe(own);
    }
    expect(() => readConfig({ ...required, ITICK_WS_URL_CRYPTO: 'https://api.itick.org/crypto' })).toThrow(/^Invalid setting ITICK_WS_URL_CRYPTO: must be a ws:\/\/ or wss:\/\/ URL$/);
  });

  it('reads the ping interval and the pong timeout', () => {
    expect(readConfig({ ...required, ITICK_PING_INTERVAL_MS: '30000', ITICK_PONG_TIMEOUT_MS: '5000' }).itick).toMatchObject({ pingIntervalMs: 30_000, pongTimeoutMs: 5_000 });
    expect(() => readConfig({ ...required, ITICK_PING_INTERVAL_MS: '100' })).toThrow(/^Invalid setting ITICK_PING_INTERVAL_MS: must be a whole number from 1000 to 300000$/);
    expect(() => readConfig({ ...required, ITICK_PONG_TIMEOUT_MS: 'soon' })).toThrow(/^Invalid setting ITICK_PONG_TIMEOUT_MS/);
  });

  it('treats an empty setting as unset', () => {
    expect(readConfig({ ...required, LAMBDA_ENDPOINT: '', BATCH_WINDOW_MS: '' }).batch.windowMs).toBe(250);
  });

  it.each([
    [{ ITICK_TOKEN: undefined }, /^Invalid setting ITICK_TOKEN: is required/],
    [{ EVALUATOR_FUNCTION_NAME: undefined }, /^Invalid setting EVALUATOR_FUNCTION_NAME/],
    [{ BATCH_WINDOW_MS: 'fast' }, /^Invalid setting BATCH_WINDOW_MS: must be a whole number from 10 to 60000$/],
    [{ SHARDS: '0' }, /^Invalid setting SHARDS/],
    [{ ITICK_WS_URL: 'https://api.itick.org/stock' }, /^Invalid setting ITICK_WS_URL: must be a ws:\/\/ or wss:\/\/ URL$/],
    [{ LOG_LEVEL: 'chatty' }, /^Invalid setting LOG_LEVEL/],
    [{ BACKLOG_MAX_POINTS: '10000' }, /^Invalid setting BACKLOG_MAX_POINTS/],
  ])('stops with one line naming a bad setting (%j)', (override, message) => {
    expect(() => readConfig({ ...required, ...override })).toThrow(message);
  });

  it('never puts the token in what it logs or in an error', () => {
    expect(JSON.stringify(describeConfig(readConfig(required)))).not.toContain('secret-token');
    expect(() => readConfig({ ...required, ITICK_TOKEN: 'secret-token', SHARDS: 'x' })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('secret-token') }));
  });
});

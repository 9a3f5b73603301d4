/** `npm start`'s settings: read once from an environment record, defaults filled, a bad one named in one line. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOCAL_DATA_DIR, localDataDir, LocalSettingsError, parseLocalSettings } from '../../local/settings';

describe('local settings', () => {
  it('fills the defaults the README names from an empty environment, empty values counting as unset', () => {
    const settings = parseLocalSettings({ API_PORT: '', ALERT_FROM_EMAIL: '' });
    expect(settings).toEqual({
      apiPort: 3000,
      dashboardPort: undefined,
      devApiKey: undefined,
      itickToken: undefined,
      itickWsUrl: undefined,
      itickMarketUrls: {},
      itickRestBase: undefined,
      itickRestPerMinute: 5,
      telegramBotToken: undefined,
      telegramApiBase: undefined,
      sesEndpoint: undefined,
      alertFromEmail: 'alerts@localhost',
      dynamodbEndpoint: undefined,
      batchWindowMs: 250,
      simulatorTicksPerSecond: 2,
      simulatorShapes: 'spec',
      dataDir: DEFAULT_LOCAL_DATA_DIR,
    });
    expect(DEFAULT_LOCAL_DATA_DIR).toMatch(/[/\\]\.local[/\\]dynamodb$/);
  });

  it('reads each setting into its typed field', () => {
    const settings = parseLocalSettings({
      API_PORT: '3100',
      DASHBOARD_PORT: '0',
      TELEGRAM_BOT_TOKEN: '123:abc_DEF',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      BATCH_WINDOW_MS: '100',
      SIMULATOR_TICKS_PER_SECOND: '0',
      LOCAL_DATA_DIR: '/tmp/data',
    });
    expect(settings).toMatchObject({ apiPort: 3100, dashboardPort: 0, telegramBotToken: '123:abc_DEF', dynamodbEndpoint: 'http://127.0.0.1:8000', batchWindowMs: 100, simulatorTicksPerSecond: 0, dataDir: '/tmp/data' });
  });

  it("reads each market's feed URL, the REST base, the REST budget and the simulator's shapes", () => {
    const settings = parseLocalSettings({
      ITICK_WS_URL: 'ws://127.0.0.1:9000/stock',
      ITICK_WS_URL_CRYPTO: 'wss://crypto.example/feed',
      ITICK_WS_URL_FUND: '',
      ITICK_REST_BASE: 'http://127.0.0.1:9000',
      ITICK_REST_PER_MINUTE: '60',
      SIMULATOR_SHAPES: 'docs',
    });
    expect(settings).toMatchObject({
      itickWsUrl: 'ws://127.0.0.1:9000/stock',
      itickMarketUrls: { crypto: 'wss://crypto.example/feed' },
      itickRestBase: 'http://127.0.0.1:9000',
      itickRestPerMinute: 60,
      simulatorShapes: 'docs',
    });
  });

  it.each([
    [{ ITICK_WS_URL_FOREX: 'http://x' }, 'ITICK_WS_URL_FOREX must be a ws:// or wss:// URL (got "http://x")'],
    [{ ITICK_REST_BASE: 'ws://x' }, 'ITICK_REST_BASE must be an http(s) URL (got "ws://x")'],
    [{ ITICK_REST_PER_MINUTE: '0' }, 'ITICK_REST_PER_MINUTE must be a whole number from 1 to 100000 (got "0")'],
    [{ SIMULATOR_SHAPES: 'legacy' }, 'SIMULATOR_SHAPES must be spec or docs (got "legacy")'],
    [{ API_PORT: '70000' }, 'API_PORT must be a port number from 1 to 65535 (got "70000")'],
    [{ BATCH_WINDOW_MS: 'soon' }, 'BATCH_WINDOW_MS must be a whole number of milliseconds from 10 to 60000 (got "soon")'],
    [{ DYNAMODB_ENDPOINT: 'ftp://x' }, 'DYNAMODB_ENDPOINT must be an http(s) URL (got "ftp://x")'],
    [{ TELEGRAM_BOT_TOKEN: 'not a token' }, 'TELEGRAM_BOT_TOKEN must look like a bot token (digits, a colon, letters)'],
    [{ DEV_API_KEY: 'short' }, 'DEV_API_KEY must be 20 to 200 printable characters'],
  ])('refuses %j in one line naming the setting, never echoing a secret', (env, message) => {
    expect(() => parseLocalSettings(env)).toThrow(LocalSettingsError);
    expect(() => parseLocalSettings(env)).toThrow(new LocalSettingsError(message));
  });

  it('tells other tools the data dir alone', () => {
    expect(localDataDir({})).toBe(DEFAULT_LOCAL_DATA_DIR);
    expect(localDataDir({ LOCAL_DATA_DIR: '' })).toBe(DEFAULT_LOCAL_DATA_DIR);
    expect(localDataDir({ LOCAL_DATA_DIR: '/srv/stack', API_PORT: 'bad' })).toBe('/srv/stack');
  });
});

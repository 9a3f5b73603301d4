/**
 * Issue #15's proof: the local stack with `ITICK_TOKEN` and `ITICK_WS_URL=ws://…/stock` pointed at
 * any server that speaks iTick's docs' shapes alerts on `AAPL$US` and on `crypto:BTCUSDT$BA`.
 *
 * "Any server" is a market simulator started here on its own, apart from the stack, in `docs`
 * shapes: quote-only data (no `tick`), `s` as `AAPL.US` and `BTC_USDT` with no `r`, the day's
 * running volume in `v`, the masked token in the auth answer, and a free plan's REST budget. Then
 * `npm start` runs as a user would start it against a real feed: only environment variables
 * (the token, the stock URL, the REST base); every other market's URL is derived from the stock
 * one. Rules are created over the HTTP API with the printed key, the server crosses both levels,
 * and both alerts must arrive; `GET /health` must show the crypto market connected and no data
 * left unmatched.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findFreePort } from '../../local/dynamodb-local';
import { MarketSimulator } from '../../local/market-simulator/market-simulator';
import { until } from '../support/eventually';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
/** A token of the length iTick's docs print (32 characters): the auth answer echoes it masked. */
const TOKEN = 'e2e0docs0shapes0token0000000abcd';


interface Alert {
  symbol: string;
  price: number;
}

describe('the local stack against a server that speaks the docs’ shapes', () => {
  let server: MarketSimulator;
  let child: ChildProcess;
  let output = '';
  let api: string;
  let key: string;
  let dataDir: string;

  beforeAll(async () => {
    // Codes starting with ZZZ are unknown to this server: a subscribe holding one is refused (E001).
    server = await MarketSimulator.start({ shapes: 'docs', tokens: [TOKEN], restPerMinute: 5, unknownSymbols: (symbol) => symbol.includes('ZZZ') });
    dataDir = mkdtempSync(path.join(tmpdir(), 'stock-alerts-docs-shapes-'));
    const apiPort = await findFreePort();
    // Per-market URL settings of the surrounding environment would defeat the derivation under test.
    const cleared = Object.fromEntries(Object.keys(process.env).filter((name) => name.startsWith('ITICK_')).map((name) => [name, '']));
    child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', '--fresh'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...cleared,
        ITICK_TOKEN: TOKEN,
        ITICK_WS_URL: server.url,
        ITICK_REST_BASE: server.restBase,
        API_PORT: String(apiPort),
        DASHBOARD_PORT: '0',
        LOCAL_DATA_DIR: dataDir,
        BATCH_WINDOW_MS: '250',
        // The run's DynamoDB Local when there is one (npm start's table is its own there), else npm start's own.
        DYNAMODB_ENDPOINT: inject('dynamodbEndpoint') ?? '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const field = (label: string) => new RegExp(`^\\s+${label}\\s+(\\S+)`, 'm').exec(output)?.[1];
    [api, key] = await until(
      'the start-up block',
      async () => {
        if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output}`);
        const [printedApi, printedKey] = [field('API'), field('API key')];
        return printedApi !== undefined && printedKey !== undefined && output.includes('Ctrl-C stops everything') ? [printedApi, printedKey] : undefined;
      },
      150_000,
    );
  }, 180_000);

  afterAll(async () => {
    if (child !== undefined && child.exitCode === null) {
      child.kill('SIGINT');
      await until('npm start to exit', async () => (child.exitCode !== null ? true : undefined), 30_000).catch(() => child.kill('SIGKILL'));
    }
    await server?.close();
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('says where each market comes from, derived from the stock URL, and never prints the token', () => {
    const origin = new URL(server.url).host;
    expect(output).toMatch(/Feed\s+iTick/);
    for (const market of ['stock', 'forex', 'indices', 'crypto', 'future', 'fund']) expect(output).toContain(`ws://${origin}/${market}`);
    expect(output).toContain(`iTick REST     ${server.restBase}`);
    expect(output).not.toContain(TOKEN);
  });

  it('alerts on AAPL$US and on crypto:BTCUSDT$BA from quote-only data', async () => {
    const headers = { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' };
    const createRule = async (symbol: string, value: number) => {
      const response = await fetch(`${api}/rules`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ symbol, condition: { type: 'crosses_above', value }, channels: [{ type: 'telegram', chatId: '515151515' }] }),
      });
      const body = (await response.json()) as { id: string; symbol: string };
      expect(response.status, JSON.stringify(body)).toBe(201);
      return body;
    };
    const stock = await createRule('AAPL$US', 200);
    const crypto = await createRule('crypto:btcusdt$ba', 100_000);
    expect(crypto.symbol).toBe('crypto:BTCUSDT$BA');

    // The ingest task learns the symbols from DynamoDB and subscribes each on its market's socket:
    // `crypto:BTCUSDT$BA` is only ever subscribed on /crypto.
    await until('AAPL$US on /stock and BTCUSDT$BA on /crypto to be subscribed', async () => {
      const subscribed = server.subscribedSymbols();
      return subscribed.includes('AAPL$US') && subscribed.includes('crypto:BTCUSDT$BA') ? true : undefined;
    }, 60_000);

    const alertsOf = async (ruleId: string) => {
      const page = (await (await fetch(`${api}/alerts?ruleId=${ruleId}`, { headers })).json()) as { items: Alert[] };
      return page.items;
    };
    // The crossing is sent again (below, then above) until it lands: a subscription the server has
    // accepted may not yet be confirmed on the client's side when the first quotes arrive.
    const [stockAlerts, cryptoAlerts] = await until(
      'both alerts',
      async () => {
        const [a, b] = await Promise.all([alertsOf(stock.id), alertsOf(crypto.id)]);
        if (a.length > 0 && b.length > 0) return [a, b];
        if (a.length === 0) server.script('AAPL$US', [199.5, 199.8, 200.5], { stepMs: 20, volume: 300 });
        if (b.length === 0) server.script('crypto:BTCUSDT$BA', [99_900, 99_950, 100_100.5], { stepMs: 20, volume: 2 });
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        return undefined;
      },
      60_000,
    );
    expect(stockAlerts[0]).toMatchObject({ symbol: 'AAPL$US', price: 200.5 });
    expect(cryptoAlerts[0]).toMatchObject({ symbol: 'crypto:BTCUSDT$BA', price: 100_100.5 });

    // What the feed sent was all understood, and the crypto market has its own live connection.
    const health = await until('a heartbeat with the crypto market connected', async () => {
      const body = (await (await fetch(`${api}/health`)).json()) as { feed: { unmatched: number; unreadable: number; markets: Array<{ market: string; connected: boolean }> } };
      return body.feed.markets.some((m) => m.market === 'crypto' && m.connected) ? body : undefined;
    });
    expect(health.feed).toMatchObject({ unmatched: 0, unreadable: 0 });
  }, 150_000);

  it('puts the rules of a symbol iTick does not know in invalid_symbol, and keeps watching the others', async () => {
    const headers = { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' };
    const created = await fetch(`${api}/rules`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ symbol: 'ZZZZQ$US', condition: { type: 'crosses_above', value: 10 }, channels: [{ type: 'telegram', chatId: '515151515' }] }),
    });
    const rule = (await created.json()) as { id: string };
    expect(created.status).toBe(201);

    // The ingest task asks for it with AAPL$US (already watched), is refused with E001, bisects.
    const shown = await until('the rule to show invalid_symbol', async () => {
      const body = (await (await fetch(`${api}/rules/${rule.id}`, { headers })).json()) as { status: string; statusMessage: string | null };
      return body.status === 'invalid_symbol' ? body : undefined;
    }, 60_000);
    expect(shown.statusMessage).toMatch(/not found this produce/);
    // The next heartbeat lists it.
    await until("GET /health to list the unknown symbol among the owner's own", async () => {
      const health = (await (await fetch(`${api}/health`, { headers: { Authorization: headers.Authorization } })).json()) as { owner?: { invalidSymbols: string[] } };
      return health.owner?.invalidSymbols.includes('ZZZZQ$US') === true ? true : undefined;
    });
    expect(server.subscribedSymbols()).toContain('AAPL$US');
    expect(server.subscribedSymbols()).not.toContain('ZZZZQ$US');
  }, 90_000);
});

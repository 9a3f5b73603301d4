/**
 * An indicator alert end to end on the local stack (local/stack.ts, in this process): a market
 * simulator plays iTick — its WebSocket feeds the real ingest task, its kline endpoint warms the
 * evaluator's RSI over HTTP — a rule `rsi_above 70` on 1-minute bars is created over the API,
 * and a scripted series makes RSI(14) cross 70. The alert arrives once (GET /alerts and the
 * Telegram stand-in), although RSI stays above 70 for several more bars.
 *
 * Bars are minutes of tick time, not of wall time: the history and the trades are stamped half an
 * hour ago, one trade per minute, so the whole series plays in a second. The batch's clock is
 * far past every bar, so the last bar closes at the end of its batch (docs/rules.md, "Bars").
 */
import { RSI } from 'trading-signals';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { MarketSimulator } from '../../local/market-simulator/market-simulator';
import { uniqueTableName } from '../support/dynamodb';
import { eventually, pause } from '../support/eventually';

const TOKEN = 'e2e-itick-token';
const SYMBOL = 'RSIE$US';
const CHAT = '707070707';
const MINUTE = 60_000;

/** 40 quiet minutes of history (RSI near 50), then a steady climb, one trade a minute. */
const HISTORY = Array.from({ length: 40 }, (_, i) => 100 + (i % 2 === 0 ? 0.4 : -0.4) + (i % 5) * 0.05);
const CLIMB = [100.5, 101.5, 102.6, 103.8, 105.1, 106.5, 108, 109.6, 111.3];

describe('an RSI alert through the local stack', () => {
  let market: MarketSimulator;
  let stack: LocalStack;
  const saved = { ...process.env };

  beforeAll(async () => {
    market = await MarketSimulator.start({ tokens: [TOKEN] });
    // The evaluator reads its settings when the stack imports it: iTick's REST is the simulator.
    Object.assign(process.env, { ITICK_REST_BASE: `http://127.0.0.1:${market.port}`, ITICK_TOKEN: TOKEN, RULE_CACHE_CHECK_MS: '100', POWERTOOLS_LOG_LEVEL: 'ERROR' });
    const endpoint = inject('dynamodbEndpoint');
    stack = await startLocalStack({
      apiPort: 0,
      tableName: uniqueTableName(),
      ...(endpoint === undefined ? {} : { dynamodbEndpoint: endpoint }),
      alertFromEmail: 'alerts@stock-alerts.test',
      batchWindowMs: 250,
      simulatorTicksPerSecond: 0,
      // The simulator plays iTick itself: feed and klines from one server.
      itickToken: TOKEN,
      itickWsUrl: market.url,
      print: () => undefined,
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await market?.close();
    process.env = saved;
  });

  it('fires once when RSI(14) on 1-minute bars crosses 70, warmed from klines over HTTP', async () => {
    const auth = { Authorization: `Bearer ${stack.devApiKey}`, 'Content-Type': 'application/json' };
    const created = await fetch(`${stack.apiUrl}/rules`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        symbol: SYMBOL,
        condition: { type: 'rsi_above', period: 14, interval: '1m', value: 70, session: 'any' },
        cooldownSeconds: 0,
        channels: [{ type: 'telegram', chatId: CHAT }],
      }),
    });
    expect(created.status).toBe(201);
    const rule = (await created.json()) as { id: string; condition: { period: number } };
    expect(rule.condition.period).toBe(14);

    const start = Math.floor(Date.now() / MINUTE) * MINUTE - 30 * MINUTE;
    market.setKlines(SYMBOL, 1, HISTORY.map((c, i) => ({ t: start - (HISTORY.length - i) * MINUTE, o: c, h: c + 0.1, l: c - 0.1, c, v: 1000, tu: c * 1000 })));
    await eventually(() => market.subscribedSymbols().includes(SYMBOL), `the ingest task to subscribe ${SYMBOL}`, 30_000);
    market.script(SYMBOL, CLIMB, { startAt: start + 1000, stepMs: MINUTE });

    // What the reference library says: the first climbing bar whose close takes RSI(14) above 70.
    const rsi = new RSI(14);
    HISTORY.forEach((c) => rsi.add(c));
    const crossing = CLIMB.findIndex((c) => (rsi.add(c) ?? 0) > 70);
    expect(crossing).toBeGreaterThan(0);
    expect(crossing).toBeLessThan(CLIMB.length - 2); // and it stays above for the bars after

    const alerts = await eventually(
      async () => {
        const page = (await (await fetch(`${stack.apiUrl}/alerts?ruleId=${rule.id}`, { headers: auth })).json()) as {
          items: Array<{ price: number; tickAt: string; deliveries: Array<{ status: string }> }>;
        };
        return page.items.length > 0 && page.items.every((a) => a.deliveries.every((d) => d.status === 'sent')) && page.items;
      },
      'the RSI alert to be delivered',
      30_000,
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ price: CLIMB[crossing], tickAt: new Date(start + (crossing + 1) * MINUTE).toISOString() });
    expect(market.stats().klineRequests).toBeGreaterThanOrEqual(1);

    // Nothing more arrives: RSI stays above 70 but the rule (rearm) waits for it to fall back.
    await pause(1500);
    const telegram = stack.services.telegram;
    expect(telegram?.messagesTo(CHAT)).toHaveLength(1);
    expect(((await (await fetch(`${stack.apiUrl}/alerts?ruleId=${rule.id}`, { headers: auth })).json()) as { items: unknown[] }).items).toHaveLength(1);
  }, 90_000);
});

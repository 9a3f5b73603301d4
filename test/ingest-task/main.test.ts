import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb-local';
import { startLambdaInvokeServer, type LambdaInvokeServer } from '../../local/lambda-invoke-server';
import { MarketSimulator } from '../../local/market-simulator/market-simulator';
import { createDb, type Db } from '../../storage/dynamodb-client';
import { readHeartbeat } from '../../storage/heartbeat-repository';
import { symbolCounterUpdate } from '../../storage/symbols-repository';
import { ensureTable } from '../../storage/table-setup';
import { writeTransaction } from '../../storage/transactions';
import { eventually } from '../support/eventually';
import { recordingEvaluator } from '../support/ingest-recording-evaluator';

// The real entry point, as the container runs it, against DynamoDB Local, the market simulator
// and the local Lambda Invoke server: only endpoints differ from AWS.
describe('the ingest task process (main.ts)', () => {
  let dynamo: DynamoDbLocal;
  let db: Db;
  let market: MarketSimulator;
  let lambda: LambdaInvokeServer;
  let child: ChildProcess;
  let exited: Promise<number | null>;
  const output: string[] = [];
  const evaluator = recordingEvaluator();
  const watch = (symbol: string, delta: 1 | -1) => writeTransaction(db, [symbolCounterUpdate(db, symbol, delta, new Date())]);

  beforeAll(async () => {
    [dynamo, market, lambda] = await Promise.all([startDynamoDbLocal(), MarketSimulator.start(), startLambdaInvokeServer({ functions: { evaluator: (event) => evaluator.handler(event) } })]);
    db = createDb({ endpoint: dynamo.endpoint, tableName: 'ingest-main-test' });
    await ensureTable(db);
    await watch('AAPL$US', 1);
    await watch('TSLA$US', 1);
    child = spawn(process.execPath, ['--import', 'tsx', 'ingest-task/src/main.ts'], {
      env: {
        PATH: process.env.PATH,
        ITICK_TOKEN: 'main-test-token',
        ITICK_WS_URL: market.url,
        EVALUATOR_FUNCTION_NAME: 'evaluator',
        LAMBDA_ENDPOINT: lambda.url,
        DYNAMODB_ENDPOINT: dynamo.endpoint,
        TABLE_NAME: 'ingest-main-test',
        // A window far longer than the test: only the shutdown flush can deliver the ticks.
        BATCH_WINDOW_MS: '60000',
        WATCHLIST_REFRESH_MS: '500',
        HEARTBEAT_INTERVAL_MS: '1000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  });

  afterAll(async () => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    await Promise.all([market?.close(), lambda?.close(), dynamo?.stop()]);
  });

  it('subscribes the symbols DynamoDB counts as watched, and follows changes within the refresh interval', async () => {
    await eventually(() => market.subscribedSymbols().join() === 'AAPL$US,TSLA$US', 'the first subscriptions', 20_000);
    await watch('MSFT$US', 1);
    await watch('TSLA$US', -1);
    await eventually(() => market.subscribedSymbols().join() === 'AAPL$US,MSFT$US', 'the changed subscriptions', 5_000);
  });

  it('writes its heartbeat to DynamoDB for GET /health', async () => {
    const before = Date.now();
    market.script('AAPL$US', [190, 191, 189.5]);
    market.script('MSFT$US', [410]);
    const heartbeat = await eventually(async () => {
      const read = await readHeartbeat(db);
      return read !== null && read.lastTickAt !== null && read;
    }, 'a heartbeat after the ticks', 5_000);
    expect(heartbeat).toMatchObject({ connected: true, subscribed: 2, unwatched: [], lagMs: expect.any(Number) });
    expect(heartbeat.lastTickAt).toBeGreaterThanOrEqual(before);
    expect(evaluator.calls).toHaveLength(0);
  });

  it('on SIGTERM stops reading, flushes the last batch to the evaluator and exits 0 within 10 s', async () => {
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(10_000);
    expect(evaluator.pricesOf('AAPL$US')).toEqual([190, 191, 189.5]);
    expect(evaluator.pricesOf('MSFT$US')).toEqual([410]);
    expect(market.stats().open).toBe(0);
    expect((await readHeartbeat(db))?.connected).toBe(false);
  });

  it('logs structured JSON lines and never the token', () => {
    const lines = output.join('').split('\n').filter((line) => line.startsWith('{'));
    expect(lines.map((line) => JSON.parse(line) as { message: string }).map((line) => line.message)).toContain('stopping: closing the feed and flushing the last batches');
    expect(output.join('')).not.toContain('main-test-token');
  });
});

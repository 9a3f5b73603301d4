/**
 * The local stack end to end, as a user runs it: `npm start` in a child process on free ports
 * with the market simulator as the feed; a rule created over HTTP with the printed key; the
 * simulator scripted to cross it; the alert seen in GET /alerts with its deliveries sent, the mail
 * in the SES emulator's store, the Telegram stand-in's message and a signed webhook call. Then the
 * stack is stopped and nothing it started may be left: no process, no bound port. And SIGTERM, as
 * a process manager sends it, right after the start-up block or during start-up: by the time
 * `npm start` has exited, every port it bound can be bound again and every child has ended.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../functions/notifier/channels/webhook-signature';
import { findFreePort } from '../../local/dynamodb-local';
import { runtimeFilePath } from '../../local/runtime-file';
import { startWebhookReceiver, type WebhookReceiver } from '../support/delivery-webhook-receiver';
import { until } from '../support/eventually';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

interface Printed {
  api: string;
  webSocket: string;
  sesWebPage: string;
  telegram: string;
  simulator: string;
  key: string;
  webhookSecret: string;
}

/** Reads the start-up block the way a user reads it. */
function parseBlock(output: string): Printed | null {
  const field = (label: string) => new RegExp(`^\\s+${label}\\s+(\\S+)`, 'm').exec(output)?.[1];
  const telegram = /local stand-in at (\S+)/.exec(output)?.[1];
  const values = {
    api: field('API'),
    webSocket: field('WebSocket'),
    sesWebPage: field('SES web page'),
    telegram,
    simulator: field('Simulator'),
    key: field('API key'),
    webhookSecret: field('Webhook secret'),
  };
  return Object.values(values).every((v) => v !== undefined) ? (values as Printed) : null;
}


/** Every process below `pid` (children, grandchildren …). */
function descendants(pid: number): number[] {
  const table = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of table) {
      if (ppid === parent) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/** Whether this process can listen on the port right now (nothing else holds it). */
const canBind = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** `npm start` as package.json runs it (the tsx CLI, which relays signals to its child), on free ports. */
function npmStart(apiPort: number, dataDir: string): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(path.join(REPO_ROOT, 'node_modules/.bin/tsx'), ['local/start.ts', '--fresh'], {
    cwd: REPO_ROOT,
    env: { ...process.env, API_PORT: String(apiPort), DASHBOARD_PORT: '0', LOCAL_DATA_DIR: dataDir, SIMULATOR_TICKS_PER_SECOND: '0', DYNAMODB_ENDPOINT: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return { child, output: () => output };
}

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });

describe('npm start', () => {
  let child: ChildProcess;
  let output = '';
  let printed: Printed;
  let webhook: WebhookReceiver;
  let dataDir: string;

  beforeAll(async () => {
    webhook = await startWebhookReceiver();
    dataDir = mkdtempSync(path.join(tmpdir(), 'stock-alerts-e2e-'));
    const apiPort = await findFreePort();
    child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', '--fresh'], {
      cwd: REPO_ROOT,
      env: { ...process.env, API_PORT: String(apiPort), LOCAL_DATA_DIR: dataDir, SIMULATOR_TICKS_PER_SECOND: '0', BATCH_WINDOW_MS: '250', DYNAMODB_ENDPOINT: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    printed = await until('the start-up block', async () => parseBlock(output) ?? undefined, 90_000);
    expect(output).toContain('npm run keys -- create --owner bob');
  }, 120_000);

  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await webhook.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers an alert for a scripted crossing to every channel, then stops without leaving a process or a port', async () => {
    const auth = { Authorization: `Bearer ${printed.key}`, 'Content-Type': 'application/json' };
    const created = await fetch(`${printed.api}/rules`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        symbol: 'msft$us',
        condition: { type: 'crosses_above', value: 400 },
        channels: [
          { type: 'email', to: 'trader@example.com' },
          { type: 'telegram', chatId: '42424242' },
          { type: 'webhook', url: `http://127.0.0.1:${webhook.port}/hook` },
        ],
      }),
    });
    expect(created.status).toBe(201);
    const rule = (await created.json()) as { id: string };

    // The ingest task learns the symbol from DynamoDB and subscribes: wait for it, then cross.
    await until('the ingest task to subscribe MSFT$US', async () => {
      const stats = (await (await fetch(`${printed.simulator}/stats`)).json()) as { data: { subscribed: string[] } };
      return stats.data.subscribed.includes('MSFT$US') ? true : undefined;
    });
    const scripted = await fetch(`${printed.simulator}/script`, { method: 'POST', body: JSON.stringify({ symbol: 'MSFT$US', prices: [399.5, 400.25], stepMs: 20 }) });
    expect(await scripted.json()).toEqual({ code: 1, subscribers: 1 });

    const alert = await until('the alert to be delivered on every channel', async () => {
      const page = (await (await fetch(`${printed.api}/alerts?ruleId=${rule.id}`, { headers: auth })).json()) as {
        items: Array<{ price: number; deliveries: Array<{ channel: string; status: string }> }>;
      };
      const [first] = page.items;
      return first !== undefined && first.deliveries.every((d) => d.status === 'sent') ? page.items : undefined;
    });
    expect(alert).toHaveLength(1);
    expect(alert[0]).toMatchObject({ price: 400.25, deliveries: [{ channel: 'email' }, { channel: 'telegram' }, { channel: 'webhook' }] });

    const store = (await (await fetch(new URL('/store', printed.sesWebPage))).json()) as { emails: Array<{ destination: { to: string[] }; subject: string }> };
    const mail = store.emails.filter((m) => m.destination.to.includes('trader@example.com'));
    expect(mail).toHaveLength(1);
    expect(mail[0]?.subject).toContain('MSFT$US');

    const telegram = (await (await fetch(`${printed.telegram}/messages`)).json()) as { result: Array<{ chatId: string; plainText: string }> };
    const messages = telegram.result.filter((m) => m.chatId === '42424242');
    expect(messages).toHaveLength(1);
    expect(messages[0]?.plainText).toContain('400.25');

    expect(webhook.requests).toHaveLength(1);
    const call = webhook.requests[0];
    expect(verifyWebhookSignature(call?.body ?? Buffer.alloc(0), String(call?.headers['x-signature']), printed.webhookSecret)).toBe(true);
    expect(JSON.parse(call?.body.toString('utf8') ?? '{}')).toMatchObject({ ruleId: rule.id, symbol: 'MSFT$US', price: 400.25 });

    // Shut down as a user does (Ctrl-C), and check that nothing is left behind.
    const started = [child.pid as number, ...descendants(child.pid as number)];
    const ports = [printed.api, printed.webSocket, printed.sesWebPage, printed.telegram, printed.simulator].map((u) => Number(new URL(u).port));
    expect(started.length).toBeGreaterThanOrEqual(3); // tsx, the ingest task, DynamoDB Local's JVM
    child.kill('SIGINT');
    await until('npm start to exit', async () => (child.exitCode !== null ? child.exitCode : undefined), 30_000);
    expect(child.exitCode).toBe(0);
    await until('every process to end', async () => (started.every((pid) => !alive(pid)) ? true : undefined), 15_000);
    for (const port of ports) expect(await portOpen(port), `port ${port} still open`).toBe(false);
  }, 120_000);
});

describe('npm start on SIGTERM', () => {
  let dataDir: string;
  let running: ChildProcess | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'stock-alerts-sigterm-'));
  });
  afterAll(() => {
    if (running?.exitCode === null) running.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('has closed the API port, ended every child and removed its runtime file by the time it exits', async () => {
    const apiPort = await findFreePort();
    const { child, output } = npmStart(apiPort, dataDir);
    running = child;
    // The signal goes out the moment the block is read: nothing may slip between printing and stopping.
    await new Promise<void>((resolve) => {
      const check = () => {
        if (parseBlock(output()) === null) return;
        child.stdout?.off('data', check);
        resolve();
      };
      child.stdout?.on('data', check);
    });
    const started = [child.pid as number, ...descendants(child.pid as number)];
    expect(existsSync(runtimeFilePath(dataDir))).toBe(true);
    child.kill('SIGTERM');

    const exit = await exited(child);
    expect(await canBind(apiPort), `port ${apiPort} still bound after exit`).toBe(true);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(existsSync(runtimeFilePath(dataDir))).toBe(false);
    // Exited children may linger a moment as zombies until init reaps them.
    await until('every process to end', async () => (started.every((pid) => !alive(pid)) ? true : undefined), 5_000);
  }, 120_000);

  it('stops what it has started when SIGTERM comes during start-up', async () => {
    const apiPort = await findFreePort();
    const { child, output } = npmStart(apiPort, dataDir);
    running = child;
    const isDynamoDbLocal = (pid: number) => {
      try {
        return /DynamoDBLocal\.jar/.test(execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }));
      } catch {
        return false; // ended meanwhile
      }
    };
    // Once DynamoDB Local's JVM runs, local/start.ts is past its signal handlers and into the start.
    await until('DynamoDB Local to be started', async () => (descendants(child.pid as number).some(isDynamoDbLocal) ? true : undefined), 60_000);
    const started = [child.pid as number, ...descendants(child.pid as number)];
    child.kill('SIGTERM');

    const exit = await exited(child);
    expect(exit, output()).toEqual({ code: 0, signal: null });
    expect(parseBlock(output())).toBeNull();
    expect(await canBind(apiPort)).toBe(true);
    await until('every process to end', async () => (started.every((pid) => !alive(pid)) ? true : undefined), 5_000);
  }, 120_000);
});

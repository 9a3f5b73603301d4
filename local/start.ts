/**
 * `npm start`: the whole system on this machine (local/stack.ts), settings from the environment
 * (../shared/spec/local-stack.md). Prints one block with everything needed to use it, stops
 * everything on Ctrl-C or SIGTERM, and turns a missing prerequisite into one line naming the fix.
 *
 *   npm start               data kept in .local/ between runs
 *   npm start -- --fresh    start from an empty database
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { startLocalStack, type LocalStack } from './stack';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
/** Next to the API's 3000. A fixed port keeps the page's origin, and so its stored sign-in, across restarts. */
const DEFAULT_DASHBOARD_PORT = 3001;

const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema);
const wholeNumber = (min: number, max: number, what: string) =>
  z.coerce
    .number({ error: `must be ${what}` })
    .int({ error: `must be ${what}` })
    .min(min, { error: `must be ${what}` })
    .max(max, { error: `must be ${what}` });
const settingsSchema = z.object({
  API_PORT: optional(wholeNumber(1, 65_535, 'a port number from 1 to 65535').default(3000)),
  /** Unset: 3001, or a free port when 3001 is taken; set: exactly this port (0: a free one). */
  DASHBOARD_PORT: optional(wholeNumber(0, 65_535, 'a port number from 0 to 65535').optional()),
  DEV_API_KEY: optional(z.string().regex(/^[\x21-\x7e]{20,200}$/, { error: 'must be 20 to 200 printable characters' }).optional()),
  ITICK_TOKEN: optional(z.string().optional()),
  ITICK_WS_URL: optional(z.url({ protocol: /^wss?$/, error: 'must be a ws:// or wss:// URL' }).optional()),
  TELEGRAM_BOT_TOKEN: optional(z.string().regex(/^\d+:[A-Za-z0-9_-]+$/, { error: 'must look like a bot token (digits, a colon, letters)' }).optional()),
  TELEGRAM_API_BASE: optional(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional()),
  SES_ENDPOINT: optional(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional()),
  ALERT_FROM_EMAIL: optional(z.string().regex(/^[^\s@]+@[^\s@]+$/, { error: 'must be an email address' }).default('alerts@localhost')),
  DYNAMODB_ENDPOINT: optional(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional()),
  BATCH_WINDOW_MS: optional(wholeNumber(10, 60_000, 'a whole number of milliseconds from 10 to 60000').default(250)),
  SIMULATOR_TICKS_PER_SECOND: optional(wholeNumber(0, 1000, 'a whole number from 0 to 1000').default(2)),
  /** Where DynamoDB Local keeps its data between runs (git-ignored). */
  LOCAL_DATA_DIR: optional(z.string().default(path.join(REPO_ROOT, '.local', 'dynamodb'))),
});
const SECRETS = new Set(['DEV_API_KEY', 'ITICK_TOKEN', 'TELEGRAM_BOT_TOKEN']);

function fail(line: string): never {
  console.error(`npm start: ${line}`);
  process.exit(1);
}

function settings() {
  const parsed = settingsSchema.safeParse(process.env);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const name = String(issue?.path[0] ?? 'a setting');
  const value = process.env[name];
  fail(`${name} ${issue?.message ?? 'is invalid'}${value === undefined || SECRETS.has(name) ? '' : ` (got ${JSON.stringify(value)})`}`);
}

function checkJava(): void {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
  } catch {
    fail('Java is needed for DynamoDB Local and was not found: install Java 17 or newer (e.g. apt-get install openjdk-17-jre-headless), or set DYNAMODB_ENDPOINT');
  }
}

const { values: flags } = parseArgs({ options: { fresh: { type: 'boolean', default: false } }, allowPositionals: false, strict: false });
const config = settings();
if (config.DYNAMODB_ENDPOINT === undefined) checkJava();
if (flags.fresh === true) rmSync(config.LOCAL_DATA_DIR, { recursive: true, force: true });

let stack: LocalStack;
try {
  stack = await startLocalStack({
    apiPort: config.API_PORT,
    ...(config.DEV_API_KEY === undefined ? {} : { devApiKey: config.DEV_API_KEY }),
    ...(config.ITICK_TOKEN === undefined ? {} : { itickToken: config.ITICK_TOKEN }),
    ...(config.ITICK_WS_URL === undefined ? {} : { itickWsUrl: config.ITICK_WS_URL }),
    ...(config.TELEGRAM_BOT_TOKEN === undefined ? {} : { telegramBotToken: config.TELEGRAM_BOT_TOKEN }),
    ...(config.TELEGRAM_API_BASE === undefined ? {} : { telegramApiBase: config.TELEGRAM_API_BASE }),
    ...(config.SES_ENDPOINT === undefined ? {} : { sesEndpoint: config.SES_ENDPOINT }),
    ...(config.DYNAMODB_ENDPOINT === undefined ? { dataDir: config.LOCAL_DATA_DIR } : { dynamodbEndpoint: config.DYNAMODB_ENDPOINT }),
    alertFromEmail: config.ALERT_FROM_EMAIL,
    dashboard: config.DASHBOARD_PORT === undefined ? { port: DEFAULT_DASHBOARD_PORT, fallbackToFreePort: true } : { port: config.DASHBOARD_PORT },
    batchWindowMs: config.BATCH_WINDOW_MS,
    simulatorTicksPerSecond: config.SIMULATOR_TICKS_PER_SECOND,
    print: (line) => console.log(line),
    onIngestLog: (line) => {
      let entry: { level?: string; message?: string } = {};
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        console.log(`ingest: ${line}`);
        return;
      }
      if (/refused the token/i.test(entry.message ?? '')) console.error('npm start: iTick refused ITICK_TOKEN: check the token (or unset it to use the simulator)');
      else if (entry.level === 'WARN' || entry.level === 'ERROR') console.log(`ingest: ${entry.message ?? line}`);
    },
  });
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}

const curl = `curl -s -X POST ${stack.apiUrl}/rules -H 'Authorization: Bearer ${stack.devApiKey}' -H 'Content-Type: application/json' -d '{"symbol":"AAPL$US","condition":{"type":"crosses_above","value":200},"channels":[{"type":"telegram","chatId":"123456789"}]}'`;
console.log(
  [
    '',
    'stock-alerts is running locally',
    `  Dashboard      ${stack.dashboardUrl ?? 'not started'}`,
    `  API            ${stack.apiUrl}`,
    `  WebSocket      ${stack.webSocketUrl}`,
    `  SES web page   ${stack.sesWebPageUrl}`,
    `  Telegram       ${stack.telegram.source === 'stand-in' ? `local stand-in at ${stack.telegram.apiBase} (messages are printed here)` : 'the real Bot API'}`,
    `  Feed           ${stack.feed.source === 'simulator' ? `market simulator at ${stack.feed.url}` : `iTick at ${stack.feed.url}`}`,
    ...(stack.simulatorControlUrl === null ? [] : [`  Simulator      ${stack.simulatorControlUrl} (POST /script {"symbol","prices"})`]),
    `  API key        ${stack.devApiKey}   (owner ${stack.devOwner})`,
    ...(stack.webhookSecret === null ? [] : [`  Webhook secret ${stack.webhookSecret}`]),
    '',
    'Create a first rule:',
    `  ${curl}`,
    '',
    'Ctrl-C stops everything.',
    '',
  ].join('\n'),
);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  void stack.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));

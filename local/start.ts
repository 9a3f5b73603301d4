/**
 * `npm start`: the whole system on this machine (local/stack.ts), settings from the environment
 * (local/settings.ts, ../shared/spec/local-stack.md). Prints one block with everything needed to
 * use it, stops everything on Ctrl-C or SIGTERM (also during start-up) and only then exits, and
 * turns a missing prerequisite into one line naming the fix.
 *
 *   npm start               data kept in .local/ between runs
 *   npm start -- --fresh    start from an empty database
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { MARKETS, MARKET_INFO } from '../core/rule-model/market';
import { stopOnSignals } from './processes';
import { runtimeFilePath } from './runtime-file';
import { LocalSettingsError, parseLocalSettings, type LocalSettings } from './settings';
import { startLocalStack, type LocalStack } from './stack';

/** Next to the API's 3000. A fixed port keeps the page's origin, and so its stored sign-in, across restarts. */
const DEFAULT_DASHBOARD_PORT = 3001;

// The SDK warns on every run about Node versions it will drop in 2027; `npm start` prints only its own lines.
// A switch the SDK reads from the environment only (no setting of the stack), set before any client exists.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

function fail(line: string): never {
  console.error(`npm start: ${line}`);
  process.exit(1);
}

function checkJava(): void {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
  } catch {
    fail('Java is needed for DynamoDB Local and was not found: install Java 17 or newer (e.g. apt-get install openjdk-17-jre-headless), or set DYNAMODB_ENDPOINT');
  }
}

/** The ingest task's log as `npm start` shows it: warnings and errors, and a refused iTick token as one clear line. */
function onIngestLog(line: string): void {
  let entry: { level?: string; message?: string } = {};
  try {
    entry = JSON.parse(line) as typeof entry;
  } catch {
    console.log(`ingest: ${line}`);
    return;
  }
  if (/refused the token/i.test(entry.message ?? '')) console.error('npm start: iTick refused ITICK_TOKEN: check the token (or unset it to use the simulator)');
  else if (entry.level === 'WARN' || entry.level === 'ERROR') console.log(`ingest: ${entry.message ?? line}`);
}

function startStack(settings: LocalSettings, signal: AbortSignal): Promise<LocalStack> {
  return startLocalStack({
    apiPort: settings.apiPort,
    devApiKey: settings.devApiKey,
    itickToken: settings.itickToken,
    itickWsUrl: settings.itickWsUrl,
    itickMarketUrls: settings.itickMarketUrls,
    itickRestBase: settings.itickRestBase,
    itickRestPerMinute: settings.itickRestPerMinute,
    simulatorShapes: settings.simulatorShapes,
    telegramBotToken: settings.telegramBotToken,
    telegramApiBase: settings.telegramApiBase,
    sesEndpoint: settings.sesEndpoint,
    // DynamoDB Local keeps its data in dataDir, unless another DynamoDB is given.
    dynamodbEndpoint: settings.dynamodbEndpoint,
    dataDir: settings.dataDir,
    alertFromEmail: settings.alertFromEmail,
    dashboard: settings.dashboardPort === undefined ? { port: DEFAULT_DASHBOARD_PORT, fallbackToFreePort: true } : { port: settings.dashboardPort },
    batchWindowMs: settings.batchWindowMs,
    simulatorTicksPerSecond: settings.simulatorTicksPerSecond,
    runtimeFile: runtimeFilePath(settings.dataDir),
    signal,
    print: (line) => console.log(line),
    onIngestLog,
  });
}

/** Where each market's feed and iTick's REST come from, one line each (never the token). */
function feedLines(feed: LocalStack['feed']): string[] {
  const from = feed.source === 'simulator' ? `market simulator (${feed.shapes ?? 'spec'} shapes, SIMULATOR_SHAPES)` : 'iTick (ITICK_TOKEN)';
  return [
    `  Feed           ${from}`,
    ...MARKETS.map((market) => `    ${MARKET_INFO[market].label.padEnd(12)} ${feed.urls[market]}`),
    `  iTick REST     ${feed.restBase} (${feed.restPerMinute} calls per minute, ITICK_REST_PER_MINUTE)`,
  ];
}

function startupBlock(stack: LocalStack): string {
  const curl = `curl -s -X POST ${stack.apiUrl}/rules -H 'Authorization: Bearer ${stack.devApiKey}' -H 'Content-Type: application/json' -d '{"symbol":"AAPL$US","condition":{"type":"crosses_above","value":200},"channels":[{"type":"telegram","chatId":"123456789"}]}'`;
  return [
    '',
    'stock-alerts is running locally',
    `  Dashboard      ${stack.dashboardUrl ?? 'not started'}`,
    `  API            ${stack.apiUrl}`,
    `  WebSocket      ${stack.webSocketUrl}`,
    `  SES web page   ${stack.sesWebPageUrl}`,
    `  Telegram       ${stack.telegram.source === 'stand-in' ? `local stand-in at ${stack.telegram.apiBase} (messages are printed here)` : 'the real Bot API'}`,
    ...feedLines(stack.feed),
    ...(stack.simulatorControlUrl === null ? [] : [`  Simulator      ${stack.simulatorControlUrl} (POST /script {"symbol","prices"}, symbols as the API names them: AAPL$US, crypto:BTCUSDT$BA)`]),
    `  API key        ${stack.devApiKey}   (owner ${stack.devOwner})`,
    ...(stack.webhookSecret === null ? [] : [`  Webhook secret ${stack.webhookSecret}`]),
    '',
    'Create a first rule:',
    `  ${curl}`,
    '',
    'More API keys (in another terminal, talks to this stack):',
    '  npm run keys -- create --owner bob',
    '',
    'Ctrl-C stops everything.',
    '',
  ].join('\n');
}

let settings: LocalSettings;
try {
  settings = parseLocalSettings(process.env);
} catch (error) {
  fail(error instanceof LocalSettingsError ? error.message : String(error));
}
const { values: flags } = parseArgs({ options: { fresh: { type: 'boolean', default: false } }, allowPositionals: false, strict: false });
if (settings.dynamodbEndpoint === undefined) checkJava();
if (flags.fresh === true) rmSync(settings.dataDir, { recursive: true, force: true });

// Before anything starts: a signal during start-up stops what has started, then the process exits.
let starting: Promise<LocalStack> | undefined;
const stopped = stopOnSignals(async (signal) => {
  console.log(`\n${signal}: stopping…`);
  const stack = await starting?.catch(() => undefined);
  await stack?.stop();
});

try {
  starting = startStack(settings, stopped);
  const stack = await starting;
  if (!stopped.aborted) console.log(startupBlock(stack));
} catch (error) {
  // Stopped by a signal during start-up (StartAbortedError): the signal's stop exits once all is stopped.
  if (!stopped.aborted) fail(error instanceof Error ? error.message : String(error));
}

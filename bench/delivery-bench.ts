/**
 * `npm run bench:delivery [-- --destinations N --failing-fraction F --rounds R]`
 *
 * Delivery isolation through the local stack (local/stack.ts in this process, without the feed:
 * the evaluator behind the local Lambda API, SQS, the notifier with its lanes and its pacing on
 * DynamoDB Local, the Telegram stand-in). N Telegram chats each have a rule on one symbol; a
 * fraction of them answer 500 to every message for the whole run. Each round invokes the evaluator
 * with a crossing (every rule fires: N alerts at once), then waits until every healthy chat has
 * its message; rounds are at least 1.1 s apart and at most 25 alerts a second, so Telegram's one
 * message a second per chat and ~30 a second per bot (which the lanes honour) are not what is
 * measured. Printed: the healthy chats' latency (invocation → message at the stand-in) p50/p99 and
 * the healthy alerts delivered per second, side by side in the same run with the baseline of the
 * same workload with no failing chat. Last line: one JSON object.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { parseArgs } from 'node:util';
import { BATCH_EVENT_VERSION, type BatchEvent } from '../core/feed';
import { LOCAL_CREDENTIALS } from '../core/local-credentials';
import { startLocalStack, type LocalStack } from '../local/stack';

const { values } = parseArgs({
  options: { destinations: { type: 'string', default: '40' }, 'failing-fraction': { type: 'string', default: '0.25' }, rounds: { type: 'string', default: '8' } },
});
const DESTINATIONS = Number(values.destinations);
const FAILING_FRACTION = Number(values['failing-fraction']);
const ROUNDS = Number(values.rounds);
if (!Number.isInteger(DESTINATIONS) || DESTINATIONS < 2 || DESTINATIONS > 500 || !(FAILING_FRACTION >= 0 && FAILING_FRACTION < 1) || !Number.isInteger(ROUNDS) || ROUNDS < 1) {
  console.error('bench:delivery: --destinations must be a whole number 2–500, --failing-fraction in [0, 1), --rounds a whole number ≥ 1');
  process.exit(2);
}

const BATCH_WINDOW_MS = 250;
/** Rounds far enough apart for Telegram's 1 message a second per chat and to keep under its ~30 a second per bot (at 25/s). */
const ROUND_SPACING_MS = Math.max(1_100, Math.ceil((DESTINATIONS / 25) * 1000));
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface RunResult {
  healthy: number;
  failing: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  alertsPerSecond: number;
}

let position = Date.now() * 1000;

/** A batch in which `symbol` crosses 200 upwards (199 → 201), with positions no other batch has. */
function crossing(symbol: string, seq: number): BatchEvent {
  const now = Date.now();
  const fromPos = (position += 1000);
  return { version: BATCH_EVENT_VERSION, shard: 0, seq, fromPos, toPos: fromPos + 1, sentAt: now, symbols: [{ symbol, points: [[199, now - 100, 1], [201, now, 1]] }] };
}

async function run(stack: LocalStack, label: string, failingFraction: number): Promise<RunResult> {
  const telegram = stack.services.telegram;
  if (telegram === null) throw new Error('the bench needs the Telegram stand-in');
  const lambda = new LambdaClient({ region: 'us-east-1', credentials: LOCAL_CREDENTIALS, endpoint: stack.lambdaEndpoint, maxAttempts: 1 });
  const symbol = `DLV${label.toUpperCase()}${Math.random().toString(36).slice(2, 6).toUpperCase()}$US`;
  const failingCount = Math.round(DESTINATIONS * failingFraction);
  const chats = Array.from({ length: DESTINATIONS }, (_, i) => `${label === 'baseline' ? 5 : 6}${String(Date.now() % 1e6).padStart(6, '0')}${String(i).padStart(3, '0')}`);
  const failing = new Set(chats.slice(0, failingCount));
  const healthy = chats.filter((chat) => !failing.has(chat));
  for (const chatId of chats) {
    const created = await fetch(`${stack.apiUrl}/rules`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${stack.devApiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ symbol, condition: { type: 'crosses_above', value: 200 }, trigger: 'rearm', cooldownSeconds: 0, channels: [{ type: 'telegram', chatId }] }),
    });
    if (created.status !== 201) throw new Error(`creating a rule answered ${created.status}: ${await created.text()}`);
  }
  for (const chatId of failing) telegram.failNext({ kind: 'server_error' }, 1_000_000, chatId);
  // The evaluator re-reads rule versions every RULE_CACHE_CHECK_MS (set below): let it see them.
  await sleep(1_500);

  const latencies: number[] = [];
  let delivered = 0;
  const started = Date.now();
  let lastAt = started;
  for (let round = 0; round < ROUNDS; round++) {
    const invokedAt = Date.now();
    const answer = await lambda.send(new InvokeCommand({ FunctionName: 'evaluator', Payload: Buffer.from(JSON.stringify(crossing(symbol, round))) }));
    if (answer.FunctionError !== undefined) throw new Error(`the evaluator failed: ${Buffer.from(answer.Payload ?? new Uint8Array()).toString('utf8')}`);
    const deadline = invokedAt + 15_000;
    for (const chatId of healthy) {
      while (telegram.messagesTo(chatId).length <= round && Date.now() < deadline) await sleep(2);
      const message = telegram.messagesTo(chatId)[round];
      if (message === undefined) throw new Error(`${label}: round ${round + 1} did not reach chat ${chatId} within 15 s`);
      latencies.push(message.receivedAt - invokedAt);
      lastAt = Math.max(lastAt, message.receivedAt);
      delivered += 1;
    }
    await sleep(Math.max(0, invokedAt + ROUND_SPACING_MS - Date.now()));
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    healthy: healthy.length,
    failing: failingCount,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted[sorted.length - 1] as number,
    alertsPerSecond: Math.round((delivered / Math.max(1, lastAt - started)) * 1000 * 10) / 10,
  };
}

process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
process.env.RULE_CACHE_CHECK_MS ??= '200';
// One owner fires N alerts a round: the per-owner alert limit is not what is measured.
process.env.OWNER_ALERTS_PER_MINUTE ??= '2000';
const stack = await startLocalStack({ feed: false, apiPort: 0, alertFromEmail: 'alerts@localhost', batchWindowMs: BATCH_WINDOW_MS, simulatorTicksPerSecond: 0, print: () => undefined });
try {
  const baseline = await run(stack, 'baseline', 0);
  const withFailures = await run(stack, 'failing', FAILING_FRACTION);
  const row = (name: string, r: RunResult) =>
    `${name.padEnd(34)} healthy ${String(r.healthy).padStart(3)}  failing ${String(r.failing).padStart(3)}  p50 ${String(r.p50Ms).padStart(4)} ms  p99 ${String(r.p99Ms).padStart(4)} ms  max ${String(r.maxMs).padStart(4)} ms  ${r.alertsPerSecond} alerts/s`;
  console.log(`bench:delivery: ${DESTINATIONS} Telegram chats, ${ROUNDS} rounds of one alert each, batch window ${BATCH_WINDOW_MS} ms`);
  console.log(row('baseline (no failing chat)', baseline));
  console.log(row(`${Math.round(FAILING_FRACTION * 100)} % of the chats answering 500`, withFailures));
  console.log(`target: healthy p99 ≤ batch window + 1 s = ${BATCH_WINDOW_MS + 1000} ms while others fail`);
  console.log(JSON.stringify({ destinations: DESTINATIONS, failingFraction: FAILING_FRACTION, rounds: ROUNDS, baseline, withFailures, targetP99Ms: BATCH_WINDOW_MS + 1000 }));
} finally {
  await stack.stop();
}

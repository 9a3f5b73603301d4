/**
 * `npm run bench:e2e [-- --crossings N --batch-window-ms MS]`
 *
 * Tick → Telegram latency through the whole local stack (local/stack.ts, run in this process:
 * simulator, the real ingest task as a child process, the evaluator behind the local Lambda API,
 * SQS, the notifier, the Telegram stand-in). `crosses` rules with `repeat` and no cooldown fire on
 * every crossing; the simulator is scripted to cross N times, each in its own batch window, and
 * the latency is the stand-in's receive time minus the tick time. Crossings rotate over
 * {@link SYMBOLS} symbols, each with its own chat, so that Telegram's limit of one message per
 * second per chat (which the sender honours) is not what is measured. Side by side, in the same run:
 * the baseline of one direct sendMessage call to the same stand-in (the delivery hop alone) and
 * the target p99 ≤ BATCH_WINDOW_MS + 150 ms. Last line: one JSON object.
 */
import { parseArgs } from 'node:util';
import { startLocalStack } from '../local/stack';

const { values } = parseArgs({ options: { crossings: { type: 'string', default: '50' }, 'batch-window-ms': { type: 'string', default: '250' } } });
const CROSSINGS = Number(values.crossings);
const BATCH_WINDOW_MS = Number(values['batch-window-ms']);
if (!Number.isInteger(CROSSINGS) || CROSSINGS < 1 || !Number.isInteger(BATCH_WINDOW_MS) || BATCH_WINDOW_MS < 10) {
  console.error('bench:e2e: --crossings must be a whole number ≥ 1 and --batch-window-ms ≥ 10');
  process.exit(2);
}

const SYMBOLS = 5;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
const stack = await startLocalStack({
  apiPort: 0,
  alertFromEmail: 'alerts@localhost',
  batchWindowMs: BATCH_WINDOW_MS,
  simulatorTicksPerSecond: 0,
  print: () => undefined,
});
try {
  const telegram = stack.services.telegram;
  if (telegram === null || stack.simulatorControlUrl === null) throw new Error('the bench needs the Telegram stand-in and the simulator');
  const auth = { Authorization: `Bearer ${stack.devApiKey}`, 'Content-Type': 'application/json' };
  const symbols = Array.from({ length: SYMBOLS }, (_, i) => ({ symbol: `BENCH${i}$US`, chatId: String(777000 + i), above: false }));
  for (const { symbol, chatId } of symbols) {
    const created = await fetch(`${stack.apiUrl}/rules`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ symbol, condition: { type: 'crosses', value: 100 }, trigger: 'repeat', cooldownSeconds: 0, channels: [{ type: 'telegram', chatId }] }),
    });
    if (created.status !== 201) throw new Error(`creating a rule answered ${created.status}`);
  }

  // Wait for the ingest task to subscribe, then give each symbol a baseline price.
  for (let i = 0; ; i++) {
    const stats = (await (await fetch(`${stack.simulatorControlUrl}/stats`)).json()) as { data: { subscribed: string[] } };
    if (symbols.every(({ symbol }) => stats.data.subscribed.includes(symbol))) break;
    if (i > 300) throw new Error('the ingest task did not subscribe');
    await sleep(100);
  }
  const script = (symbol: string, prices: number[]) => fetch(`${stack.simulatorControlUrl}/script`, { method: 'POST', body: JSON.stringify({ symbol, prices }) });
  for (const { symbol } of symbols) await script(symbol, [99.5]);
  await sleep(BATCH_WINDOW_MS * 3);

  const latencies: number[] = [];
  for (let i = 0; i < CROSSINGS; i++) {
    const target = symbols[i % SYMBOLS] as (typeof symbols)[number];
    const before = telegram.messagesTo(target.chatId).length;
    target.above = !target.above;
    const tickAt = Date.now();
    await script(target.symbol, [target.above ? 100.5 : 99.5]);
    const deadline = Date.now() + 10_000;
    while (telegram.messagesTo(target.chatId).length === before && Date.now() < deadline) await sleep(2);
    const message = telegram.messagesTo(target.chatId)[before];
    if (message === undefined) throw new Error(`crossing ${i + 1} was not delivered within 10 s`);
    latencies.push(message.receivedAt - tickAt);
    await sleep(BATCH_WINDOW_MS + 100); // the next crossing in a batch window of its own
  }

  // Baseline: the delivery hop alone, one direct sendMessage to the same stand-in.
  const direct: number[] = [];
  for (let i = 0; i < CROSSINGS; i++) {
    const started = performance.now();
    await fetch(`${telegram.apiBase}/bot0:baseline/sendMessage`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ chat_id: '1', text: 'baseline' }) });
    direct.push(performance.now() - started);
  }

  latencies.sort((a, b) => a - b);
  direct.sort((a, b) => a - b);
  const result = {
    crossings: CROSSINGS,
    batchWindowMs: BATCH_WINDOW_MS,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies[latencies.length - 1],
    targetP99Ms: BATCH_WINDOW_MS + 150,
    baselineDirectSendP50Ms: Number(percentile(direct, 50).toFixed(1)),
    baselineDirectSendP99Ms: Number(percentile(direct, 99).toFixed(1)),
  };
  console.log(`tick → Telegram over ${CROSSINGS} crossings: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms (target p99 ≤ ${result.targetP99Ms} ms)`);
  console.log(`baseline, one direct sendMessage to the stand-in: p50 ${result.baselineDirectSendP50Ms} ms, p99 ${result.baselineDirectSendP99Ms} ms`);
  console.log(JSON.stringify(result));
} finally {
  await stack.stop();
}

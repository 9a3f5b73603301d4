/**
 * Ingest throughput: `npm run bench:ingest [-- --seconds 30 --symbols 500]`.
 *
 * The market simulator runs in a child process at full speed (so it has its own core) and the
 * real ingest path runs here on one thread: WebSocket frames → tolerant parsing → symbol lookup
 * → path compression → windows and shards → a stub evaluator that answers at once. Prints a
 * progress line every 5 s and, as its last line, `{"ticksPerSec":X,"rssMB":Y,"symbols":N,...}`.
 * Target: ≥ 100,000 ticks/s with RSS flat over a 30 s run.
 *
 * Baseline, in the same run against the same simulator: a bare `ws` client that only parses each
 * frame with JSON.parse (no tolerance, no batching, no hand-over) for `--baseline-seconds`. The
 * ratio says what the ingest path costs over reading the socket at all.
 *
 * `--shapes docs` makes the simulator send what iTick's current docs print (quotes only, `s` as
 * `AAPL.US`, the day's running volume), so the quote-as-trade path and the symbol-form lookup are
 * measured; `spec` (the default) sends tick frames with `s` and `r`.
 *
 * `--dashboards N` also runs the live-price publisher (ingest-task/src/price-publisher.ts) as
 * production does when dashboards are open: N connections each watching 20 of the symbols, with a
 * poster that encodes and counts each message instead of sending it (the network is not measured).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { BATCH_EVENT_VERSION } from '../core/feed';
import type { EvaluatorInvoker } from '../ingest-task/src/evaluator-invoker';
import { IngestTask } from '../ingest-task/src/ingest-task';
import type { IngestLogger } from '../ingest-task/src/logger';
import { PricePublisher } from '../ingest-task/src/price-publisher';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    symbols: { type: 'string', default: '500' },
    warmup: { type: 'string', default: '3' },
    'baseline-seconds': { type: 'string', default: '10' },
    dashboards: { type: 'string', default: '0' },
    /** `spec` (tick frames, `s` + `r`) or `docs` (iTick's current docs: quote-only, `s` = `AAPL.US`, running volume). */
    shapes: { type: 'string', default: 'spec' },
  },
});
const seconds = Number(values.seconds);
const symbolCount = Number(values.symbols);
const warmupSeconds = Number(values.warmup);
const dashboards = Number(values.dashboards);

const simulator = spawn(process.execPath, ['--import', 'tsx', 'local/market-simulator/cli.ts', '--full-speed', '--shapes', values.shapes], { stdio: ['ignore', 'pipe', 'inherit'] });
// The simulator must not outlive a benchmark that fails half-way.
process.once('exit', () => simulator.kill('SIGKILL'));
const url = await new Promise<string>((resolve, reject) => {
  simulator.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  createInterface({ input: simulator.stdout! }).on('line', (line) => {
    const match = /ws:\/\/\S+/.exec(line);
    if (match !== null) resolve(match[0]);
  });
});

let batches = 0;
const stubEvaluator: EvaluatorInvoker = {
  // Stands in for the Lambda call: the event is built in full, the answer comes back at once.
  invoke: async (event) => {
    batches += 1;
    return { version: BATCH_EVENT_VERSION, shard: event.shard, seq: event.seq, fired: 0, claimed: 0, state: { seq: event.seq } };
  },
};
const quiet: IngestLogger = { debug: () => undefined, info: () => undefined, warn: (m) => console.error(m), error: (m) => console.error(m) };
const symbols = Array.from({ length: symbolCount }, (_, i) => `B${i}$US`);
let priceMessages = 0;
let priceBytes = 0;
const prices =
  dashboards === 0
    ? undefined
    : new PricePublisher({
        watches: {
          list: async () => Array.from({ length: dashboards }, (_, c) => symbols.slice((c * 20) % symbolCount, ((c * 20) % symbolCount) + 20).map((symbol) => ({ symbol, connectionId: `conn-${c}` }))).flat(),
          forget: async () => undefined,
        },
        poster: {
          post: async (_connectionId, data) => {
            priceMessages += 1;
            priceBytes += data.byteLength;
            return 'sent';
          },
        },
        logger: quiet,
        intervalMs: 1_000,
        watchesRefreshMs: 2_000,
      });
const task = new IngestTask({
  config: {
    itick: { token: 'bench', url, maxSymbolsPerConnection: undefined, connections: 1 },
    batch: { windowMs: 250, maxPoints: 10_000, backlogMaxPoints: 1_000_000, shards: 4 },
    watchlistRefreshMs: 3_000,
    heartbeat: { intervalMs: 5_000, file: undefined },
  },
  watchlist: { list: async () => symbols },
  heartbeatSinks: [],
  invoker: stubEvaluator,
  logger: quiet,
  ...(prices === undefined ? {} : { prices }),
});
task.start();

const accepted = () => task.stats().batcher.ticksAccepted;
const rssMB = () => Math.round(process.memoryUsage().rss / 1048576);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

while (accepted() === 0) await sleep(50);
await sleep(warmupSeconds * 1000);
const startTicks = accepted();
const startedAt = performance.now();
const startRss = rssMB();
const startCpu = process.cpuUsage();
let maxRss = startRss;
for (let elapsed = 1; elapsed <= seconds; elapsed += 1) {
  await sleep(startedAt + elapsed * 1000 - performance.now());
  maxRss = Math.max(maxRss, rssMB());
  if (elapsed % 5 === 0 || elapsed === seconds) {
    const rate = Math.round((accepted() - startTicks) / ((performance.now() - startedAt) / 1000));
    const { pendingPoints, droppedTicks, lagMs } = task.stats().batcher;
    // CPU of this process over wall time: near 100% means the ingest path, not the simulator, sets the pace.
    const cpu = process.cpuUsage(startCpu);
    const cpuPercent = Math.round((cpu.user + cpu.system) / 1000 / (performance.now() - startedAt) * 100);
    console.log(`t=${elapsed}s ticksPerSec=${rate} cpu=${cpuPercent}% rssMB=${rssMB()} (start ${startRss}, max ${maxRss}) batches=${batches} pendingPoints=${pendingPoints} lagMs=${lagMs} dropped=${droppedTicks}`);
  }
}
const ticksPerSec = Math.round((accepted() - startTicks) / ((performance.now() - startedAt) / 1000));
const finalRss = rssMB();
await task.stop(2_000);

const baselineTicksPerSec = await parseOnlyBaseline(url, symbols, Number(values['baseline-seconds']));
console.log(`baseline (bare client, JSON.parse only): ticksPerSec=${baselineTicksPerSec}; ingest path at ${Math.round((ticksPerSec / baselineTicksPerSec) * 100)}% of it`);
simulator.kill('SIGTERM');
await once(simulator, 'exit');
const published = dashboards === 0 ? {} : { dashboards, priceMessagesPerSec: Math.round(priceMessages / (seconds + warmupSeconds)), priceKBPerSec: Math.round(priceBytes / 1024 / (seconds + warmupSeconds)) };
console.log(JSON.stringify({ ticksPerSec, rssMB: finalRss, symbols: symbolCount, baselineTicksPerSec, ...published }));

/** Ticks per second a bare client gets by subscribing and parsing every frame, nothing else. */
async function parseOnlyBaseline(wsUrl: string, subscribe: string[], measureSeconds: number): Promise<number> {
  const ws = new WebSocket(wsUrl, { headers: { token: 'bench' } });
  let ticks = 0;
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as { resAc?: string; data?: { type?: string } };
    if (message.resAc === 'auth') ws.send(JSON.stringify({ ac: 'subscribe', params: subscribe.join(','), types: 'tick,quote' }));
    // A quote-only feed (`--shapes docs`) sends its trades as quotes.
    else if (message.data?.type === 'tick' || message.data?.type === 'quote') ticks += 1;
  });
  await once(ws, 'open');
  while (ticks === 0) await sleep(50);
  await sleep(1000);
  const from = ticks;
  const started = performance.now();
  await sleep(measureSeconds * 1000);
  const rate = Math.round((ticks - from) / ((performance.now() - started) / 1000));
  ws.terminate();
  return rate;
}

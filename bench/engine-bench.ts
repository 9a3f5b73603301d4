/**
 * `npm run bench:engine -- --rules N --symbols M --ticks T [--seed S] [--batch-ms B] [--indicators SHARE]`
 *
 * Builds N rules over M symbols (a realistic mix: levels and crossings around the price, channels,
 * moves, change against the previous close, volume spikes, composites; all trigger modes) and a
 * random-walk tick stream, then measures the indexed engine and the reference engine (every rule
 * at every point) on the same stream in the same run. The reference engine is timed on a prefix
 * of the stream (it is slow; a rate needs no full run). The engines are synchronous and run on
 * this one thread; the indexed figure is the best of three passes. Prints a human summary, then
 * as its last line one JSON object:
 * {"engine":"indexed","rules":N,"symbols":M,"ticks":T,"indicators":SHARE,"ticksPerSec":X,"naiveTicksPerSec":Y,"ratio":X/Y}
 *
 * `--indicators 0.3` makes that share of the rules indicator rules (RSI levels, MACD and
 * moving-average crosses, Bollinger breaks, on 1m to 1d bars, regular and all-hours sessions, a
 * fifth of them judged on the forming bar). Their series are warmed before the timed part from a
 * made-up history of 300 bars each (`seedBars`, as the evaluator does with iTick's klines), so
 * every indicator has values from the first tick.
 */
import { parseArgs } from 'node:util';
import { evaluateBatch, evaluateReference, INTERVAL_MS, newEngineState, RuleIndex, seedBars, warmUpRequests } from '../core/engine';
import type { EngineRule, EngineState, SeedBar, SymbolBatch } from '../core/engine';
import type { Condition, SimpleCondition } from '../core/rule-model';
import { seededRandom } from '../local/market-simulator/random-walk';

const { values } = parseArgs({
  options: {
    rules: { type: 'string', default: '100000' },
    symbols: { type: 'string', default: '1000' },
    ticks: { type: 'string', default: '2000000' },
    seed: { type: 'string', default: '42' },
    'batch-ms': { type: 'string', default: '250' },
    'ticks-per-sec': { type: 'string', default: '20000' },
    'naive-seconds': { type: 'string', default: '3' },
    indicators: { type: 'string', default: '0' },
  },
});

function positiveInt(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`bench:engine: --${name} must be a positive integer, got ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return n;
}

const RULES = positiveInt('rules', values.rules);
const SYMBOLS = positiveInt('symbols', values.symbols);
const TICKS = positiveInt('ticks', values.ticks);
const BATCH_MS = positiveInt('batch-ms', values['batch-ms']);
const RATE = positiveInt('ticks-per-sec', values['ticks-per-sec']);
const NAIVE_SECONDS = Number(values['naive-seconds']);
const INDICATOR_SHARE = Number(values.indicators);
if (!(INDICATOR_SHARE >= 0 && INDICATOR_SHARE <= 1)) {
  console.error(`bench:engine: --indicators must be a share from 0 to 1, got ${JSON.stringify(values.indicators)}`);
  process.exit(2);
}

// Seeded, so runs are repeatable.
const random = seededRandom(positiveInt('seed', values.seed));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const START = Date.UTC(2026, 10, 2, 14, 30, 0);

const symbols = Array.from({ length: SYMBOLS }, (_, i) => `S${i}$US`);
const basePrice = symbols.map(() => 20 + random() * 480);

function simpleCondition(price: number): SimpleCondition {
  const near = () => Number((price * (0.9 + random() * 0.2)).toFixed(2));
  const roll = random();
  if (roll < 0.25) return { type: pick(['price_above', 'price_below'] as const), value: near() };
  if (roll < 0.65) return { type: pick(['crosses_above', 'crosses_below', 'crosses'] as const), value: near() };
  if (roll < 0.75) {
    const lower = near();
    return { type: pick(['enters_channel', 'exits_channel'] as const), lower, upper: Number((lower * (1 + 0.005 + random() * 0.03)).toFixed(2)) };
  }
  if (roll < 0.85) return { type: pick(['moves_up_pct', 'moves_down_pct'] as const), percent: pick([0.5, 1, 2, 3]), windowSeconds: pick([60, 300, 900]) };
  if (roll < 0.93) return { type: 'change_from_prev_close_pct', percent: pick([-5, -3, -2, 2, 3, 5]) };
  return { type: 'volume_spike', multiple: pick([2, 3, 5]), windowSeconds: pick([60, 300]) };
}

/** An indicator condition with the usual parameters traders use. */
function indicatorCondition(): SimpleCondition {
  const interval = pick(['1m', '1m', '5m', '5m', '15m', '1h', '1d'] as const);
  const common = { interval, ...(random() < 0.3 ? { session: 'any' as const } : {}), ...(random() < 0.2 ? { evaluate: 'forming' as const } : {}) };
  const roll = random();
  if (roll < 0.4) return { type: pick(['rsi_above', 'rsi_below'] as const), period: pick([7, 14, 14, 21]), value: pick([20, 25, 30, 70, 75, 80]), ...common };
  if (roll < 0.6) return { type: 'macd_cross', fast: 12, slow: 26, signal: 9, direction: pick(['up', 'down'] as const), ...common };
  if (roll < 0.8) return { type: 'bollinger_break', period: 20, stdDev: pick([2, 2, 2.5]), band: pick(['upper', 'lower'] as const), ...common };
  const [fast, slow] = pick([
    [9, 21],
    [20, 50],
    [50, 200],
  ] as const);
  return { type: 'ma_cross', kind: pick(['sma', 'ema'] as const), fast, slow, direction: pick(['up', 'down'] as const), ...common };
}

function condition(price: number): Condition {
  if (random() < INDICATOR_SHARE) return indicatorCondition();
  if (random() < 0.05) {
    return { type: pick(['all', 'any'] as const), conditions: [simpleCondition(price), simpleCondition(price)] };
  }
  return simpleCondition(price);
}

const rules: EngineRule[] = Array.from({ length: RULES }, (_, i) => {
  const s = i % SYMBOLS;
  return {
    id: `rule-${i}`,
    symbol: symbols[s] as string,
    condition: condition(basePrice[s] as number),
    trigger: pick(['once', 'rearm', 'rearm', 'repeat'] as const),
    cooldownSeconds: pick([0, 60, 300, 300, 3600]),
    expiresAt: null,
    version: 1,
    armed: true,
    lastFiredAt: null,
  };
});

/**
 * The tick stream as batches of BATCH_MS of simulated time, RATE ticks per simulated second,
 * kept compact (typed arrays) so that millions of prepared points do not sit on the heap and
 * tax the garbage collector while the engines are timed; each batch becomes objects just before
 * it is evaluated, outside the timed section.
 */
interface CompactBatch {
  symbol: Int32Array;
  price: Float64Array;
  at: Float64Array;
  volume: Float64Array;
}

function buildBatches(): CompactBatch[] {
  const price = [...basePrice];
  const perBatch = Math.max(1, Math.round((RATE * BATCH_MS) / 1000));
  const batches: CompactBatch[] = [];
  for (let made = 0, b = 0; made < TICKS; b += 1) {
    const count = Math.min(perBatch, TICKS - made);
    const batch: CompactBatch = { symbol: new Int32Array(count), price: new Float64Array(count), at: new Float64Array(count), volume: new Float64Array(count) };
    for (let k = 0; k < count; k += 1) {
      const s = Math.floor(random() * SYMBOLS);
      const next = (price[s] as number) * (1 + (random() - 0.5) * 0.002);
      price[s] = next;
      batch.symbol[k] = s;
      batch.price[k] = Number(next.toFixed(2));
      batch.at[k] = START + b * BATCH_MS + Math.floor((k * BATCH_MS) / count);
      batch.volume[k] = 1 + Math.floor(random() * 500);
    }
    batches.push(batch);
    made += count;
  }
  return batches;
}

function materialise(batch: CompactBatch): SymbolBatch[] {
  const paths = new Map<number, SymbolBatch & { points: Array<{ price: number; at: number; volume: number }> }>();
  for (let k = 0; k < batch.symbol.length; k += 1) {
    const s = batch.symbol[k] as number;
    let path = paths.get(s);
    if (path === undefined) {
      path = { symbol: symbols[s] as string, points: [], prevClose: basePrice[s] as number };
      paths.set(s, path);
    }
    path.points.push({ price: batch.price[k] as number, at: batch.at[k] as number, volume: batch.volume[k] as number });
  }
  return [...paths.values()];
}


const warmUp: SymbolBatch[] = symbols.map((symbol, s) => ({ symbol, prevClose: basePrice[s] as number, points: [{ price: basePrice[s] as number, at: START - 1000, volume: 1 }] }));
const batches = buildBatches();

/** 300 made-up bars per wanted series, ending at the stream's start (what the evaluator gets from iTick's klines). */
const HISTORY_BARS = 300;
const histories = new Map<string, SeedBar[]>();
function historyOf(symbol: string, s: number, interval: keyof typeof INTERVAL_MS): SeedBar[] {
  const key = `${symbol}|${interval}`;
  let bars = histories.get(key);
  if (bars === undefined) {
    const size = INTERVAL_MS[interval];
    const first = Math.floor(START / size) * size - HISTORY_BARS * size;
    let close = basePrice[s] as number;
    bars = Array.from({ length: HISTORY_BARS }, (_, i) => {
      close *= 1 + (random() - 0.5) * 0.004;
      return { start: first + i * size, open: close, high: close, low: close, close, volume: 1000 };
    });
    histories.set(key, bars);
  }
  return bars;
}

/** Warms every indicator series of the rules, as the evaluator's warm-up would; returns how many. */
function seedAll(index: RuleIndex, state: EngineState): number {
  const requests = warmUpRequests(index, state, symbols);
  for (const request of requests) {
    const s = symbols.indexOf(request.symbol);
    seedBars(state, request.symbol, request.series, historyOf(request.symbol, s, request.series.interval), START);
  }
  return requests.length;
}

// Indexed engine over the whole stream: the best of PASSES passes (fresh index and state each),
// so that a pause of the shared machine does not decide the figure.
const PASSES = 3;
let buildMs = 0;
let alerts = 0;
let visits = 0;
let indexedMs = Number.POSITIVE_INFINITY;
let seeded = 0;
let seedMs = 0;
for (let pass = 0; pass < PASSES; pass += 1) {
  const index = new RuleIndex();
  const buildStart = performance.now();
  index.replaceAll(rules);
  buildMs = performance.now() - buildStart;
  const state = newEngineState();
  const seedStart = performance.now();
  seeded = seedAll(index, state);
  seedMs = performance.now() - seedStart;
  evaluateBatch(index, state, warmUp, { now: START });
  let passMs = 0;
  alerts = 0;
  visits = 0;
  for (const compact of batches) {
    const batch = materialise(compact);
    const started = performance.now();
    const result = evaluateBatch(index, state, batch, { now: compact.at[0] ?? START });
    passMs += performance.now() - started;
    alerts += result.alerts.length;
    visits += result.stats.visits;
  }
  indexedMs = Math.min(indexedMs, passMs);
}
const indexedSeconds = indexedMs / 1000;
const ticksPerSec = TICKS / indexedSeconds;

// Reference engine on a prefix of the same stream, for about NAIVE_SECONDS.
const naiveState = newEngineState();
{
  const index = new RuleIndex();
  index.replaceAll(rules);
  seedAll(index, naiveState);
}
evaluateReference(rules, naiveState, warmUp, { now: START });
let naiveTicks = 0;
let naiveMs = 0;
for (const compact of batches) {
  const batch = materialise(compact);
  const started = performance.now();
  evaluateReference(rules, naiveState, batch, { now: compact.at[0] ?? START });
  naiveMs += performance.now() - started;
  naiveTicks += compact.symbol.length;
  if (naiveMs > NAIVE_SECONDS * 1000) break;
}
const naiveTicksPerSec = naiveTicks / (naiveMs / 1000);

console.log(`rules ${RULES} over ${SYMBOLS} symbols; ${TICKS} ticks in ${batches.length} batches of ${BATCH_MS} ms`);
if (INDICATOR_SHARE > 0) {
  const closes = (interval: keyof typeof INTERVAL_MS) => Math.floor((TICKS / RATE) * 1000 / INTERVAL_MS[interval]);
  console.log(`indicator rules ${Math.round(INDICATOR_SHARE * 100)} %; ${seeded} series warmed from ${HISTORY_BARS} bars each in ${seedMs.toFixed(0)} ms; the stream spans ${(TICKS / RATE).toFixed(0)} s of market time (${closes('1m')} 1m closes per symbol)`);
}
console.log(`index built in ${buildMs.toFixed(0)} ms; indexed (best of ${PASSES}): ${indexedSeconds.toFixed(2)} s, ${visits} rule looks (${(visits / TICKS).toFixed(3)} per tick), ${alerts} alerts`);
console.log(`reference: ${naiveTicks} ticks timed`);
console.log(
  JSON.stringify({
    engine: 'indexed',
    rules: RULES,
    symbols: SYMBOLS,
    ticks: TICKS,
    indicators: INDICATOR_SHARE,
    ticksPerSec: Math.round(ticksPerSec),
    naiveTicksPerSec: Math.round(naiveTicksPerSec),
    ratio: Number((ticksPerSec / naiveTicksPerSec).toFixed(1)),
  }),
);

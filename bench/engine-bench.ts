/**
 * `npm run bench:engine -- --rules N --symbols M --ticks T [--seed S] [--batch-ms B]`
 *
 * Builds N rules over M symbols (a realistic mix: levels and crossings around the price, channels,
 * moves, change against the previous close, volume spikes, composites; all trigger modes) and a
 * random-walk tick stream, then measures the indexed engine and the reference engine (every rule
 * at every point) on the same stream in the same run. The reference engine is timed on a prefix
 * of the stream (it is slow; a rate needs no full run). The engines are synchronous and run on
 * this one thread; the indexed figure is the best of three passes. Prints a human summary, then
 * as its last line one JSON object:
 * {"engine":"indexed","rules":N,"symbols":M,"ticks":T,"ticksPerSec":X,"naiveTicksPerSec":Y,"ratio":X/Y}
 */
import { parseArgs } from 'node:util';
import { evaluateBatch, evaluateReference, newEngineState, RuleIndex } from '../core/engine';
import type { EngineRule, SymbolBatch } from '../core/engine';
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

function condition(price: number): Condition {
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

// Indexed engine over the whole stream: the best of PASSES passes (fresh index and state each),
// so that a pause of the shared machine does not decide the figure.
const PASSES = 3;
let buildMs = 0;
let alerts = 0;
let visits = 0;
let indexedMs = Number.POSITIVE_INFINITY;
for (let pass = 0; pass < PASSES; pass += 1) {
  const index = new RuleIndex();
  const buildStart = performance.now();
  index.replaceAll(rules);
  buildMs = performance.now() - buildStart;
  const state = newEngineState();
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
console.log(`index built in ${buildMs.toFixed(0)} ms; indexed (best of ${PASSES}): ${indexedSeconds.toFixed(2)} s, ${visits} rule looks (${(visits / TICKS).toFixed(3)} per tick), ${alerts} alerts`);
console.log(`reference: ${naiveTicks} ticks timed`);
console.log(
  JSON.stringify({
    engine: 'indexed',
    rules: RULES,
    symbols: SYMBOLS,
    ticks: TICKS,
    ticksPerSec: Math.round(ticksPerSec),
    naiveTicksPerSec: Math.round(naiveTicksPerSec),
    ratio: Number((ticksPerSec / naiveTicksPerSec).toFixed(1)),
  }),
);

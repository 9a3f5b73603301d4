/**
 * `npm run bench:engine -- --rules N --symbols M --ticks T [--seed S] [--batch-ms B]`
 *
 * Builds N rules over M symbols (a realistic mix: levels and crossings around the price, channels,
 * moves, change against the previous close, volume spikes, composites; all trigger modes) and a
 * random-walk tick stream, then measures the indexed engine and the reference engine (every rule
 * at every point) on the same stream in the same run. The reference engine is timed on a prefix
 * of the stream (it is slow; a rate needs no full run). Prints a human summary, then as its last
 * line one JSON object:
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

/** The tick stream as batches of BATCH_MS of simulated time, RATE ticks per simulated second. */
function buildBatches(): SymbolBatch[][] {
  const price = [...basePrice];
  const perBatch = Math.max(1, Math.round((RATE * BATCH_MS) / 1000));
  const batches: SymbolBatch[][] = [];
  for (let made = 0, b = 0; made < TICKS; b += 1) {
    const paths = new Map<number, SymbolBatch & { points: Array<{ price: number; at: number; volume: number }> }>();
    const count = Math.min(perBatch, TICKS - made);
    for (let k = 0; k < count; k += 1) {
      const s = Math.floor(random() * SYMBOLS);
      const next = (price[s] as number) * (1 + (random() - 0.5) * 0.002);
      price[s] = next;
      let path = paths.get(s);
      if (path === undefined) {
        path = { symbol: symbols[s] as string, points: [], prevClose: basePrice[s] as number };
        paths.set(s, path);
      }
      path.points.push({ price: Number(next.toFixed(2)), at: START + b * BATCH_MS + Math.floor((k * BATCH_MS) / count), volume: 1 + Math.floor(random() * 500) });
    }
    batches.push([...paths.values()]);
    made += count;
  }
  return batches;
}

const warmUp: SymbolBatch[] = symbols.map((symbol, s) => ({ symbol, prevClose: basePrice[s] as number, points: [{ price: basePrice[s] as number, at: START - 1000, volume: 1 }] }));
const batches = buildBatches();

// Indexed engine over the whole stream.
const index = new RuleIndex();
const buildStart = performance.now();
index.replaceAll(rules);
const buildMs = performance.now() - buildStart;
const state = newEngineState();
evaluateBatch(index, state, warmUp, { now: START });
let alerts = 0;
let visits = 0;
const indexedStart = performance.now();
for (const batch of batches) {
  const result = evaluateBatch(index, state, batch, { now: batch[0]?.points[0]?.at ?? START });
  alerts += result.alerts.length;
  visits += result.stats.visits;
}
const indexedSeconds = (performance.now() - indexedStart) / 1000;
const ticksPerSec = TICKS / indexedSeconds;

// Reference engine on a prefix of the same stream, for about NAIVE_SECONDS.
const naiveState = newEngineState();
evaluateReference(rules, naiveState, warmUp, { now: START });
let naiveTicks = 0;
const naiveStart = performance.now();
for (const batch of batches) {
  evaluateReference(rules, naiveState, batch, { now: batch[0]?.points[0]?.at ?? START });
  for (const path of batch) naiveTicks += path.points.length;
  if (performance.now() - naiveStart > NAIVE_SECONDS * 1000) break;
}
const naiveTicksPerSec = naiveTicks / ((performance.now() - naiveStart) / 1000);

console.log(`rules ${RULES} over ${SYMBOLS} symbols; ${TICKS} ticks in ${batches.length} batches of ${BATCH_MS} ms`);
console.log(`index built in ${buildMs.toFixed(0)} ms; indexed: ${indexedSeconds.toFixed(2)} s, ${visits} rule looks (${(visits / TICKS).toFixed(3)} per tick), ${alerts} alerts`);
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

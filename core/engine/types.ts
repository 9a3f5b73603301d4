/**
 * Plain-data types of the rule engine: what goes in (rules, price paths, state), what comes out
 * (alerts to claim, trigger-state updates). Every state type is JSON-serialisable: the state of a
 * shard travels with its batches between the ingest task and the stateless evaluator.
 */
import type { Condition, TriggerMode } from '../rule-model';
import type { BarSeriesState } from './bars';

/** The part of a rule the engine needs, plus the trigger state last written to storage. */
export interface EngineRule {
  id: string;
  symbol: string;
  condition: Condition;
  trigger: TriggerMode;
  cooldownSeconds: number;
  /** Epoch ms after which the rule never fires, or null. */
  expiresAt: number | null;
  /** Incremented by every change of the rule; trigger state of an older version is discarded. */
  version: number;
  /** Durable trigger state: may a `rearm` rule fire on its next hold. */
  armed: boolean;
  /** Durable trigger state: tick time (epoch ms) of the last claimed alert, or null. */
  lastFiredAt: number | null;
}

/** A trade (or a kept point of a compressed path). */
export interface PricePoint {
  price: number;
  /** Epoch ms. */
  at: number;
  /** Volume traded since the previous point. */
  volume: number;
}

/** The prices of one symbol since its previous batch. */
export interface SymbolBatch {
  symbol: string;
  points: readonly PricePoint[];
  /** Previous session close, when known. */
  prevClose?: number;
  /** The first point is a baseline (after a start, reconnect or resubscribe). */
  reset?: boolean;
}

/** Rolling low/high of a `moves_*_pct` window: monotonic deques of per-bucket extremes. */
export interface MovesWindowState {
  windowSeconds: number;
  /** Bucket width in seconds (1 s up to 120 s windows, then windowSeconds / 120 rounded up). */
  bucketSeconds: number;
  lowBuckets: number[];
  lowPrices: number[];
  highBuckets: number[];
  highPrices: number[];
}

/** Volume per aligned window of a `volume_spike` condition. */
export interface VolumeWindowState {
  windowSeconds: number;
  /** Number of the current window (floor(second / windowSeconds)), -1 before the first point. */
  index: number;
  current: number;
  /** Volumes of the preceding complete windows, oldest first, at most VOLUME_HISTORY. */
  history: number[];
}

/** Market and scheduling state of one symbol. */
export interface SymbolState {
  /** Last price seen, or null: the next point is a baseline. */
  last: number | null;
  lastAt: number;
  prevClose: number | null;
  moves: MovesWindowState[];
  /**
   * The second of the last point fed to the moves windows (-1: none yet) and the lowest and
   * highest price seen in it: a point inside that range in the same second changes no window.
   */
  movesSecond: number;
  secondLow: number;
  secondHigh: number;
  volume: VolumeWindowState[];
  /** Bar series (with their indicators) of the intervals and sessions the symbol's rules use, sorted by key. */
  series: BarSeriesState[];
  /** Min-heap of [second, ruleId]: rules to look at again at the first point at or after that second. */
  timers: Array<[number, string]>;
  /** Rules to look at again at the symbol's first point of the next batch. */
  deferred: string[];
}

/**
 * Trigger state of a rule as the engine sees it, fresher than storage between writes. Kept in the
 * state only while it differs from what storage (the rule) says, or something is scheduled.
 */
export interface RuleRuntime {
  version: number;
  armed: boolean;
  lastFiredAt: number | null;
  /** A `once` rule that fired. */
  consumed: boolean;
  /** The `armed` value storage holds (to know when a change must be written). */
  storedArmed: boolean;
  /** Second of a pending timer, if any. */
  wakeAt: number | null;
  deferred: boolean;
  /** `now` of the last batch that changed this entry (entries are forgotten some time after). */
  touchedAt: number;
}

/** Everything the engine remembers between batches. */
export interface EngineState {
  symbols: Record<string, SymbolState>;
  rules: Record<string, RuleRuntime>;
  /** `now` of the last sweep for idle runtime entries. */
  sweptAt: number;
}

/** An alert the engine decided to fire; the evaluator claims it before anything is sent. */
export interface FiredAlert {
  ruleId: string;
  ruleVersion: number;
  symbol: string;
  /** Price of the point at which the rule fired (a rule judged at bar closes: the bar's close). */
  price: number;
  /** Tick time (epoch ms) of that point (at a bar close: the bar's end). */
  at: number;
  /** Price of the point before it, null on a baseline (at a bar close: the previous bar's close). */
  previousPrice: number | null;
}

/** A change of a rule's durable trigger state that storage must record. */
export interface TriggerUpdate {
  ruleId: string;
  ruleVersion: number;
  armed: boolean;
  /** Set when the rule fired in this batch (the same alert is in `alerts`). */
  firedAt: number | null;
  /** A `once` rule that fired: its status becomes `triggered`. */
  consumed: boolean;
}

export interface EvaluationResult {
  alerts: FiredAlert[];
  updates: TriggerUpdate[];
  /** Rules whose `expiresAt` has passed at `now`: their status becomes `expired`. */
  expired: string[];
  /** Work done, for metrics and benchmarks. */
  stats: { points: number; visits: number };
}

export interface EvaluateOptions {
  /** Batch evaluation time (epoch ms): expiry reporting and forgetting of idle runtime entries. */
  now: number;
  /**
   * Runtime entries untouched for this long are dropped; the rule's durable trigger state is used
   * again. Must exceed the staleness of the evaluator's rule cache. Default 60 s.
   */
  forgetAfterMs?: number;
}

/**
 * The evaluator's service wired to a real DynamoDB Local table, with a recording delivery queue,
 * and batch events built from plain prices.
 */
import { BATCH_EVENT_VERSION, type BatchEvent, type BatchResult } from '../../core/feed';
import type { Db } from '../../storage/dynamodb-client';
import { listActiveRulesBySymbol } from '../../storage/rules-repository';
import { listWatchedSymbols } from '../../storage/symbols-repository';
import { dynamoTriggerStore } from '../../functions/evaluator/dependencies';
import type { DeliveryQueue, QueuedDelivery } from '../../functions/evaluator/delivery-queue';
import { evaluateBatchEvent, type EvaluatorDeps } from '../../functions/evaluator/evaluate-batch';
import { RuleCache } from '../../functions/evaluator/rule-cache';

export class RecordingQueue implements DeliveryQueue {
  readonly deliveries: QueuedDelivery[] = [];
  failNext = 0;
  async enqueue(deliveries: readonly QueuedDelivery[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('queue unavailable');
    }
    this.deliveries.push(...deliveries);
  }

  /** The queues the deliveries went to, in order. */
  get queues(): string[] {
    return this.deliveries.map((d) => d.queue);
  }
}

/** A fresh evaluator "instance": its own rule cache, as a new Lambda container would have. */
export function evaluatorInstance(db: Db, queue: DeliveryQueue, options: { checkEveryMs?: number } = {}): EvaluatorDeps {
  return {
    rules: new RuleCache(
      {
        symbolVersions: async () => new Map((await listWatchedSymbols(db)).map((w) => [w.symbol, w.rulesVersion])),
        activeRules: (symbol) => listActiveRulesBySymbol(db, symbol),
      },
      { checkEveryMs: options.checkEveryMs ?? 0, maxAgeMs: 60_000 },
    ),
    store: dynamoTriggerStore(db, 90),
    queue,
    metrics: { record: () => undefined },
    forgetAfterMs: 60_000,
  };
}

let nextPos = Date.UTC(2026, 2, 2, 14, 30) * 1000;

/** A batch of one symbol's prices, one point per 100 ms from `at`, with fresh positions. */
export function batch(symbol: string, prices: number[], at: number, extra: Partial<BatchEvent> = {}): BatchEvent {
  const fromPos = (nextPos += 1_000_000);
  nextPos += prices.length;
  return {
    version: BATCH_EVENT_VERSION,
    shard: 0,
    seq: 0,
    fromPos,
    toPos: fromPos + prices.length - 1,
    sentAt: at,
    symbols: [{ symbol, points: prices.map((price, i) => [price, at + i * 100, 1] as [number, number, number]) }],
    ...extra,
  };
}

export const evaluate = (deps: EvaluatorDeps, event: BatchEvent, now = event.sentAt): Promise<BatchResult> => evaluateBatchEvent(deps, event, now);

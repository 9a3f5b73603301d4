/**
 * A recording stand-in for the evaluator: keeps every batch event it is given (validated against
 * the shared schema), answers with a state that counts the shard's batches, and can be told to
 * fail or to be slow. Usable in-process (as an {@link EvaluatorInvoker}) or behind
 * local/lambda-invoke-server.ts (as a handler).
 */
import { batchEventSchema, BATCH_EVENT_VERSION, type BatchEvent, type BatchResult } from '../../core/feed';
import type { EvaluatorInvoker } from '../../ingest-task/src/evaluator-invoker';

export interface RecordingEvaluator extends EvaluatorInvoker {
  /** Events in the order they arrived, failed ones included (`failed: true`). */
  calls: { event: BatchEvent; failed: boolean }[];
  /** Events the evaluator acknowledged. */
  delivered(): BatchEvent[];
  /** Fail the next `count` invocations. */
  failNext(count: number): void;
  /** Delay answers by `ms`. */
  setDelay(ms: number): void;
  /** Highest number of invocations of one shard running at once. */
  maxConcurrentPerShard(): number;
  /** Prices delivered for a symbol, in order, across batches. */
  pricesOf(symbol: string): number[];
  handler: (event: unknown) => Promise<BatchResult>;
}

export function recordingEvaluator(): RecordingEvaluator {
  const calls: RecordingEvaluator['calls'] = [];
  const running = new Map<number, number>();
  let failures = 0;
  let delayMs = 0;
  let maxConcurrent = 0;

  const handler = async (raw: unknown): Promise<BatchResult> => {
    const event = batchEventSchema.parse(raw);
    const now = (running.get(event.shard) ?? 0) + 1;
    running.set(event.shard, now);
    maxConcurrent = Math.max(maxConcurrent, now);
    try {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      const failed = failures > 0;
      calls.push({ event, failed });
      if (failed) {
        failures -= 1;
        throw new Error('evaluator down (test)');
      }
      const previous = (event.state as { batches?: number } | undefined)?.batches ?? 0;
      return { version: BATCH_EVENT_VERSION, shard: event.shard, seq: event.seq, fired: 0, claimed: 0, state: { batches: previous + 1, lastSeq: event.seq } };
    } finally {
      running.set(event.shard, (running.get(event.shard) ?? 1) - 1);
    }
  };

  const delivered = () => calls.filter((call) => !call.failed).map((call) => call.event);
  return {
    calls,
    handler,
    invoke: (event) => handler(structuredClone(event)),
    delivered,
    failNext: (count) => (failures = count),
    setDelay: (ms) => (delayMs = ms),
    maxConcurrentPerShard: () => maxConcurrent,
    pricesOf: (symbol) => delivered().flatMap((event) => event.symbols.filter((path) => path.symbol === symbol).flatMap((path) => path.points.map(([price]) => price))),
  };
}

/**
 * iTick's REST as an evaluator instance has it, for tests: a budget on the table under a token
 * of the test's own (so tests sharing a table never share a budget), a client pointed at a
 * stand-in server (itick-rest-stub.ts), and the warm-ups wired to record "warming from live
 * data" on the symbols, as functions/evaluator/dependencies.ts wires them.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../storage/dynamodb-client';
import { setSymbolWarmUp } from '../../storage/symbols-repository';
import { DEFAULT_WARM_UP_OPTIONS, IndicatorWarmUp } from '../../functions/evaluator/indicator-warm-up';
import { DEFAULT_PREV_CLOSE_OPTIONS, PrevCloseWarmUp } from '../../functions/evaluator/prev-close-warm-up';
import { WarmUpMarkers } from '../../functions/evaluator/warm-up-markers';
import { dynamoRestBudgetStore, ItickMarketData, ItickRestClient, RestBudget, restBudgetTokenHash } from '../../functions/shared/itick-rest';

export interface RestInstanceOptions {
  /** The token (one per test, so that each test has its own budget). */
  token: string;
  perMinute?: number;
  /** The budget's window: a minute unless a test needs slots to free sooner. */
  windowMs?: number;
  timeoutMs?: number;
}

export const testToken = () => `test-token-${randomUUID()}`;

/** One evaluator instance's REST side: its own in-process budget queue over the shared item. */
export function restInstance(db: Db, baseUrl: string, options: RestInstanceOptions) {
  const perMinute = options.perMinute ?? 5;
  const windowMs = options.windowMs ?? 60_000;
  const hash = restBudgetTokenHash(options.token);
  const budget = new RestBudget(dynamoRestBudgetStore(db, async () => hash, { limit: perMinute, windowMs }), { perMinute, windowMs });
  const client = new ItickRestClient({ baseUrl, token: async () => options.token, budget, pauseAfter429Ms: 60_000, maxPauseMs: 900_000 });
  return { budget, data: new ItickMarketData(client, { maxWaitMs: 0, timeoutMs: options.timeoutMs ?? 2000 }) };
}

/** The warm-ups of one evaluator instance, recording markers on the table. */
export function warmUpsFor(db: Db, data: ItickMarketData, failures: unknown[] = []) {
  const markers = new WarmUpMarkers(
    (symbol, interval, state) => setSymbolWarmUp(db, symbol, interval, state),
    (error) => failures.push(error),
  );
  return {
    warmUp: new IndicatorWarmUp(data, { failed: (details) => failures.push(details) }, DEFAULT_WARM_UP_OPTIONS, markers),
    prevClose: new PrevCloseWarmUp(data, { failed: (details) => failures.push(details) }, DEFAULT_PREV_CLOSE_OPTIONS),
  };
}

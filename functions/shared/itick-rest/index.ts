/**
 * iTick's REST API for every caller: one budget per token shared by every process
 * (rest-budget.ts over storage/rest-budget-repository.ts), one client that takes from it and
 * honours 429s (rest-client.ts), and the answers read tolerantly (kline-answer.ts,
 * quote-answer.ts). docs/itick.md, "REST budget".
 */
export { ItickMarketData, type KlineSource, type QuoteSource } from './market-data';
export { ItickRestClient, type ItickRestOptions, type RestCall } from './rest-client';
export { ItickRestError, isItickRestError, type RestFailureKind } from './rest-errors';
export {
  dynamoRestBudgetStore,
  MemoryRestBudgetStore,
  REAL_CLOCK,
  RestBudget,
  restBudgetTokenHash,
  type BudgetAnswer,
  type BudgetClock,
  type RestBudgetOptions,
  type RestBudgetStore,
} from './rest-budget';
export { aggregateBars, parseKlines } from './kline-answer';
export { parseQuote, type RestQuote, type TradingStatus } from './quote-answer';
export { pauseUntil, retryAfterTime } from './retry-after';

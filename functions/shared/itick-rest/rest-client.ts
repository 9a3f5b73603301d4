/**
 * iTick's REST endpoints, every asset class: `GET {ITICK_REST_BASE}/{class path}/{endpoint}?…`
 * with the token in a `token` header (test/fixtures/itick/README.md, "REST"). Every call first
 * takes one from the token's budget (rest-budget.ts); a 429 pauses that budget for everyone until
 * its `Retry-After`. Failures are {@link ItickRestError}s, never retried here: whoever called
 * decides whether to ask again later, which is what keeps a refusal from becoming a storm.
 */
import { MARKET_INFO, type Market } from '../../../core/rule-model/market';
import type { RestBudget } from './rest-budget';
import { ItickRestError } from './rest-errors';
import { pauseUntil } from './retry-after';

export interface ItickRestOptions {
  /** Without a trailing slash, e.g. https://api.itick.org. */
  baseUrl: string;
  token: () => Promise<string | undefined>;
  budget: RestBudget;
  /** A 429 without a readable `Retry-After` pauses the budget this long (`ITICK_REST_429_PAUSE_MS`). */
  pauseAfter429Ms: number;
  /** No `Retry-After` pauses it longer than this (`ITICK_REST_MAX_PAUSE_MS`). */
  maxPauseMs: number;
  fetch?: typeof fetch;
  now?: () => number;
  /** Told of each 429 (for a log line); the pause is already recorded. */
  onRateLimited?: (details: { until: number; path: string }) => void;
}

/** How one call may wait: for the budget (`maxWaitMs`, 0: not at all) and for iTick's answer. */
export interface RestCall {
  maxWaitMs: number;
  timeoutMs: number;
}

/**
 * @example
 * const client = new ItickRestClient({ baseUrl: 'https://api.itick.org', token: async () => token, budget, pauseAfter429Ms: 60_000, maxPauseMs: 900_000 });
 * const body = await client.get('crypto', 'quote', { region: 'BA', code: 'BTCUSDT' }, { maxWaitMs: 0, timeoutMs: 1500 });
 */
export class ItickRestClient {
  constructor(private readonly options: ItickRestOptions) {}

  /** The answer's JSON body; throws an {@link ItickRestError} when there is none to read. */
  async get(market: Market, endpoint: string, query: Readonly<Record<string, string>>, call: RestCall): Promise<unknown> {
    const token = (await this.options.token())?.trim();
    if (token === undefined || token === '') throw new ItickRestError('no_token', 'no iTick token is configured');
    const path = `/${MARKET_INFO[market].path}/${endpoint}`;
    const answer = await this.options.budget.acquire(call.maxWaitMs);
    if (!answer.granted) {
      const until = new Date(answer.retryAt).toISOString();
      throw answer.why === 'paused'
        ? new ItickRestError('rate_limited', `iTick asked every caller to wait until ${until} (429); ${path} not called`, answer.retryAt)
        : new ItickRestError('budget', `iTick's REST budget is spent until ${until}; ${path} not called`, answer.retryAt);
    }
    const url = `${this.options.baseUrl}${path}?${new URLSearchParams(query)}`;
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(url, { headers: { token, accept: 'application/json' }, signal: AbortSignal.timeout(call.timeoutMs) });
    } catch (error) {
      throw failureOf(error, path, call.timeoutMs);
    }
    if (response.status === 429) {
      await response.body?.cancel().catch(() => undefined);
      const now = (this.options.now ?? Date.now)();
      const until = pauseUntil(response.headers.get('retry-after'), now, this.options.pauseAfter429Ms, this.options.maxPauseMs);
      // Recorded for every process; if the table cannot be written this process still holds.
      await this.options.budget.pause(until).catch(() => undefined);
      this.options.onRateLimited?.({ until, path });
      throw new ItickRestError('rate_limited', `iTick answered 429 for ${path}: every caller waits until ${new Date(until).toISOString()}`, until, 429);
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new ItickRestError('http', `iTick answered ${response.status} for ${path}`, undefined, response.status);
    }
    try {
      return await response.json();
    } catch (error) {
      if (isTimeout(error)) throw new ItickRestError('timeout', `iTick's answer for ${path} took longer than ${call.timeoutMs} ms`);
      throw new ItickRestError('answer', `iTick's answer for ${path} is not JSON`);
    }
  }
}

const isTimeout = (error: unknown) => error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');

function failureOf(error: unknown, path: string, timeoutMs: number): ItickRestError {
  if (isTimeout(error)) return new ItickRestError('timeout', `iTick did not answer ${path} within ${timeoutMs} ms`);
  // fetch's own message ("fetch failed") says little; its cause names the socket error. Neither holds the token.
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return new ItickRestError('network', `could not reach iTick for ${path}${cause}`);
}

/**
 * The simulator's iTick REST, per market under its path (`/stock`, `/crypto` …, as iTick serves
 * each class): `GET /<path>/kline?region=&code=&kType=&limit=` answers
 * `{"code":0,"msg":null,"data":[{t,o,h,l,c,v,tu},…]}` oldest first, and
 * `GET /<path>/quote?region=&code=` answers `{"code":0,"msg":null,"data":{s,ld,o,h,l,p,ch,chp,t,v,tu,ts}}`
 * (test/fixtures/itick/rest-*-quote*.json). The token goes in the `token` header (401 without a
 * valid one); past the per-token budget (rest-budget.ts) the answer is 429 with `Retry-After` in
 * seconds. A code the simulator treats as unknown gets iTick's E001 text.
 */
import type { Market } from '../../core/rule-model/market';
import { marketSymbol } from '../../core/rule-model/symbol';
import type { FrameWriter } from './feed-shapes';
import { K_TYPE_MS, MAX_KLINES, type Kline } from './kline-history';
import { restMarketOf } from './market-paths';
import type { RestBudget } from './rest-budget';
import type { SymbolMarket } from './random-walk';

/** REST calls counted in the simulator's stats. */
export interface RestCounters {
  /** Every REST call received (kline and quote, answered or refused). */
  restRequests: number;
  /** Calls refused with 429 (over `restPerMinute`). */
  restRateLimited: number;
  /** Kline calls answered (with bars or an error, 429 included). */
  klineRequests: number;
  /** Quote calls answered (with a quote or an error, 429 included). */
  quoteRequests: number;
}

/** What the REST endpoints read from the simulator. */
export interface RestBackend {
  acceptsToken(token: string): boolean;
  isUnknown(symbol: string): boolean;
  klines(symbol: string, kType: number, limit: number): Kline[];
  state(symbol: string): SymbolMarket;
  readonly budget: RestBudget;
  readonly counters: RestCounters;
  readonly frames: FrameWriter;
}

export interface RestReply {
  (status: number, body: unknown, headers?: Record<string, string>): void;
}

/**
 * Answers the request when it is one of the REST endpoints and returns true; false otherwise
 * (the caller answers 404).
 */
export function serveRest(method: string, pathname: string, query: URLSearchParams, token: unknown, reply: RestReply, backend: RestBackend, now = Date.now()): boolean {
  const [, segment = '', endpoint = '', ...rest] = pathname.split('/');
  const market = restMarketOf(segment);
  if (method !== 'GET' || market === undefined || rest.length > 0 || (endpoint !== 'kline' && endpoint !== 'quote')) return false;
  backend.counters.restRequests += 1;
  backend.counters[endpoint === 'kline' ? 'klineRequests' : 'quoteRequests'] += 1;
  if (typeof token !== 'string' || token === '' || !backend.acceptsToken(token)) {
    reply(401, { code: 0, msg: 'invalid token', data: null });
    return true;
  }
  const decision = backend.budget.take(token, now);
  if (!decision.ok) {
    backend.counters.restRateLimited += 1;
    reply(429, { code: 429, msg: 'too many requests', data: null }, { 'retry-after': String(decision.retryAfterSeconds) });
    return true;
  }
  const symbol = symbolOf(market, query);
  if (symbol === undefined) {
    reply(200, { code: 1, msg: 'invalid parameters', data: null });
    return true;
  }
  if (backend.isUnknown(symbol)) {
    reply(200, { code: 1, msg: 'not found this produce', data: null });
    return true;
  }
  if (endpoint === 'quote') {
    reply(200, { code: 0, msg: null, data: backend.frames.restQuote(symbol, backend.state(symbol), now) });
    return true;
  }
  const kType = Number(query.get('kType') ?? '1');
  if (!K_TYPE_MS.has(kType)) {
    reply(200, { code: 1, msg: 'invalid parameters', data: null });
    return true;
  }
  const limit = Math.min(MAX_KLINES, Math.max(1, Number(query.get('limit') ?? '100') || 100));
  const n = (value: number) => backend.frames.number(value);
  const data = backend.klines(symbol, kType, limit).map((k) => ({ tu: n(k.tu), c: n(k.c), t: k.t, v: n(k.v), h: n(k.h), l: n(k.l), o: n(k.o) }));
  reply(200, { code: 0, msg: null, data });
  return true;
}

/** The canonical symbol a REST query names; the docs print a code with its region too (`code=700.HK`). */
function symbolOf(market: Market, query: URLSearchParams): string | undefined {
  const region = (query.get('region') ?? '').trim().toUpperCase();
  let code = (query.get('code') ?? '').trim().toUpperCase();
  if (code.endsWith(`.${region}`)) code = code.slice(0, -region.length - 1);
  if (code === '' || region === '') return undefined;
  return marketSymbol(market, `${code}$${region}`);
}

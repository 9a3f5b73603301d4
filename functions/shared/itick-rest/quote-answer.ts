/**
 * iTick's quote answer (`GET /<class>/quote`, `{"code":0,"msg":null,"data":{s,ld,o,h,l,p?,t,v,tu,ch,chp,ts}}`):
 * the SDKs' Quote model (go-sdk `sdk/model.go`) has no previous close, only the change `ch`;
 * `@itick/browser-sdk` adds `p`. So the previous close is `p` where given, else `ld - ch`
 * (test/fixtures/itick/rest-*-quote*.json). `s` is not read: the request's region and code name
 * the symbol, and iTick's docs disagree on how `s` comes back.
 */
import { dataOf, readNumber, toEpochMs, withoutFloatNoise } from './answer-values';
import { ItickRestError } from './rest-errors';

/** `ts` per @itick/browser-sdk `lib/types/quote.d.ts`. */
const TRADING_STATUS = ['normal', 'suspended', 'delisted', 'circuit_breaker'] as const;
export type TradingStatus = (typeof TRADING_STATUS)[number];

export interface RestQuote {
  /** `ld`, the last trade price. */
  price: number;
  /** `t`, epoch ms of that trade; undefined when absent. */
  time: number | undefined;
  /** `v`, the day's running volume. */
  dayVolume: number | undefined;
  /** `p`, else `ld - ch`; undefined when neither is there. */
  prevClose: number | undefined;
  /** `chp`, percent. */
  changePct: number | undefined;
  tradingStatus: TradingStatus | undefined;
}

/** The quote of an answer; throws an `answer` error when it holds no last price. */
export function parseQuote(body: unknown): RestQuote {
  const { data, message } = dataOf(body);
  const entry = Array.isArray(data) ? data[0] : data;
  const q = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : undefined;
  const price = readNumber(q?.ld);
  if (q === undefined || price === undefined || price <= 0) {
    throw new ItickRestError('answer', `iTick's quote answer has no last price${message === undefined ? '' : `: ${message}`}`);
  }
  const p = readNumber(q.p);
  const ch = readNumber(q.ch);
  const derived = ch === undefined ? undefined : withoutFloatNoise(price - ch);
  const prevClose = p !== undefined && p > 0 ? p : derived !== undefined && derived > 0 ? derived : undefined;
  const time = readNumber(q.t);
  const volume = readNumber(q.v);
  const status = readNumber(q.ts);
  return {
    price,
    time: time === undefined || time <= 0 ? undefined : toEpochMs(time),
    dayVolume: volume === undefined || volume < 0 ? undefined : volume,
    prevClose,
    changePct: readNumber(q.chp),
    tradingStatus: status === undefined ? undefined : TRADING_STATUS[status],
  };
}

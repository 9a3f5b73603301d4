/**
 * The feed protocol: iTick's WebSocket messages, read tolerantly and written
 * (shared/spec/itick.md; every shape both generations of iTick's docs print is a fixture under
 * test/fixtures/itick/). A new message shape goes here: a variant of {@link FeedMessage} and its
 * reading in {@link parseFeedMessage}; which subscribed symbol a data message is about is
 * feed-symbols.ts, and when a quote is a trade is quote-trades.ts.
 *
 * iTick's messages are only loosely documented and sources differ, so nothing here throws:
 * unknown fields are ignored, numbers may arrive as strings, a data frame is judged by its `data`
 * and not by `code` (kline frames come with `code: 0`), and a message that cannot be read comes
 * back as `{ kind: 'unknown' }` for the caller to count as unreadable. This runs for every message
 * on the socket, so it is hand-written rather than a zod schema: the server cuts off clients that
 * read slowly.
 */
import { readNumber } from '../../core/feed/feed-values';
import { klinePeriodOf, type KlinePeriod } from '../../core/feed/kline-periods';
import { withoutFloatNoise } from '../../core/numbers';

/**
 * `te` on a trade: which part of the trading day it belongs to (0 regular, 1 pre-market,
 * 2 after-hours; named only by the `@itick/browser-sdk` types, see test/fixtures/itick/README.md).
 */
export type TradingSession = 'regular' | 'pre-market' | 'after-hours';

/** `ts`: the symbol's trading status (0 normal, 1 suspended, 2 delisted, 3 circuit breaker; same source). */
export type TradingStatus = 'normal' | 'suspended' | 'delisted' | 'circuit-breaker';

/** A bar of a streamed kline frame. */
export interface FeedBar {
  /** Epoch ms the bar starts (iTick's `k.t`). */
  at: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  turnover: number | undefined;
}

export type FeedMessage =
  /** `{"code":1,"msg":"Connected Successfully"}`, sent once right after the upgrade. */
  | { kind: 'greeting'; msg: string }
  /** `{"code":1|0,"resAc":"auth"|"subscribe"|"unsubscribe","msg":...}` */
  | { kind: 'auth' | 'subscribe' | 'unsubscribe'; ok: boolean; msg: string }
  /** `{"resAc":"pong","data":{"params":"<epoch ms of the ping>"}}` */
  | { kind: 'pong'; params: string | undefined }
  /**
   * One trade: `{"s","r"?,"ld","v","t","te"?,"type":"tick"}`. `code` is `s` as sent (`AAPL.US`,
   * `ETH_USDT`, `AAPL` …) and `region` is `r` when present: feed-symbols.ts maps them back.
   */
  | { kind: 'tick'; code: string; region: string | undefined; price: number; at: number | undefined; volume: number; session: TradingSession | undefined }
  /**
   * A running summary: `ld` the last trade's price, `v` the day's running volume, `p` the
   * previous close (or `ld - ch` when only the change is sent), `ts` the trading status.
   */
  | {
      kind: 'quote';
      code: string;
      region: string | undefined;
      last: number | undefined;
      prevClose: number | undefined;
      at: number | undefined;
      dayVolume: number | undefined;
      status: TradingStatus | undefined;
      session: TradingSession | undefined;
    }
  /** A streamed bar, `{"code":0,"msg":null,"data":{"s","t":<kType>,"k":{o,h,l,c,v,tu,t}}}` (no `type`). Not used by the ingest task yet. */
  | { kind: 'kline'; code: string; region: string | undefined; kType: number; period: KlinePeriod['period'] | undefined; bar: FeedBar }
  /** Data the ingest task does not use (depth): not a trade, and not a problem either. */
  | { kind: 'ignored'; type: string }
  /** A message without `resAc` or `data` that is not the greeting, e.g. an error the server sends before closing. */
  | { kind: 'notice'; ok: boolean; msg: string }
  /** A message that could not be read (malformed, or data without a usable price): counted as unreadable. */
  | { kind: 'unknown'; reason: string };

/** A quote as read; handlers get it whole as the quote's details (running volume, `ts`, `te`). */
export type FeedQuote = Extract<FeedMessage, { kind: 'quote' }>;

/** What the connection knows about a trade beyond its price, time and volume. */
export interface TradeDetails {
  /** A `tick` (one trade), or a `quote` with a new `ld`/`t` (quote-trades.ts). */
  source: 'tick' | 'quote';
  /** False when the trade's size is unknowable (the volume passed is then 0). */
  volumeKnown: boolean;
  /** The quote's running volume dropped: the first trade of a new session. */
  newSession: boolean;
  /** The day's running volume a quote carried. */
  dayVolume: number | undefined;
  session: TradingSession | undefined;
  status: TradingStatus | undefined;
}

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);

const readText = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;

const readTime = (value: unknown): number | undefined => {
  const at = readNumber(value);
  return at !== undefined && at >= 0 ? Math.trunc(at) : undefined;
};

const positive = (value: number | undefined): number | undefined => (value !== undefined && value > 0 ? value : undefined);

const SESSIONS: readonly TradingSession[] = ['regular', 'pre-market', 'after-hours'];
const STATUSES: readonly TradingStatus[] = ['normal', 'suspended', 'delisted', 'circuit-breaker'];

/** A value of a small documented table (`te`, `ts`), or `undefined` for anything else. */
const readCode = <T>(value: unknown, table: readonly T[]): T | undefined => {
  if (value === undefined) return undefined;
  const index = readNumber(value);
  return index === undefined ? undefined : table[index];
};

/** `code` is 1 on success and 0 on failure; some answers carry it as a string. */
const isOk = (fields: Fields) => readNumber(fields.code) === 1;

/**
 * iTick's error table names codes (E001 unknown symbol, E002 auth failed, E003 over the plan's
 * limit) that no printed frame carries: where an answer has one — as a non-numeric `code` or an
 * `errCode`/`errorCode` field — it is put in front of the words, so that a refusal is judged on
 * the code even when `msg` is empty or reworded.
 */
function withErrorCode(fields: Fields, msg: string): string {
  const code = [fields.code, fields.errCode, fields.errorCode, fields.err_code].map(readText).find((text) => text !== undefined && /^E\d{3}$/i.test(text.trim()));
  return code === undefined || msg.toUpperCase().includes(code.trim().toUpperCase()) ? msg : `${code.trim().toUpperCase()} ${msg}`.trim();
}

/** Reads one text frame. Never throws. */
export function parseFeedMessage(text: string): FeedMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'unknown', reason: 'malformed JSON' };
  }
  if (!isObject(value)) return { kind: 'unknown', reason: 'not a JSON object' };

  const data = value.data;
  // Data first: it is nearly every message, and is judged by `data`, whatever `code` says.
  if (value.resAc === undefined && isObject(data)) return parseData(data);
  const resAc = typeof value.resAc === 'string' ? value.resAc.toLowerCase() : undefined;
  const msg = readText(value.msg) ?? '';

  if (resAc === 'pong') return { kind: 'pong', params: isObject(data) ? readText(data.params) : readText(value.params) };
  if (resAc === 'auth' || resAc === 'subscribe' || resAc === 'unsubscribe') return { kind: resAc, ok: isOk(value), msg: withErrorCode(value, msg) };
  if (resAc !== undefined) return { kind: 'unknown', reason: `unknown resAc "${resAc}"` };
  if (data === undefined && isOk(value) && /connected/i.test(msg)) return { kind: 'greeting', msg };
  if (data === undefined && value.code !== undefined) return { kind: 'notice', ok: isOk(value), msg };
  return { kind: 'unknown', reason: 'neither an answer nor data' };
}

/**
 * The data type, from `type` or, when it is missing, from the fields that only that type has.
 * A summary field (`p`, `o`, `h`, `ch` …) makes it a quote; `ld` alone a tick.
 */
function dataType(data: Fields): string {
  if (typeof data.type === 'string') return data.type.toLowerCase();
  if ('k' in data) return 'kline';
  if ('a' in data || 'b' in data) return 'depth';
  if ('p' in data || 'o' in data || 'h' in data || 'ch' in data || 'chp' in data) return 'quote';
  if ('ld' in data) return 'tick';
  return 'unknown';
}

function parseData(data: Fields): FeedMessage {
  const type = dataType(data);
  if (type === 'tick' || type === 'quote' || type === 'kline') {
    const code = readText(data.s);
    if (code === undefined || code === '') return { kind: 'unknown', reason: `${type} without a symbol code` };
    const region = readText(data.r) || undefined;
    if (type === 'tick') return parseTick(data, code, region);
    if (type === 'quote') return parseQuote(data, code, region);
    return parseKline(data, code, region);
  }
  return type === 'unknown' ? { kind: 'unknown', reason: 'data without a type' } : { kind: 'ignored', type };
}

function parseTick(data: Fields, code: string, region: string | undefined): FeedMessage {
  const price = readNumber(data.ld);
  if (price === undefined || price <= 0) return { kind: 'unknown', reason: 'tick without a positive price' };
  const volume = readNumber(data.v);
  return { kind: 'tick', code, region, price, at: readTime(data.t), volume: volume !== undefined && volume > 0 ? volume : 0, session: readCode(data.te, SESSIONS) };
}

function parseQuote(data: Fields, code: string, region: string | undefined): FeedMessage {
  const last = positive(readNumber(data.ld));
  // The socket quote of iTick's docs has no `p`; the REST one of go-sdk has `ch` (change) but no
  // `p`; `@itick/browser-sdk` names `p`. Either gives the previous close.
  let prevClose = positive(readNumber(data.p));
  if (prevClose === undefined && last !== undefined) {
    const change = readNumber(data.ch);
    if (change !== undefined) prevClose = positive(withoutFloatNoise(last - change));
  }
  if (last === undefined && prevClose === undefined) return { kind: 'unknown', reason: 'quote without a price' };
  const dayVolume = readNumber(data.v);
  return {
    kind: 'quote',
    code,
    region,
    last,
    prevClose,
    at: readTime(data.t),
    dayVolume: dayVolume !== undefined && dayVolume >= 0 ? dayVolume : undefined,
    status: readCode(data.ts, STATUSES),
    session: readCode(data.te, SESSIONS),
  };
}

function parseKline(data: Fields, code: string, region: string | undefined): FeedMessage {
  const k = data.k;
  const kType = readNumber(data.t);
  if (!isObject(k) || kType === undefined) return { kind: 'ignored', type: 'kline' };
  const [at, open, high, low, close] = [readTime(k.t), readNumber(k.o), readNumber(k.h), readNumber(k.l), readNumber(k.c)];
  // A bar that cannot be read is not a trade lost: klines are not used for alerts yet.
  if (at === undefined || open === undefined || high === undefined || low === undefined || close === undefined) return { kind: 'ignored', type: 'kline' };
  return {
    kind: 'kline',
    code,
    region,
    kType,
    period: klinePeriodOf(kType)?.period,
    bar: { at, open, high, low, close, volume: readNumber(k.v) ?? 0, turnover: readNumber(k.tu) },
  };
}

/** The data types every subscribe asks for. */
const SUBSCRIBED_TYPES = 'tick,quote';

/** The older docs' auth message, sent when the upgrade's `token` header has brought no auth result. */
export function authRequest(token: string): string {
  return JSON.stringify({ ac: 'auth', params: token });
}

/** A ping; the pong echoes `params`. */
export function pingRequest(params: string): string {
  return JSON.stringify({ ac: 'ping', params });
}

/** A subscribe or unsubscribe of `symbols` (`CODE$REGION`), answered without an id. */
export function subscriptionRequest(action: 'subscribe' | 'unsubscribe', symbols: readonly string[]): string {
  return JSON.stringify({ ac: action, params: symbols.join(','), types: SUBSCRIBED_TYPES });
}

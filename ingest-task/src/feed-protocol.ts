/**
 * The feed protocol: iTick's WebSocket messages, read tolerantly and written
 * (shared/spec/itick.md). A new message shape goes here: a variant of {@link FeedMessage} and
 * its reading in {@link parseFeedMessage}; which subscribed symbol a data message is about is
 * feed-symbols.ts.
 *
 * iTick's messages are only loosely documented and sources differ, so nothing here throws:
 * unknown fields are ignored, numbers may arrive as strings, a message that cannot be read comes
 * back as `{ kind: 'unknown' }` for the caller to log at debug level and drop. This runs for every
 * message on the socket, so it is hand-written rather than a zod schema: the server cuts off
 * clients that read slowly.
 */

export type FeedMessage =
  /** `{"code":1,"msg":"Connected Successfully"}`, sent once right after the upgrade. */
  | { kind: 'greeting'; msg: string }
  /** `{"code":1|0,"resAc":"auth"|"subscribe"|"unsubscribe","msg":...}` */
  | { kind: 'auth' | 'subscribe' | 'unsubscribe'; ok: boolean; msg: string }
  /** `{"resAc":"pong","data":{"params":"<epoch ms of the ping>"}}` */
  | { kind: 'pong'; params: string | undefined }
  | { kind: 'tick'; code: string; region: string | undefined; price: number; at: number | undefined; volume: number }
  | { kind: 'quote'; code: string; region: string | undefined; last: number | undefined; prevClose: number | undefined; at: number | undefined }
  /** Data the ingest task does not use (depth, kline). */
  | { kind: 'ignored'; type: string }
  /** A message without `resAc` or `data` that is not the greeting, e.g. an error the server sends before closing. */
  | { kind: 'notice'; ok: boolean; msg: string }
  | { kind: 'unknown'; reason: string };

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A finite number, or a string holding one (iTick sends both). */
export function readNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

const readText = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;

const readTime = (value: unknown): number | undefined => {
  const at = readNumber(value);
  return at !== undefined && at >= 0 ? Math.trunc(at) : undefined;
};

/** `code` is 1 on success and 0 on failure; some answers carry it as a string. */
const isOk = (fields: Fields) => readNumber(fields.code) === 1;

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
  const resAc = typeof value.resAc === 'string' ? value.resAc.toLowerCase() : undefined;
  const msg = readText(value.msg) ?? '';

  if (resAc === 'pong') return { kind: 'pong', params: isObject(data) ? readText(data.params) : readText(value.params) };
  if (resAc === 'auth' || resAc === 'subscribe' || resAc === 'unsubscribe') return { kind: resAc, ok: isOk(value), msg };
  if (resAc !== undefined) return { kind: 'unknown', reason: `unknown resAc "${resAc}"` };
  if (isObject(data)) return parseData(data);
  if (data === undefined && isOk(value) && /connected/i.test(msg)) return { kind: 'greeting', msg };
  if (data === undefined && value.code !== undefined) return { kind: 'notice', ok: isOk(value), msg };
  return { kind: 'unknown', reason: 'neither an answer nor data' };
}

/** The data type, from `type` or, when it is missing, from the fields that only that type has. */
function dataType(data: Fields): string {
  if (typeof data.type === 'string') return data.type.toLowerCase();
  if ('k' in data) return 'kline';
  if ('a' in data || 'b' in data) return 'depth';
  if ('p' in data || 'o' in data || 'h' in data) return 'quote';
  if ('ld' in data) return 'tick';
  return 'unknown';
}

function parseData(data: Fields): FeedMessage {
  const type = dataType(data);
  if (type !== 'tick' && type !== 'quote') {
    return type === 'unknown' ? { kind: 'unknown', reason: 'data without a type' } : { kind: 'ignored', type };
  }
  const code = readText(data.s);
  if (code === undefined || code === '') return { kind: 'unknown', reason: `${type} without a symbol code` };
  const region = readText(data.r) || undefined;
  const at = readTime(data.t);
  if (type === 'tick') {
    const price = readNumber(data.ld);
    if (price === undefined || price <= 0) return { kind: 'unknown', reason: 'tick without a positive price' };
    const volume = readNumber(data.v);
    return { kind: 'tick', code, region, price, at, volume: volume !== undefined && volume > 0 ? volume : 0 };
  }
  const last = readNumber(data.ld);
  const prevClose = readNumber(data.p);
  return {
    kind: 'quote',
    code,
    region,
    last: last !== undefined && last > 0 ? last : undefined,
    prevClose: prevClose !== undefined && prevClose > 0 ? prevClose : undefined,
    at,
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

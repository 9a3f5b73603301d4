/**
 * iTick's kline endpoint (shared/spec/itick.md, "REST"): `GET {base}/stock/kline?region=&code=&kType=&limit=`
 * with the token in a `token` header. Read tolerantly, as the spec asks: the answer's `code` is
 * not trusted (sources differ on which value means success), `data` decides; numbers may be
 * strings; times may be seconds or milliseconds; entries that are not usable bars are skipped;
 * the bars are returned oldest first whatever order they came in.
 */
import type { SeedBar } from '../../core/engine';
import { splitSymbol, type BarInterval } from '../../core/rule-model';

/** iTick's `kType` per bar interval. */
export const K_TYPES: Readonly<Record<BarInterval, number>> = { '1m': 1, '5m': 2, '15m': 3, '1h': 5, '1d': 8 };

export interface KlineSource {
  /** The symbol's most recent `limit` bars of the interval, oldest first; throws when iTick cannot be read. */
  klines(symbol: string, interval: BarInterval, limit: number): Promise<SeedBar[]>;
}

export interface ItickKlineOptions {
  /** Without a trailing slash, e.g. https://api.itick.org. */
  baseUrl: string;
  token: () => Promise<string | undefined>;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/** A number from a number or a numeric string; NaN otherwise. */
function readNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return Number.NaN;
}

/** Epoch ms from seconds or milliseconds (anything before 2001-09 in ms is taken as seconds). */
const toMs = (t: number) => (t < 1e12 ? t * 1000 : t);

/** The bars of a kline answer; throws when the answer holds no list of bars. */
export function parseKlines(body: unknown): SeedBar[] {
  const data = (body as { data?: unknown } | null)?.data;
  const list = Array.isArray(data)
    ? data
    : [(data as { list?: unknown } | null)?.list, (data as { klines?: unknown } | null)?.klines].find(Array.isArray);
  if (!Array.isArray(list)) {
    const message = (body as { msg?: unknown } | null)?.msg;
    throw new Error(`iTick's kline answer has no bars${typeof message === 'string' ? `: ${message}` : ''}`);
  }
  const byStart = new Map<number, SeedBar>();
  for (const entry of list) {
    if (typeof entry !== 'object' || entry === null) continue;
    const e = entry as Record<string, unknown>;
    const start = toMs(readNumber(e.t));
    const close = readNumber(e.c);
    if (!Number.isFinite(start) || !Number.isFinite(close) || close <= 0) continue;
    const or = (value: unknown) => {
      const n = readNumber(value);
      return Number.isFinite(n) && n > 0 ? n : close;
    };
    const volume = readNumber(e.v);
    byStart.set(start, { start, open: or(e.o), high: or(e.h), low: or(e.l), close, volume: Number.isFinite(volume) && volume >= 0 ? volume : 0 });
  }
  return [...byStart.values()].sort((a, b) => a.start - b.start);
}

/**
 * Reads klines over HTTP.
 * @example
 * const source = new ItickKlineSource({ baseUrl: 'https://api.itick.org', token: async () => token, timeoutMs: 1500 });
 * const bars = await source.klines('AAPL$US', '1m', 100);
 */
export class ItickKlineSource implements KlineSource {
  constructor(private readonly options: ItickKlineOptions) {}

  async klines(symbol: string, interval: BarInterval, limit: number): Promise<SeedBar[]> {
    const token = await this.options.token();
    if (token === undefined) throw new Error('no iTick token');
    const { code, region } = splitSymbol(symbol);
    const query = new URLSearchParams({ region, code, kType: String(K_TYPES[interval]), limit: String(limit) });
    const response = await (this.options.fetch ?? fetch)(`${this.options.baseUrl}/stock/kline?${query}`, {
      headers: { token, accept: 'application/json' },
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    if (!response.ok) throw new Error(`iTick answered ${response.status} for klines of ${symbol}`);
    return parseKlines(await response.json());
  }
}

/**
 * What the project reads from iTick's REST, per symbol of any market: the most recent bars of a
 * rule's interval (klines, built from smaller ones where iTick has no kType for it) and the
 * quote (last price and previous close). One budget, one client, every caller.
 */
import { MAX_WARM_UP_BARS } from '../../../core/engine/warm-up';
import type { SeedBar } from '../../../core/engine/bars';
import { calendarOf } from '../../../core/engine/sessions';
import { KLINE_SOURCES, klinePeriodOf } from '../../../core/feed/kline-periods';
import { splitSymbol, type BarInterval } from '../../../core/rule-model';
import { aggregateBars, parseKlines } from './kline-answer';
import { parseQuote, type RestQuote } from './quote-answer';
import type { ItickRestClient, RestCall } from './rest-client';

export interface KlineSource {
  /** The symbol's most recent `limit` bars of the interval, oldest first; throws an ItickRestError when none can be had. */
  klines(symbol: string, interval: BarInterval, limit: number, call?: Partial<RestCall>): Promise<SeedBar[]>;
}

export interface QuoteSource {
  /** The symbol's quote now; throws an ItickRestError when none can be had. */
  quote(symbol: string, call?: Partial<RestCall>): Promise<RestQuote>;
}

/**
 * @example
 * const data = new ItickMarketData(client, { maxWaitMs: 0, timeoutMs: 1500 });
 * const bars = await data.klines('crypto:BTCUSDT$BA', '15m', 100); // 300 five-minute klines, as 100 bars
 */
export class ItickMarketData implements KlineSource, QuoteSource {
  constructor(
    private readonly client: ItickRestClient,
    private readonly defaults: RestCall,
  ) {}

  async klines(symbol: string, interval: BarInterval, limit: number, call: Partial<RestCall> = {}): Promise<SeedBar[]> {
    const { market, code, region } = splitSymbol(symbol);
    const source = KLINE_SOURCES[interval];
    const wanted = Math.max(1, Math.min(MAX_WARM_UP_BARS, limit * source.factor));
    const body = await this.client.get(market, 'kline', { region, code, kType: String(source.kType), limit: String(wanted) }, { ...this.defaults, ...call });
    const bars = parseKlines(body);
    if (source.factor === 1) return bars;
    const sourceMs = klinePeriodOf(source.kType)?.ms;
    if (sourceMs === undefined) throw new Error(`kType ${source.kType} has no fixed length to build ${interval} bars from`);
    return aggregateBars(bars, calendarOf(symbol), interval, sourceMs);
  }

  async quote(symbol: string, call: Partial<RestCall> = {}): Promise<RestQuote> {
    const { market, code, region } = splitSymbol(symbol);
    return parseQuote(await this.client.get(market, 'quote', { region, code }, { ...this.defaults, ...call }));
  }
}

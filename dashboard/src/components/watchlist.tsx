/**
 * The symbols that have rules, with live last price (in its market's digits), change against the
 * previous close and a trend line. A symbol the feed does not watch says why: no active rule, or
 * iTick does not know it.
 */
import { formatPrice, formatPriceChange, formatSigned, formatTime } from '../format';
import type { PriceBook } from '../price-book';
import { Sparkline } from './sparkline';
import { SymbolName } from './symbol-name';

export interface WatchlistProps {
  symbols: readonly string[];
  /** Symbols with an active rule: only those are subscribed at the feed, so only those get live prices. */
  active: ReadonlySet<string>;
  /** Symbols iTick refused, with its message: the feed does not subscribe them either. */
  invalid: ReadonlyMap<string, string>;
  loading: boolean;
  prices: PriceBook;
  selected: string | null;
  onSelect(symbol: string): void;
  onCreate(): void;
}

const direction = (change: number | null | undefined) => (change === null || change === undefined || change === 0 ? 'flat' : change > 0 ? 'up' : 'down');

/** Why a symbol has no price yet: waiting for the feed, or not watched at all. */
function noPrice(symbol: string, active: ReadonlySet<string>, invalid: ReadonlyMap<string, string>): { text: string; title: string } {
  if (active.has(symbol)) return { text: '—', title: 'Waiting for the feed' };
  const refusal = invalid.get(symbol);
  if (refusal !== undefined) return { text: 'unknown to iTick', title: `${refusal}: the feed does not watch this symbol` };
  return { text: 'no active rule', title: 'No active rule: the feed does not watch this symbol' };
}

export function Watchlist({ symbols, active, invalid, loading, prices, selected, onSelect, onCreate }: WatchlistProps) {
  if (loading) return <p class="empty">Loading…</p>;
  if (symbols.length === 0) {
    return (
      <div class="empty">
        <p>No rules yet: the symbols of your rules show here with live prices.</p>
        <button type="button" class="primary" onClick={onCreate}>
          Create a rule
        </button>
      </div>
    );
  }
  return (
    <div class="table-scroll">
      <table class="watchlist">
        <caption class="visually-hidden">Symbols with rules and their live prices; choose one to chart it</caption>
        <thead>
          <tr>
            <th scope="col">Symbol</th>
            <th scope="col" class="num">
              Last · change
            </th>
            <th scope="col">Trend</th>
          </tr>
        </thead>
        <tbody>
          {symbols.map((symbol) => {
            const price = prices.get(symbol);
            const dir = direction(price?.change);
            return (
              <tr key={symbol} class={symbol === selected ? 'selected' : undefined} data-symbol={symbol}>
                <th scope="row">
                  <button type="button" class="link" aria-pressed={symbol === selected} onClick={() => onSelect(symbol)} title={`Show ${symbol} on the chart`}>
                    <SymbolName symbol={symbol} />
                  </button>
                </th>
                <td class="num price" data-label="Last">
                  {price === undefined ? (
                    <span class="muted" title={noPrice(symbol, active, invalid).title}>
                      {noPrice(symbol, active, invalid).text}
                    </span>
                  ) : (
                    <>
                      <span class="last-price">{formatPrice(price.price, symbol)}</span>
                      <span class="visually-hidden"> at {formatTime(price.at)}, change </span>
                      <span class={`change ${dir}`}>
                        {price.change === null ? (
                          <span class="muted" title="Shown once the feed tells the previous close">
                            —
                          </span>
                        ) : (
                          <>
                            <span aria-hidden="true">{dir === 'up' ? '▲ ' : dir === 'down' ? '▼ ' : ''}</span>
                            {formatPriceChange(price.change, price.price, symbol)} ({formatSigned(price.changePct, '%')})
                          </>
                        )}
                      </span>
                    </>
                  )}
                </td>
                <td data-label="Trend">
                  <Sparkline symbol={symbol} points={price?.points ?? []} {...(active.has(symbol) ? {} : { emptyText: '—' })} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

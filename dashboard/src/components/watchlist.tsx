/** The symbols that have rules, with live last price, change against the previous close and a trend line. */
import { formatPrice, formatSigned, formatTime } from '../format';
import type { PriceBook } from '../price-book';
import { Sparkline } from './sparkline';

export interface WatchlistProps {
  symbols: readonly string[];
  /** Symbols with an active rule: only those are subscribed at the feed, so only those get live prices. */
  active: ReadonlySet<string>;
  loading: boolean;
  prices: PriceBook;
  selected: string | null;
  onSelect(symbol: string): void;
  onCreate(): void;
}

const direction = (change: number | null | undefined) => (change === null || change === undefined || change === 0 ? 'flat' : change > 0 ? 'up' : 'down');

export function Watchlist({ symbols, active, loading, prices, selected, onSelect, onCreate }: WatchlistProps) {
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
                    {symbol}
                  </button>
                </th>
                <td class="num price" data-label="Last">
                  {price === undefined ? (
                    <span class="muted" title={active.has(symbol) ? 'Waiting for the feed' : 'No active rule: the feed does not watch this symbol'}>
                      {active.has(symbol) ? '—' : 'no active rule'}
                    </span>
                  ) : (
                    <>
                      <span class="last-price">{formatPrice(price.price)}</span>
                      <span class="visually-hidden"> at {formatTime(price.at)}, change </span>
                      <span class={`change ${dir}`}>
                        {price.change === null ? (
                          <span class="muted" title="Shown once the feed tells the previous close">
                            —
                          </span>
                        ) : (
                          <>
                            <span aria-hidden="true">{dir === 'up' ? '▲ ' : dir === 'down' ? '▼ ' : ''}</span>
                            {formatSigned(price.change)} ({formatSigned(price.changePct, '%')})
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

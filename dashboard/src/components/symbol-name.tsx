/**
 * A symbol as a trader reads it: its code, with a small tag naming the market for anything but a
 * stock (`Crypto BTCUSDT$BA` for `crypto:BTCUSDT$BA`). The tag is text, so screen readers and
 * searches in the page find the market too.
 */
import { shownSymbol } from '../market-symbols';

export function SymbolName({ symbol }: { symbol: string }) {
  const { code, tag } = shownSymbol(symbol);
  return (
    <span class="symbol-name" title={symbol}>
      {tag !== null && <span class="market-tag">{tag}</span>}
      {tag !== null && ' '}
      {code}
    </span>
  );
}

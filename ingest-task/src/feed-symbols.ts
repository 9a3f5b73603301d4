/**
 * Feed symbols: which subscribed symbol a data message's `s` (and `r`, when sent) is about, on one
 * connection. A new way iTick writes a symbol goes here.
 *
 * iTick's docs print several forms (test/fixtures/itick/README.md, "Symbol forms"), and a
 * connection subscribes `CODE$REGION`:
 *
 * | `s` (and `r`)              | matches                                                        |
 * |----------------------------|----------------------------------------------------------------|
 * | `AAPL$US`                  | `AAPL$US`                                                      |
 * | `AAPL` + `r: "US"`         | `AAPL$US`                                                      |
 * | `AAPL.US`, `700.HK`        | `AAPL$US`, `700$HK` (the last `.` splits: `BRK.B.US` is `BRK.B$US`) |
 * | `AAPL`, `EURUSD`, `BRK.B`  | the one subscription with that code; none when two regions share it |
 * | `ETH_USDT`                 | the one subscription with code `ETHUSDT`                        |
 * | `BA_BTC_USDT`              | `BTCUSDT$BA` (exchange first)                                   |
 * | India `RELIANCE` + `IN`, `RELIANCE$NSE` | `RELIANCE$NSE$IN`                                 |
 *
 * Exact forms are tried before derived ones (a code may itself hold a `.`), and a bare code that
 * two subscriptions share is never guessed: it matches nothing, and the caller counts it as
 * unmatched. With `r` sent, only symbols of that region match.
 *
 * Lookups run for every data message, so answers are cached per raw `s`/`r` (bounded, cleared
 * whenever the subscriptions change).
 */

/** Cached answers at most; past it the cache starts over (an unmatched flood of ever new forms). */
const CACHE_LIMIT = 4_096;

interface SymbolKeys {
  /** `CODE$REGION` keys (and India's `CODE$EXCHANGE$REGION` and `CODE$REGION`). */
  exact: string[];
  /** Codes a bare `s` may name. */
  codes: string[];
}

/** The lookup keys of a subscribed symbol (a market prefix, if any, is not part of iTick's `s`). */
function keysOf(symbol: string): SymbolKeys {
  const colon = symbol.indexOf(':');
  const feedSymbol = (colon < 0 ? symbol : symbol.slice(colon + 1)).toUpperCase();
  const parts = feedSymbol.split('$');
  if (parts.length < 2) return { exact: [feedSymbol], codes: [feedSymbol] };
  const region = parts[parts.length - 1] as string;
  const code = parts.slice(0, -1).join('$');
  const first = parts[0] as string;
  if (parts.length === 2) return { exact: [feedSymbol], codes: [code] };
  // India's symbols have three parts (`RELIANCE$NSE$IN`); iTick's `s`/`r` for them are not
  // documented, so `RELIANCE` + `IN` and `RELIANCE$NSE` map to it too.
  return { exact: [feedSymbol, `${first}$${region}`], codes: [code, first] };
}

/** The code (and region) a derived form of `s` names: `AAPL.US`, `ETH_USDT`, `BA_BTC_USDT`. */
interface DerivedForm {
  code: string;
  region: string | undefined;
}

function derivedForms(s: string): DerivedForm[] {
  const forms: DerivedForm[] = [];
  const dot = s.lastIndexOf('.');
  if (dot > 0 && dot < s.length - 1) forms.push({ code: s.slice(0, dot), region: s.slice(dot + 1) });
  if (s.includes('_')) {
    const parts = s.split('_').filter((part) => part !== '');
    // Exchange first, as iTick's REST prints crypto (`BA_BTC_USDT`): the exchange is the region.
    if (parts.length >= 3) forms.push({ code: parts.slice(1).join(''), region: parts[0] });
    if (parts.length >= 2) forms.push({ code: parts.join(''), region: undefined });
  }
  return forms;
}

/**
 * Maps a data message's `s` and `r` back to the subscribed symbol (the form given to
 * {@link SymbolIndex.add}).
 * @example
 * const index = new SymbolIndex();
 * index.add('AAPL$US');
 * index.add('ETHUSDT$BA');
 * index.resolve('AAPL.US', undefined); // 'AAPL$US'
 * index.resolve('ETH_USDT', undefined); // 'ETHUSDT$BA'
 */
export class SymbolIndex {
  private readonly exact = new Map<string, string>();
  private readonly byCode = new Map<string, Set<string>>();
  /** Raw `s` (`s\n r` when `r` was sent) → answer; `null` caches "matches nothing". */
  private readonly cache = new Map<string, string | null>();

  add(symbol: string): void {
    const { exact, codes } = keysOf(symbol);
    for (const key of exact) this.exact.set(key, symbol);
    for (const code of codes) {
      const symbols = this.byCode.get(code) ?? new Set<string>();
      symbols.add(symbol);
      this.byCode.set(code, symbols);
    }
    this.cache.clear();
  }

  delete(symbol: string): void {
    const { exact, codes } = keysOf(symbol);
    for (const key of exact) if (this.exact.get(key) === symbol) this.exact.delete(key);
    for (const code of codes) {
      const symbols = this.byCode.get(code);
      symbols?.delete(symbol);
      if (symbols?.size === 0) this.byCode.delete(code);
    }
    this.cache.clear();
  }

  clear(): void {
    this.exact.clear();
    this.byCode.clear();
    this.cache.clear();
  }

  /** The subscribed symbol a data message with this `s` and `r` is about, or `undefined`. */
  resolve(code: string, region: string | undefined): string | undefined {
    const key = region === undefined ? code : `${code}\n${region}`;
    let answer = this.cache.get(key);
    if (answer === undefined) {
      answer = this.lookup(code.toUpperCase(), region?.toUpperCase()) ?? null;
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(key, answer);
    }
    return answer ?? undefined;
  }

  private lookup(s: string, region: string | undefined): string | undefined {
    if (region !== undefined) {
      const direct = this.exact.get(`${s}$${region}`) ?? (s.includes('$') ? this.exact.get(s) : undefined);
      if (direct !== undefined) return direct;
      for (const form of derivedForms(s)) {
        if (form.region !== undefined && form.region !== region) continue;
        const hit = this.exact.get(`${form.code}$${region}`);
        if (hit !== undefined) return hit;
      }
      return undefined;
    }
    if (s.includes('$')) {
      const direct = this.exact.get(s);
      if (direct !== undefined) return direct;
    }
    const bare = this.byCode.get(s);
    if (bare !== undefined) return only(bare);
    for (const form of derivedForms(s)) {
      if (form.region !== undefined) {
        const hit = this.exact.get(`${form.code}$${form.region}`);
        if (hit !== undefined) return hit;
        continue;
      }
      const candidates = this.byCode.get(form.code);
      if (candidates !== undefined) return only(candidates);
    }
    return undefined;
  }
}

/** The one symbol of a set; none when it holds two or more (ambiguous: never guessed). */
function only(symbols: ReadonlySet<string>): string | undefined {
  return symbols.size === 1 ? (symbols.values().next().value as string) : undefined;
}

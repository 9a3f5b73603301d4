/**
 * Feed symbols: which subscribed symbol (`CODE$REGION`) a data message's code and region are
 * about. A new way iTick writes a symbol goes here.
 */

/**
 * Maps the code and region of a data message back to the subscribed symbol.
 *
 * The symbol is `s$r`; when `r` is missing, the one subscription whose code is `s` (none if two
 * regions share the code). India's symbols have three parts (`RELIANCE$NSE$IN`) and iTick's
 * `s`/`r` for them are not documented, so `RELIANCE` + `IN` and `RELIANCE$NSE` map to it too.
 */
export class SymbolIndex {
  private readonly withRegion = new Map<string, string>();
  private readonly byCode = new Map<string, Set<string>>();

  add(symbol: string): void {
    const parts = symbol.split('$');
    const region = parts[parts.length - 1] ?? '';
    this.withRegion.set(symbol, symbol);
    const codes = new Set([parts.slice(0, -1).join('$'), parts[0] ?? '']);
    if (parts.length > 2) this.withRegion.set(`${parts[0]}$${region}`, symbol);
    for (const code of codes) {
      const symbols = this.byCode.get(code) ?? new Set<string>();
      symbols.add(symbol);
      this.byCode.set(code, symbols);
    }
  }

  delete(symbol: string): void {
    for (const [key, value] of this.withRegion) if (value === symbol) this.withRegion.delete(key);
    for (const [code, symbols] of this.byCode) {
      symbols.delete(symbol);
      if (symbols.size === 0) this.byCode.delete(code);
    }
  }

  clear(): void {
    this.withRegion.clear();
    this.byCode.clear();
  }

  /** The subscribed symbol a data message is about, or `undefined`. */
  resolve(code: string, region: string | undefined): string | undefined {
    const s = code.toUpperCase();
    if (region !== undefined) return this.withRegion.get(`${s}$${region.toUpperCase()}`) ?? this.withRegion.get(s);
    const direct = this.withRegion.get(s);
    if (direct !== undefined) return direct;
    const candidates = this.byCode.get(s);
    if (candidates?.size !== 1) return undefined;
    return candidates.values().next().value;
  }
}

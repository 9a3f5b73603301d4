import { describe, expect, it } from 'vitest';
import { SymbolIndex } from '../../ingest-task/src/feed-symbols';

describe('mapping data back to subscribed symbols', () => {
  const index = new SymbolIndex();
  for (const symbol of ['AAPL$US', '700$HK', 'RELIANCE$NSE$IN', 'BP$GB', 'BP$US']) index.add(symbol);

  it('builds the symbol from code and region', () => {
    expect(index.resolve('AAPL', 'US')).toBe('AAPL$US');
    expect(index.resolve('aapl', 'us')).toBe('AAPL$US');
    expect(index.resolve('700', 'HK')).toBe('700$HK');
    expect(index.resolve('AAPL', 'HK')).toBeUndefined();
  });

  it('falls back to the only subscription with that code when the region is missing', () => {
    expect(index.resolve('AAPL', undefined)).toBe('AAPL$US');
    expect(index.resolve('BP', undefined)).toBeUndefined();
  });

  it('maps the forms iTick may use for three-part (India) symbols', () => {
    expect(index.resolve('RELIANCE', 'IN')).toBe('RELIANCE$NSE$IN');
    expect(index.resolve('RELIANCE$NSE', 'IN')).toBe('RELIANCE$NSE$IN');
    expect(index.resolve('RELIANCE', undefined)).toBe('RELIANCE$NSE$IN');
  });

  it('forgets a symbol that is removed', () => {
    const local = new SymbolIndex();
    local.add('AAPL$US');
    local.delete('AAPL$US');
    expect(local.resolve('AAPL', 'US')).toBeUndefined();
    expect(local.resolve('AAPL', undefined)).toBeUndefined();
  });
});

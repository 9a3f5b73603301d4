import { describe, expect, it } from 'vitest';
import { SymbolIndex } from '../../ingest-task/src/feed-symbols';

const indexOf = (...symbols: string[]) => {
  const index = new SymbolIndex();
  for (const symbol of symbols) index.add(symbol);
  return index;
};

describe('mapping data back to subscribed symbols', () => {
  const index = indexOf('AAPL$US', '700$HK', 'RELIANCE$NSE$IN', 'BP$GB', 'BP$US');

  it('builds the symbol from code and region', () => {
    expect(index.resolve('AAPL', 'US')).toBe('AAPL$US');
    expect(index.resolve('aapl', 'us')).toBe('AAPL$US');
    expect(index.resolve('700', 'HK')).toBe('700$HK');
    expect(index.resolve('AAPL', 'HK')).toBeUndefined();
  });

  it('takes s written as CODE$REGION', () => {
    expect(index.resolve('AAPL$US', undefined)).toBe('AAPL$US');
    expect(index.resolve('AAPL$US', 'US')).toBe('AAPL$US');
  });

  it("takes s written as CODE.REGION, as iTick's current docs print it", () => {
    expect(index.resolve('AAPL.US', undefined)).toBe('AAPL$US');
    expect(index.resolve('700.HK', undefined)).toBe('700$HK');
    expect(index.resolve('aapl.us', undefined)).toBe('AAPL$US');
    expect(index.resolve('AAPL.US', 'US')).toBe('AAPL$US');
    expect(index.resolve('AAPL.HK', undefined)).toBeUndefined();
    expect(index.resolve('AAPL.US', 'HK')).toBeUndefined();
  });

  it('keeps a dot that belongs to the code (BRK.B): exact forms first, then the last dot splits', () => {
    const local = indexOf('BRK.B$US', 'BF.B$US');
    expect(local.resolve('BRK.B', undefined)).toBe('BRK.B$US');
    expect(local.resolve('BRK.B', 'US')).toBe('BRK.B$US');
    expect(local.resolve('BRK.B.US', undefined)).toBe('BRK.B$US');
    expect(local.resolve('BF.B.US', undefined)).toBe('BF.B$US');
    expect(local.resolve('BRK', undefined)).toBeUndefined();
  });

  it('falls back to the only subscription with that code when the region is missing, and never guesses between two', () => {
    expect(index.resolve('AAPL', undefined)).toBe('AAPL$US');
    expect(index.resolve('BP', undefined)).toBeUndefined();
    expect(index.resolve('BP', 'GB')).toBe('BP$GB');
    expect(index.resolve('BP.US', undefined)).toBe('BP$US');
  });

  it('maps underscore pairs (ETH_USDT) and exchange-prefixed pairs (BA_BTC_USDT)', () => {
    const crypto = indexOf('ETHUSDT$BA', 'BTCUSDT$BA');
    expect(crypto.resolve('ETH_USDT', undefined)).toBe('ETHUSDT$BA');
    expect(crypto.resolve('BA_BTC_USDT', undefined)).toBe('BTCUSDT$BA');
    expect(crypto.resolve('ba_btc_usdt', undefined)).toBe('BTCUSDT$BA');
    expect(crypto.resolve('ETH_USDT', 'BA')).toBe('ETHUSDT$BA');
    expect(crypto.resolve('BA_BTC_USDT', 'BA')).toBe('BTCUSDT$BA');
    // An exchange prefix names the region: another exchange's pair is not the subscribed one.
    expect(crypto.resolve('OK_BTC_USDT', undefined)).toBeUndefined();
    expect(crypto.resolve('ETH_USDT', 'OK')).toBeUndefined();
    expect(crypto.resolve('SOL_USDT', undefined)).toBeUndefined();
  });

  it('does not guess an exchange when one pair is subscribed on two', () => {
    const two = indexOf('BTCUSDT$BA', 'BTCUSDT$OK');
    expect(two.resolve('BTC_USDT', undefined)).toBeUndefined();
    expect(two.resolve('BA_BTC_USDT', undefined)).toBe('BTCUSDT$BA');
    expect(two.resolve('OK_BTC_USDT', undefined)).toBe('BTCUSDT$OK');
  });

  it('maps the forms iTick may use for three-part (India) symbols', () => {
    expect(index.resolve('RELIANCE', 'IN')).toBe('RELIANCE$NSE$IN');
    expect(index.resolve('RELIANCE$NSE', 'IN')).toBe('RELIANCE$NSE$IN');
    expect(index.resolve('RELIANCE', undefined)).toBe('RELIANCE$NSE$IN');
    expect(index.resolve('RELIANCE.IN', undefined)).toBe('RELIANCE$NSE$IN');
  });

  it('answers with the symbol as added, a market prefix included, matching on its CODE$REGION part', () => {
    const local = indexOf('crypto:ETHUSDT$BA', 'forex:EURUSD$GB');
    expect(local.resolve('ETH_USDT', undefined)).toBe('crypto:ETHUSDT$BA');
    expect(local.resolve('EURUSD', undefined)).toBe('forex:EURUSD$GB');
  });

  it('forgets a symbol that is removed, also in what it had cached', () => {
    const local = indexOf('AAPL$US', 'AAPL$HK');
    expect(local.resolve('AAPL', undefined)).toBeUndefined();
    local.delete('AAPL$HK');
    expect(local.resolve('AAPL', undefined)).toBe('AAPL$US');
    expect(local.resolve('AAPL.US', undefined)).toBe('AAPL$US');
    local.delete('AAPL$US');
    expect(local.resolve('AAPL', 'US')).toBeUndefined();
    expect(local.resolve('AAPL', undefined)).toBeUndefined();
    expect(local.resolve('AAPL.US', undefined)).toBeUndefined();
    local.add('AAPL$US');
    expect(local.resolve('AAPL.US', undefined)).toBe('AAPL$US');
    local.clear();
    expect(local.resolve('AAPL.US', undefined)).toBeUndefined();
  });

  it('keeps answering correctly past its cache limit', () => {
    const local = indexOf('AAPL$US');
    for (let i = 0; i < 10_000; i += 1) expect(local.resolve(`X${i}.US`, undefined)).toBeUndefined();
    expect(local.resolve('AAPL.US', undefined)).toBe('AAPL$US');
  });
});

import { describe, expect, it } from 'vitest';
import { QuoteTrades } from '../../ingest-task/src/quote-trades';

const T = 1_796_396_400_250;

describe('quotes as trades (quote-only streams)', () => {
  it('takes every quote with a new last price or time as a trade; the volume is the difference of the running volumes', () => {
    const trades = new QuoteTrades();
    expect(trades.quote('AAPL$US', 238.415, T, 9_183_542, T + 5)).toEqual({ price: 238.415, at: T, volume: 0, volumeKnown: false, newSession: false });
    expect(trades.quote('AAPL$US', 238.43, T + 1750, 9_183_842, T + 1755)).toEqual({ price: 238.43, at: T + 1750, volume: 300, volumeKnown: true, newSession: false });
    // Same price, later time: another trade at that price.
    expect(trades.quote('AAPL$US', 238.43, T + 4100, 9_184_442, T + 4105)).toEqual({ price: 238.43, at: T + 4100, volume: 600, volumeKnown: true, newSession: false });
  });

  it('takes a repeated quote (same last price and time) for no trade, and keeps its volume for the next trade', () => {
    const trades = new QuoteTrades();
    trades.quote('AAPL$US', 238.415, T, 9_183_542, T);
    expect(trades.quote('AAPL$US', 238.415, T, 9_183_542, T + 1)).toBeUndefined();
    expect(trades.quote('AAPL$US', 238.415, T, 9_183_642, T + 2)).toBeUndefined();
    expect(trades.quote('AAPL$US', 238.5, T + 10, 9_183_842, T + 11)).toMatchObject({ volume: 300, volumeKnown: true });
  });

  it('takes a drop of the running volume for a new session: never a negative volume, the first trade of the session has no known volume', () => {
    const trades = new QuoteTrades();
    trades.quote('AAPL$US', 240.02, 1_796_417_998_900, 48_211_907, 0);
    expect(trades.quote('AAPL$US', 240.05, 1_796_417_999_800, 48_213_107, 0)).toMatchObject({ volume: 1200, volumeKnown: true });
    expect(trades.quote('AAPL$US', 241.1, 1_796_653_801_120, 1832, 0)).toEqual({ price: 241.1, at: 1_796_653_801_120, volume: 0, volumeKnown: false, newSession: true });
    expect(trades.quote('AAPL$US', 241.2, 1_796_653_802_000, 2032, 0)).toMatchObject({ volume: 200, volumeKnown: true, newSession: false });
  });

  it('judges a quote without a time by its price alone, stamped with the time it was received', () => {
    const trades = new QuoteTrades();
    expect(trades.quote('AAPL$US', 100, undefined, 10, 5_000)).toMatchObject({ price: 100, at: 5_000 });
    expect(trades.quote('AAPL$US', 100, undefined, 10, 6_000)).toBeUndefined();
    expect(trades.quote('AAPL$US', 101, undefined, 15, 7_000)).toEqual({ price: 101, at: 7_000, volume: 5, volumeKnown: true, newSession: false });
  });

  it('takes a quote older than the last for no trade (out of order)', () => {
    const trades = new QuoteTrades();
    trades.quote('AAPL$US', 100, T, 10, T);
    expect(trades.quote('AAPL$US', 99, T - 1000, 9, T + 1)).toBeUndefined();
    expect(trades.quote('AAPL$US', 101, T + 1000, 12, T + 2)).toMatchObject({ volume: 2 });
  });

  it('has no volume without running volumes, and takes a quote without a last price for no trade', () => {
    const trades = new QuoteTrades();
    expect(trades.quote('AAPL$US', undefined, T, 10, T)).toBeUndefined();
    expect(trades.quote('AAPL$US', 100, T + 1, undefined, T)).toMatchObject({ volume: 0, volumeKnown: false });
    expect(trades.quote('AAPL$US', 101, T + 2, 20, T)).toMatchObject({ volume: 10, volumeKnown: true });
  });

  it('keeps fractional volumes free of float noise (crypto)', () => {
    const trades = new QuoteTrades();
    trades.quote('ETHUSDT$BA', 3712.45, T, 1.2841, T);
    expect(trades.quote('ETHUSDT$BA', 3712.5, T + 1, 1.3841, T)).toMatchObject({ volume: 0.1 });
  });

  it('never counts a trade twice: once real ticks come for a symbol, its quotes are summaries only', () => {
    const trades = new QuoteTrades();
    expect(trades.quote('AAPL$US', 100, T, 10, T)).toBeDefined();
    trades.ticked('AAPL$US');
    expect(trades.quote('AAPL$US', 101, T + 1, 20, T)).toBeUndefined();
    trades.ticked('TSLA$US');
    expect(trades.quote('TSLA$US', 300, T, 10, T)).toBeUndefined();
    expect(trades.quote('MSFT$US', 400, T, 10, T)).toBeDefined();
  });

  it('starts a symbol over when it is subscribed again: no volume difference across the gap', () => {
    const trades = new QuoteTrades();
    trades.quote('AAPL$US', 100, T, 10, T);
    trades.ticked('TSLA$US');
    trades.reset(['AAPL$US', 'TSLA$US']);
    expect(trades.quote('AAPL$US', 101, T + 1, 50, T)).toMatchObject({ volume: 0, volumeKnown: false });
    expect(trades.quote('TSLA$US', 300, T, 10, T)).toBeDefined();
    trades.clear();
    expect(trades.quote('AAPL$US', 101, T + 1, 50, T)).toMatchObject({ volumeKnown: false });
  });
});

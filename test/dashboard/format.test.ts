/** How the dashboard reads conditions: in words, and which of their numbers are price levels on the chart. */
import { describe, expect, it } from 'vitest';
import { conditionLevels, conditionText, formatPrice, formatPriceChange, priceDigits } from '../../dashboard/src/format';

describe('conditionText', () => {
  it('reads price conditions as a trader says them', () => {
    expect(conditionText({ type: 'crosses_above', value: 200 })).toBe('crosses above 200');
    expect(conditionText({ type: 'enters_channel', lower: 0.1 + 0.2, upper: 1 })).toBe('enters 0.3–1');
  });

  it('reads indicator conditions with their parameters, bars, session and evaluation', () => {
    expect(conditionText({ type: 'rsi_above', period: 14, value: 70, interval: '1m' })).toBe('RSI(14) above 70 on 1m bars');
    expect(conditionText({ type: 'rsi_below', period: 14, value: 30, interval: '5m', session: 'extended', evaluate: 'forming' })).toBe(
      'RSI(14) below 30 on 5m bars, extended hours, forming bar',
    );
    expect(conditionText({ type: 'macd_cross', fast: 12, slow: 26, signal: 9, interval: '1h', direction: 'down' })).toBe('MACD(12, 26, 9) crosses below its signal on 1h bars');
    expect(conditionText({ type: 'bollinger_break', period: 20, stdDev: 2, band: 'lower', interval: '15m', session: 'any' })).toBe(
      'breaks the lower Bollinger band (20, 2) on 15m bars, all hours',
    );
    expect(conditionText({ type: 'ma_cross', kind: 'ema', fast: 50, slow: 200, interval: '1d', direction: 'up' })).toBe('EMA(50) crosses above EMA(200) on 1d bars');
  });

  it('joins composites and reads an unknown type from its fields', () => {
    expect(conditionText({ type: 'all', conditions: [{ type: 'price_below', value: 180 }, { type: 'rsi_below', period: 14, value: 30, interval: '1m' }] })).toBe(
      'below 180 and RSI(14) below 30 on 1m bars',
    );
    expect(conditionText({ type: 'future_thing', level: 3 })).toBe('future thing level 3');
  });
});

describe('conditionLevels', () => {
  it('draws price levels and channel bounds, also inside composites', () => {
    expect(conditionLevels({ type: 'crosses_below', value: 190 })).toEqual([190]);
    expect(conditionLevels({ type: 'any', conditions: [{ type: 'exits_channel', lower: 10, upper: 12 }, { type: 'price_above', value: 15 }] })).toEqual([10, 12, 15]);
  });

  it('draws no line for an indicator level, a percentage or an unknown type', () => {
    expect(conditionLevels({ type: 'rsi_above', period: 14, value: 70, interval: '1m' })).toEqual([]);
    expect(conditionLevels({ type: 'moves_up_pct', percent: 5, windowSeconds: 300 })).toEqual([]);
    expect(conditionLevels({ type: 'all', conditions: [{ type: 'rsi_below', period: 14, value: 30, interval: '1m' }, { type: 'price_below', value: 180 }] })).toEqual([180]);
    expect(conditionLevels({ type: 'future_thing', value: 3 })).toEqual([]);
  });
});

describe('prices', () => {
  it('read in their market’s digits: stocks 2, forex pips 5', () => {
    expect(formatPrice(201.5, 'AAPL$US')).toBe('201.50');
    expect(formatPrice(1.0834, 'forex:EURUSD$GB')).toBe('1.08340');
    expect(formatPrice(97_000.5, 'crypto:BTCUSDT$BA')).toBe('97,000.50');
    expect(formatPrice(201.5)).toBe('201.50');
  });

  it('keep digits beyond the usual ones, up to 6, so a level set finer is not rounded away', () => {
    expect(formatPrice(200.125, 'AAPL$US')).toBe('200.125');
    expect(formatPrice(1.083456, 'forex:EURUSD$GB')).toBe('1.083456');
  });

  it('below 1 keep 4 significant digits at least (small coins), never fewer than the market’s', () => {
    expect(priceDigits(0.00001234, 'crypto:SHIBUSDT$BA')).toBe(8);
    expect(formatPrice(0.00001234, 'crypto:SHIBUSDT$BA')).toBe('0.00001234');
    expect(formatPrice(0.5, 'crypto:DOGEUSDT$BA')).toBe('0.5000');
    expect(formatPrice(0.65432, 'forex:AUDUSD$GB')).toBe('0.65432');
    expect(priceDigits(0, 'AAPL$US')).toBe(2);
    expect(formatPrice(Number.NaN, 'AAPL$US')).toBe('—');
  });

  it('changes read in the digits of their price', () => {
    expect(formatPriceChange(1.25, 201.5, 'AAPL$US')).toBe('+1.25');
    expect(formatPriceChange(-0.00123, 1.0834, 'forex:EURUSD$GB')).toBe('−0.00123');
    expect(formatPriceChange(0.0000005, 0.00001234, 'crypto:SHIBUSDT$BA')).toBe('+0.00000050');
    expect(formatPriceChange(null, 1, 'AAPL$US')).toBe('—');
  });
});

import { describe, expect, it } from 'vitest';
import { describeCondition, formatNumber, renderMessage } from '../../../core/engine';

const ctx = {
  symbol: 'AAPL$US',
  condition: { type: 'crosses_above' as const, value: 200 },
  price: 200.5,
  at: Date.UTC(2026, 10, 2, 14, 31, 5),
  note: 'take profit',
};

describe('alert messages', () => {
  it('fills every placeholder of a template', () => {
    expect(renderMessage('{{symbol}} crossed {{value}} at {{price}} ({{condition}}) {{time}} – {{note}}', ctx)).toBe(
      'AAPL$US crossed 200 at 200.5 (crossed above 200) 2026-11-02T14:31:05.000Z – take profit',
    );
  });

  it('has a sensible default message', () => {
    expect(renderMessage(null, ctx)).toBe('AAPL$US crossed above 200: last 200.5 at 2026-11-02T14:31:05.000Z');
  });

  it('leaves unknown placeholders as written and tolerates spaces inside braces', () => {
    expect(renderMessage('{{ symbol }} {{nope}}', ctx)).toBe('AAPL$US {{nope}}');
  });

  it('prints prices without float noise', () => {
    expect(formatNumber(0.1 + 0.2)).toBe('0.3');
    expect(formatNumber(123456.789)).toBe('123456.789');
  });

  it('describes composite and windowed conditions in words', () => {
    expect(
      describeCondition({ type: 'all', conditions: [{ type: 'moves_up_pct', percent: 2, windowSeconds: 300 }, { type: 'volume_spike', multiple: 3, windowSeconds: 60 }] }),
    ).toBe('rose 2% within 5m and traded 3x its usual volume in 1m');
    expect(describeCondition({ type: 'change_from_prev_close_pct', percent: -4 })).toBe('is down 4% on the previous close');
  });

  it('describes indicator conditions with their bars, session and forming bar', () => {
    expect(describeCondition({ type: 'rsi_above', period: 14, interval: '1h', value: 70 })).toBe('RSI(14) of 1h bars is above 70');
    expect(describeCondition({ type: 'macd_cross', fast: 12, slow: 26, signal: 9, interval: '5m', direction: 'down', session: 'extended' })).toBe(
      'MACD(12,26,9) of 5m extended bars crossed below its signal line',
    );
    expect(describeCondition({ type: 'bollinger_break', period: 20, stdDev: 2, interval: '1d', band: 'lower', evaluate: 'forming' })).toBe(
      '1d bars (forming) broke below the lower Bollinger band (20, 2)',
    );
    expect(describeCondition({ type: 'ma_cross', kind: 'ema', fast: 50, slow: 200, interval: '1d', direction: 'up', session: 'any' })).toBe('EMA(50) crossed above EMA(200) on 1d all-hours bars');
    expect(describeCondition({ type: 'change_from_prev_close_pct', percent: 2, session: 'regular' })).toBe('is up 2% on the previous regular close');
  });
});

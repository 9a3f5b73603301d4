/** The rule model validates exactly what api.md allows, with messages that name the field. */
import { describe, expect, it } from 'vitest';
import { normalizeSymbol, parseWith, ruleCreateSchema, rulePatchSchema, ValidationError } from '../../../core/rule-model';

const base = { symbol: 'AAPL$US', condition: { type: 'crosses_above', value: 200 } };

function errorsOf(input: unknown, schema: typeof ruleCreateSchema | typeof rulePatchSchema = ruleCreateSchema): string[] {
  try {
    parseWith(schema, input);
  } catch (error) {
    if (error instanceof ValidationError) return error.details.map((d) => `${d.path} ${d.message}`);
    throw error;
  }
  return [];
}

describe('symbols', () => {
  it('are trimmed and upper-cased', () => {
    expect(parseWith(ruleCreateSchema, { ...base, symbol: '  aapl$us ' }).symbol).toBe('AAPL$US');
    expect(normalizeSymbol('700$hk')).toBe('700$HK');
    expect(normalizeSymbol('reliance$nse$in')).toBe('RELIANCE$NSE$IN');
  });

  it('carry a market prefix for markets other than stocks, lower-case; stock: is dropped', () => {
    expect(parseWith(ruleCreateSchema, { ...base, symbol: ' Crypto:btcusdt$ba' }).symbol).toBe('crypto:BTCUSDT$BA');
    expect(normalizeSymbol('forex:eurusd$gb')).toBe('forex:EURUSD$GB');
    expect(normalizeSymbol('STOCK:aapl$us')).toBe('AAPL$US');
    for (const symbol of ['indices:DJI$US', 'future:GC$US', 'fund:QQQ$US']) expect(normalizeSymbol(symbol)).toBe(symbol);
  });

  it.each(['AAPL', 'AAPL$', '$US', 'AAPL$USA1', 'AA PL$US', 'AAPL$U', '', 'bonds:X$US', 'crypto:', 'crypto:BTCUSDT', ':AAPL$US', 'crypto:crypto:BTC$BA'])('rejects %j', (symbol) => {
    expect(errorsOf({ ...base, symbol })).toEqual(['symbol must be a symbol like AAPL$US (CODE$REGION) or crypto:BTCUSDT$BA (MARKET:CODE$REGION)']);
  });
});

describe('rule defaults', () => {
  it('fills trigger rearm, cooldown 300 s, no expiry, no snooze, no channels, active', () => {
    expect(parseWith(ruleCreateSchema, base)).toEqual({
      ...base,
      trigger: 'rearm',
      cooldownSeconds: 300,
      expiresAt: null,
      snoozedUntil: null,
      channels: [],
      message: null,
      note: null,
      status: 'active',
    });
  });

  it('normalises expiresAt to UTC', () => {
    expect(parseWith(ruleCreateSchema, { ...base, expiresAt: '2026-12-31T16:00:00-05:00' }).expiresAt).toBe('2026-12-31T21:00:00.000Z');
  });
});

describe('validation messages name the field', () => {
  it.each([
    [{ ...base, condition: { type: 'crosses_above', value: -1 } }, 'condition.value must be a positive number'],
    [{ ...base, condition: { type: 'crosses_above', value: '200' } }, 'condition.value must be a number'],
    [{ ...base, condition: { type: 'crosses_above' } }, 'condition.value is required'],
    [{ ...base, condition: { type: 'enters_channel', lower: 200, upper: 200 } }, 'condition.upper must be greater than condition.lower'],
    [{ ...base, condition: { type: 'moves_up_pct', percent: 0, windowSeconds: 60 } }, 'condition.percent must be a positive number'],
    [{ ...base, condition: { type: 'moves_up_pct', percent: 2, windowSeconds: 1.5 } }, 'condition.windowSeconds must be a whole number of seconds'],
    [{ ...base, condition: { type: 'change_from_prev_close_pct', percent: 0 } }, 'condition.percent must not be 0 (positive for up, negative for down)'],
    [{ ...base, condition: { type: 'volume_spike', multiple: 1, windowSeconds: 60 } }, 'condition.multiple must be greater than 1'],
    [{ ...base, condition: { type: 'all', conditions: [{ type: 'price_above', value: 1 }] } }, 'condition.conditions must hold at least 2 conditions'],
    [{ ...base, condition: { type: 'rsi_above', period: 14, value: 70 } }, 'condition.interval is required'],
    [{ ...base, condition: { type: 'rsi_above', period: 14, interval: '2m', value: 70 } }, 'condition.interval must be one of 1m, 5m, 15m, 1h, 1d'],
    [{ ...base, condition: { type: 'rsi_below', period: 14, interval: '1m', value: 100 } }, 'condition.value must be less than 100'],
    [{ ...base, condition: { type: 'rsi_above', interval: '1m', value: 70, period: 1 } }, 'condition.period must be at least 2'],
    [{ ...base, condition: { type: 'rsi_above', period: 14, interval: '1m', value: 70, session: 'night' } }, 'condition.session must be one of regular, extended, any'],
    [{ ...base, condition: { type: 'rsi_above', period: 14, interval: '1m', value: 70, evaluate: 'tick' } }, 'condition.evaluate must be one of close, forming'],
    [{ ...base, condition: { type: 'macd_cross', interval: '1h', direction: 'up', fast: 26, slow: 12, signal: 9 } }, 'condition.slow must be greater than condition.fast'],
    [{ ...base, condition: { type: 'macd_cross', interval: '1h', direction: 'sideways', fast: 12, slow: 26, signal: 9 } }, 'condition.direction must be one of up, down'],
    [{ ...base, condition: { type: 'ma_cross', kind: 'sma', interval: '1d', direction: 'up', slow: 200 } }, 'condition.fast is required'],
    [{ ...base, condition: { type: 'ma_cross', kind: 'ema', interval: '1d', direction: 'up', fast: 50, slow: 201 } }, 'condition.slow must be at most 200'],
    [{ ...base, condition: { type: 'bollinger_break', period: 20, stdDev: 2, interval: '15m' } }, 'condition.band is required'],
    [{ ...base, condition: { type: 'bollinger_break', period: 20, interval: '15m', band: 'upper', stdDev: 0 } }, 'condition.stdDev must be greater than 0'],
    [{ ...base, condition: { type: 'change_from_prev_close_pct', percent: 2, session: 'day' } }, 'condition.session must be one of regular, extended, any'],
    [
      { ...base, condition: { type: 'all', conditions: [{ type: 'rsi_above', period: 14, interval: '1m', value: 70 }, { type: 'rsi_below', period: 14, interval: '5m', value: 90, evaluate: 'forming' }] } },
      'condition.conditions must use the same evaluate ("close" or "forming") for all their indicator conditions',
    ],
    [
      { ...base, condition: { type: 'all', conditions: [{ type: 'rsi_below', period: 14, interval: '1m', value: 30 }, { type: 'crosses_above', value: 200 }] } },
      'condition.conditions[1].type cannot be combined with indicator conditions judged at bar close (a price edge happens between trades): use a price level, or evaluate "forming"',
    ],
    [{ ...base, condition: { type: 'nope' } }, expect.stringMatching(/^condition.type must be one of price_above, .*, all, any$/)],
    [{ ...base, trigger: 'sometimes' }, 'trigger must be one of once, rearm, repeat'],
    [{ ...base, cooldownSeconds: 604_801 }, 'cooldownSeconds must be at most 604800 (7 days)'],
    [{ ...base, cooldownSeconds: -1 }, 'cooldownSeconds must be at least 0'],
    [{ ...base, expiresAt: 'next friday' }, 'expiresAt must be an ISO-8601 timestamp such as 2026-12-31T21:00:00Z'],
    [{ ...base, channels: [{ type: 'email', to: 'not-an-address' }] }, 'channels[0].to must be an email address'],
    [{ ...base, channels: [{ type: 'telegram', chatId: 'abc' }] }, expect.stringMatching(/^channels\[0\]\.chatId must be a Telegram chat id/)],
    [{ ...base, channels: [{ type: 'webhook', url: 'ftp://x' }] }, 'channels[0].url must be an absolute http(s) URL'],
    [{ ...base, channels: [{ type: 'sms', to: '1' }] }, 'channels[0].type must be one of email, telegram, webhook'],
    [{ ...base, note: 'x'.repeat(501) }, 'note must be at most 500 characters'],
    [{ ...base, id: 'mine' }, 'id is not a known field'],
    [{ ...base, status: 'triggered' }, 'status must be "active" or "paused" (other statuses are set by the server)'],
    [{ ...base, triggerCount: 3 }, 'triggerCount is not a known field'],
    [{ ...base, condition: { type: 'price_above', value: 1, extra: true } }, 'condition.extra is not a known field'],
  ])('%j → %s', (input, message) => {
    expect(errorsOf(input)).toEqual([message]);
  });

  it('rejects a body that is not an object', () => {
    expect(errorsOf([])).toEqual([' must be a JSON object']);
    expect(errorsOf(null)).toEqual([' must be a JSON object']);
  });

  it('accepts numbers only as JSON numbers (no NaN or Infinity)', () => {
    expect(errorsOf({ ...base, condition: { type: 'price_above', value: Number.POSITIVE_INFINITY } })).toEqual(['condition.value must be a number']);
    expect(errorsOf({ ...base, condition: { type: 'price_above', value: Number.NaN } })).toEqual(['condition.value must be a number']);
  });
});

describe('indicator conditions', () => {
  const parsed = (condition: unknown) => parseWith(ruleCreateSchema, { ...base, condition }).condition;

  it('take every parameter explicitly (no hidden defaults: the rule says which indicator it means)', () => {
    expect(parsed({ type: 'rsi_above', period: 14, interval: '1m', value: 70 })).toEqual({ type: 'rsi_above', period: 14, interval: '1m', value: 70 });
    expect(errorsOf({ ...base, condition: { type: 'macd_cross', interval: '1h', direction: 'up' } })).toEqual(['condition.fast is required', 'condition.slow is required', 'condition.signal is required']);
    expect(errorsOf({ ...base, condition: { type: 'bollinger_break', interval: '15m', band: 'lower' } })).toEqual(['condition.period is required', 'condition.stdDev is required']);
    expect(errorsOf({ ...base, condition: { type: 'ma_cross', interval: '1d', fast: 50, slow: 200, direction: 'down' } })).toEqual(['condition.kind is required']);
  });

  it('keep session and evaluate only when given (absent: regular where known, close)', () => {
    expect(parsed({ type: 'rsi_below', period: 14, interval: '5m', value: 30, session: 'extended', evaluate: 'forming' })).toMatchObject({ session: 'extended', evaluate: 'forming' });
    expect(parsed({ type: 'rsi_below', period: 14, interval: '5m', value: 30 })).not.toHaveProperty('session');
  });

  it('combine inside all / any: with price levels at bar close, with anything on the forming bar', () => {
    expect(errorsOf({ ...base, condition: { type: 'all', conditions: [{ type: 'rsi_below', period: 14, interval: '1m', value: 30 }, { type: 'price_above', value: 150 }] } })).toEqual([]);
    const macd = { type: 'macd_cross', fast: 12, slow: 26, signal: 9, interval: '1m', direction: 'up', evaluate: 'forming' };
    expect(errorsOf({ ...base, condition: { type: 'any', conditions: [macd, { type: 'crosses', value: 150 }] } })).toEqual([]);
  });
});

describe('patch', () => {
  it('accepts any subset and pause / resume', () => {
    expect(parseWith(rulePatchSchema, { status: 'paused' })).toEqual({ status: 'paused' });
    expect(parseWith(rulePatchSchema, { note: null, cooldownSeconds: 0 })).toEqual({ note: null, cooldownSeconds: 0 });
  });

  it('rejects an empty patch', () => {
    expect(errorsOf({}, rulePatchSchema)).toEqual([' must change at least one field']);
  });
});

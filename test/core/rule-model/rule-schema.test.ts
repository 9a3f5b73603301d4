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

  it.each(['AAPL', 'AAPL$', '$US', 'AAPL$USA1', 'AA PL$US', 'AAPL$U', ''])('rejects %j', (symbol) => {
    expect(errorsOf({ ...base, symbol })).toEqual(['symbol must be a symbol like AAPL$US (CODE$REGION)']);
  });
});

describe('rule defaults', () => {
  it('fills trigger rearm, cooldown 300 s, no expiry, no channels, active', () => {
    expect(parseWith(ruleCreateSchema, base)).toEqual({
      ...base,
      trigger: 'rearm',
      cooldownSeconds: 300,
      expiresAt: null,
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
    [{ ...base, condition: { type: 'rsi_above', value: 70 } }, 'condition.type rsi_above is reserved for indicator conditions and not available yet'],
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

describe('patch', () => {
  it('accepts any subset and pause / resume', () => {
    expect(parseWith(rulePatchSchema, { status: 'paused' })).toEqual({ status: 'paused' });
    expect(parseWith(rulePatchSchema, { note: null, cooldownSeconds: 0 })).toEqual({ note: null, cooldownSeconds: 0 });
  });

  it('rejects an empty patch', () => {
    expect(errorsOf({}, rulePatchSchema)).toEqual([' must change at least one field']);
  });
});
